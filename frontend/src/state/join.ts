// What the join dialog says about an invite before connecting, for display (Go is the
// parser: CheckInvite says whether the link is valid).

/** Where the invite leads and whether it pins the host's certificate (?fp=). */
export function inviteSummary(text: string): { host: string; pinned: boolean } | null {
  const m = /^\s*concordia:\/\/([^/\s]+)\/[^?\s]*(\?\S*)?\s*$/i.exec(text);
  if (!m) return null;
  return { host: m[1] ?? '', pinned: /[?&]fp=/i.test(m[2] ?? '') };
}

/** The warning for a valid link without ?fp=: a plain host, or a link cut short. */
export const UNPINNED_WARNING =
  'Not encrypted: this link has no ?fp= part. That is right only for a party started with --insecure; if the host uses encryption, the link was cut off — copy it whole.';

/** The warning for a valid invite ("" when none). */
export function inviteWarning(text: string): string {
  const s = inviteSummary(text);
  return s && !s.pinned ? UNPINNED_WARNING : '';
}

/** Whether text looks like an invite (what the clipboard may offer). */
export function isInviteLink(text: string): boolean {
  return /^\s*concordia:\/\//i.test(text);
}
