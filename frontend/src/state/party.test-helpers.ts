// A party to test components in: the app state of a member of a party on a fake backend.

import { expect } from 'vitest';
import { AppState } from './app-state';
import { FakeBackend, fakeSession } from './fake-backend';
import type { CreateRequest, KeyStatus, PartyState } from './types';

/** What "Create party" asks for in these tests. */
export const createReq: CreateRequest = { name: 'ann', workdir: '/w', window_ms: 3000, min_prompts: 1, merger: 'auto', claude_path: '', permission_mode: 'ask', claude_args: '', approve: false };

/**
 * The app state of a member with role in a party, connected to its host (or as status
 * says); key: the window's Gemini key as Go tells it at start (none unless said).
 */
export async function inParty(role: 'host' | 'participant', status: 'connected' | 'reconnecting' = 'connected', state?: PartyState, key?: KeyStatus) {
  const be = new FakeBackend();
  if (key) {
    const boot = be.handlers.Boot;
    be.handlers.Boot = async () => ({ ...(await boot()), key });
  }
  be.handlers.CreateParty = async () => fakeSession(role, state);
  const st = new AppState(be, { checkDelayMs: 10, attentive: () => true });
  await st.start();
  expect(await st.createParty(createReq)).toBe(true);
  be.emit('party:status', status === 'connected' ? { status, attempt: 0, error: '', retry_ms: 0 } : { status, attempt: 2, error: 'connection refused', retry_ms: 1000 });
  return { be, st };
}
