import { describe, expect, it } from 'vitest';
import { TranscriptModel, type NoticeItem } from './transcript';
import { NO_READER, noticeWords, rejectedBy, type Reader } from './shown-words';
import type { PartyEvent } from './types';

/** The one notice a system event makes, as reader reads it. */
function said(ev: Partial<PartyEvent>, reader: Partial<Reader>): string {
  const m = new TranscriptModel();
  m.apply({ seq: 5, ts: '2026-12-07T10:00:00Z', kind: 'system', ...ev });
  const it = m.items.find((i): i is NoticeItem => i.type === 'system');
  if (!it) throw new Error('no notice');
  return noticeWords(it, { ...NO_READER, joinedAt: 1, ...reader });
}

const hana = { you: 'm1', name: 'hana', hostSession: true, owner: true, host: 'hana' };
const gus = { you: 'm3', name: 'gus' };
const newAlice = { you: 'm9', name: 'alice' }; // alice's name, after alice was removed

describe('a host\'s notice of an act, by member id', () => {
  // A tester's window: the acting host read its own name, the member made a viewer read
  // "Hana made Gus a viewer" (34-guest-now-viewer.png).
  it('says "you" of the reader\'s own acts and of acts on the reader', () => {
    expect(said({ text: 'hana turned approval on', by: 'hana', by_member: 'm1' }, hana)).toBe('you turned approval on');
    expect(said({ text: "hana approved the agent's plan: the party leaves plan mode", by: 'hana', by_member: 'm1' }, { ...hana, joinedAt: 9 })).toBe("you approved the agent's plan: the party leaves plan mode");
    expect(said({ text: 'hana made gus a viewer', by: 'hana', by_member: 'm1', about: 'gus', about_member: 'm3' }, hana)).toBe('you made gus a viewer');
    expect(said({ text: 'hana made gus a viewer', by: 'hana', by_member: 'm1', about: 'gus', about_member: 'm3' }, gus)).toBe('hana made you a viewer');
    expect(said({ text: "hana edited and sent gus's prompt", by: 'hana', by_member: 'm1', about: 'gus', about_member: 'm3' }, gus)).toBe('hana edited and sent your prompt');
    expect(said({ text: 'hana made themselves a participant', by: 'hana', by_member: 'm1' }, hana)).toBe('you made yourself a participant');
    expect(said({ text: 'hana ran the agent command /compact', by: 'hana', by_member: 'm1' }, hana)).toBe('you ran the agent command /compact');
    expect(said({ text: 'hana now shares the whole working directory, secrets included', by: 'hana', by_member: 'm1' }, hana)).toBe('you now share the whole working directory, secrets included');
  });

  it('says it in the history too, where a name alone is not trusted', () => {
    expect(said({ seq: 1, text: 'hana removed gus from the party', by: 'hana', by_member: 'm1', about: 'gus', about_member: 'm3' }, { ...gus, joinedAt: 4 })).toBe('hana removed you from the party');
  });

  it('never by name: a newcomer with a removed member\'s name reads it as the host said it', () => {
    const removal = { text: 'hana removed alice from the party', by: 'hana', by_member: 'm1', about: 'alice', about_member: 'm2' };
    expect(said(removal, newAlice)).toBe('hana removed alice from the party');
    expect(said({ text: 'alice turned approval off', by: 'alice', by_member: 'm2' }, newAlice)).toBe('alice turned approval off');
  });
});

describe("the host's Gemini key notices", () => {
  const window = 'the host has no Gemini key (the host can add one in Settings); merging locally until the host sets one';
  it("are the host's own on the host's own screen", () => {
    expect(said({ text: window }, hana)).toBe('you have no Gemini key (add one in Settings); merging locally until you set one');
    expect(
      said({ text: "the host has no Gemini key: the OS keyring on the host's machine is unavailable (the host can set GEMINI_API_KEY to use Gemini); merging locally until the keyring can be read" }, hana),
    ).toBe('you have no Gemini key: the OS keyring on this machine is unavailable (set GEMINI_API_KEY to use Gemini); merging locally until the keyring can be read');
  });
  it("stay the host's for everyone else", () => {
    expect(said({ text: window }, { ...gus, hostSession: true })).toBe(window);
  });
});

// A window tester's guest read "the host ended the party", and after a crash "Hana, the
// host, stopped": named in both.
describe("the host's end of the party", () => {
  it('names the host to a guest, and is "you" to the owner', () => {
    expect(said({ text: 'the host ended the party' }, { ...gus, host: 'hana' })).toBe('hana, the host, ended the party');
    expect(said({ text: 'the host ended the party' }, hana)).toBe('you ended the party');
  });
});

describe('rejectedBy', () => {
  it('is "you" by member id only', () => {
    const r = { by: 'hana', by_member: 'm1' };
    expect(rejectedBy(r, { ...NO_READER, you: 'm1', name: 'hana' })).toBe('you');
    expect(rejectedBy(r, { ...NO_READER, you: 'm9', name: 'hana' })).toBe('hana');
    expect(rejectedBy({ by: 'hana' }, { ...NO_READER, you: 'm1', name: 'hana' })).toBe('hana'); // a host from before: its name
  });
});

// A party started with its key known refused: its notice said "or Check in Settings finds
// it works" to every member. The guests read what happens; the owner reads how it replaces
// its key, where its key can be replaced.
describe('the notice of a key Google refused before the party', () => {
  const notice = 'Google refused this Gemini key when it was last asked; merging locally until the host replaces it';
  it('tells the owner alone how to replace it, or to check it', () => {
    expect(said({ text: notice }, hana)).toBe('Google refused your Gemini key when it was last asked; merging locally until you replace it, or Check in Settings finds it works');
    expect(said({ text: notice }, { ...hana, envKey: true })).toBe(
      'Google refused your Gemini key when it was last asked; merging locally until you replace it (it comes from GEMINI_API_KEY: set it to a working key, then resume the party), or Check in Settings finds it works',
    );
    expect(said({ text: notice }, gus)).toBe(notice);
    expect(said({ text: notice }, { ...gus, hostSession: true, envKey: true })).toBe(notice); // a co-host
  });
});
