// Builders for protocol events in tests.

import type { Approval, Batch, Member, PartyEvent, Permission, Prompt, Rejected, Withdrawn } from './types';

const T0 = Date.parse('2026-01-02T03:04:05Z');

/** The RFC 3339 time ms after T0. */
export function at(ms: number): string {
  return new Date(T0 + ms).toISOString();
}

/** T0 plus ms, as a number. */
export function t(ms: number): number {
  return T0 + ms;
}

export const prompt = (seq: number, p: Prompt, ms = seq * 100): PartyEvent => ({ seq, ts: at(ms), kind: 'prompt', prompt: p });
export const batch = (seq: number, b: Batch, ms = seq * 100): PartyEvent => ({ seq, ts: at(ms), kind: 'batch', batch: b });
export const out = (seq: number, text: string, stream = 'assistant'): PartyEvent => ({ seq, ts: at(seq * 100), kind: 'output', text, stream });
export const sys = (seq: number, text: string): PartyEvent => ({ seq, ts: at(seq * 100), kind: 'system', text });
export const err = (seq: number, text: string): PartyEvent => ({ seq, ts: at(seq * 100), kind: 'error', text });
export const phase = (seq: number, p: string): PartyEvent => ({ seq, ts: at(seq * 100), kind: 'phase', phase: p });
export const turn = (seq: number, batchId: string, status = 'done', duration_ms = 1200): PartyEvent => ({
  seq, ts: at(seq * 100), kind: 'turn', turn: { batch: batchId, status, duration_ms },
});
export const joined = (seq: number, m: Member): PartyEvent => ({ seq, ts: at(seq * 100), kind: 'participants', joined: m, count: 2 });
export const left = (seq: number, m: Member): PartyEvent => ({ seq, ts: at(seq * 100), kind: 'participants', left: m, count: 1 });
export const approval = (seq: number, a: Approval): PartyEvent => ({ seq, ts: at(seq * 100), kind: 'approval', approval: a });
export const withdrawn = (seq: number, w: Withdrawn): PartyEvent => ({ seq, ts: at(seq * 100), kind: 'withdrawn', withdrawn: w });
export const rejected = (seq: number, r: Rejected): PartyEvent => ({ seq, ts: at(seq * 100), kind: 'rejected', rejected: r });
export const permission = (seq: number, p: Permission): PartyEvent => ({ seq, ts: at(seq * 100), kind: 'permission', permission: p });
export const retry = (seq: number, batchId: string): PartyEvent => ({ seq, ts: at(seq * 100), kind: 'retry', batch: batchId });
export const settings = (seq: number, on: boolean, mode = 'ask'): PartyEvent => ({ seq, ts: at(seq * 100), kind: 'settings', approval: on, permission_mode: mode });
export const changed = (seq: number, m: Member): PartyEvent => ({ seq, ts: at(seq * 100), kind: 'participants', changed: m, count: 2 });
