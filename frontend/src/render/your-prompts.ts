// Words for one reader: a host's notice with the reader's own prompts called theirs.

const PHRASES = ['prompt', 'waiting prompt']; // and their plurals

/**
 * A host's notice as `name` reads it: "alice edited and sent your prompt", not "… bob's
 * prompt", read by bob (a tester's, in the terminal, which says it the same way); "alice
 * removed you from the party" (live: see below). Only the host's possessive phrases about
 * prompts, and the one removed, change; anyone else's stay theirs.
 */
export function yourPrompts(text: string, name: string, live = true): string {
  // "alice removed mei from the party", under mei's own "You were removed" banner (a user
  // tester's): the reader removed is "you". Only the notice's own removal, not one quoted
  // in its reason; and only live (since the reader joined): a removed member's name is
  // free again, and in the history the one removed may be another who had it (as the
  // terminal says it).
  const at = text.indexOf(' removed ');
  if (name && live && at >= 0 && text.startsWith(`${name} from the party`, at + 9)) {
    text = `${text.slice(0, at)} removed you${text.slice(at + 9 + name.length)}`;
  }
  // "carol stopped the turn", in carol's window, beside "you joined" (a user tester's); in
  // lower case, as the host's notices and the terminal's (shown-words.ts membersWords).
  if (name && text === `${name} stopped the turn`) return 'you stopped the turn';
  // "hazel edited and sent their own prompt", in hazel's window.
  if (name && text.startsWith(`${name} `) && /^(approved|edited and sent) their own prompt/.test(text.slice(name.length + 1))) {
    return `you ${text.slice(name.length + 1).replace(' their own ', ' your own ')}`;
  }
  if (!name || !text.includes(`${name}'s `)) return text;
  let out = text;
  for (const lead of [' ', '(']) {
    for (const of of PHRASES) out = out.split(`${lead}${name}'s ${of}`).join(`${lead}your ${of}`);
    // "(bob's 2 waiting prompts …)"
    out = out.replace(new RegExp(`\\${lead}${escape(name)}'s (\\d+ (?:waiting )?prompts)`, 'g'), `${lead}your $1`);
  }
  // The host who did it is the reader: "you approved your prompt", not "hazel approved your
  // prompt" in hazel's own window (a tester's). Only a host's act on the prompt, named by a
  // verb right after the name: not "ann marie approved …" read by ann, nor "hazel made
  // themselves a viewer (your waiting prompt …)" (a reviewer's).
  const act = new RegExp(`^${escape(name)} (approved|rejected|withdrew|edited and sent|sent) your `);
  if (out !== text && act.test(out)) out = `you ${out.slice(name.length + 1)}`;
  return out;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The members a host's notice of an act names, by member id (PartyEvent.by_member, about_member). */
export interface NoticeActs {
  by?: string;
  by_member?: string;
  about?: string;
  about_member?: string;
}

/**
 * A host's notice of an act as the member with id `you` reads it (Go's wire.Event.SaidTo,
 * which the terminal uses): its own act is "you …" ("you turned approval on"), an act on it
 * says "you" and "your" ("hana made you a viewer", "… sent your prompt"). Told by member id,
 * never by name: a newcomer may have the name of a member who has gone.
 */
export function saidTo(text: string, acts: NoticeActs, you: string): string {
  if (!you) return text;
  let head = '';
  let rest = text;
  if (acts.by && text.startsWith(`${acts.by} `)) {
    head = `${acts.by} `;
    rest = text.slice(head.length);
  }
  if (head !== '' && acts.by_member === you) {
    head = 'you ';
    rest = rest.startsWith('made themselves ') ? `made yourself ${rest.slice('made themselves '.length)}` : rest.replace(' themselves ', ' yourself ');
    rest = rest.replace(' their own ', ' your own ');
    // The host's acts said in the present: "you run", not "you runs".
    for (const [from, to] of [['runs ', 'run '], ['now shares ', 'now share ']] as const) if (rest.startsWith(from)) rest = to + rest.slice(from.length);
  }
  const name = acts.about ?? '';
  if (name && acts.about_member === you && acts.about_member !== acts.by_member) {
    for (const [from, to] of [[` ${name}'s `, ' your '], [`(${name}'s `, '(your '], [` ${name} `, ' you ']] as const) rest = rest.split(from).join(to);
  }
  return head + rest;
}
