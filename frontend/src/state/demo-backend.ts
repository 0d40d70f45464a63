// DemoBackend is an in-memory Backend that plays a whole party: teammates
// join and prompt, batches are cut by the window rules, and the agent streams
// a Markdown reply with tool activity. It is loaded only with ?demo=1 (for
// screenshots, browser end-to-end tests and working on the UI without Go).
// Nothing here talks to the network.

import type { Backend, BackendEventName, BackendEvents } from './backend';
import type {
  BootInfo,
  CreateRequest,
  KeyStatus,
  Member,
  PartyEvent,
  PartyState,
  Prompt,
  PromptAck,
  Session,
  Settings,
} from './types';

/** Knobs for the demo (from the page's query string). */
export interface DemoOptions {
  /** Simulate a dropped connection a moment after entering the party. */
  reconnect?: boolean;
  /** Whether ClipboardInvite finds an invite. */
  clipboard?: boolean;
  /** Whether scripted teammates join and prompt. */
  teammates?: boolean;
  /** Whether the party starts with an earlier turn in its history. */
  history?: boolean;
  /** Time scale: 2 runs everything twice as slowly. */
  slow?: number;
  /** Pretend the OS keyring cannot be used. */
  noKeyring?: boolean;
}

/** A valid invite for the demo. */
export const DEMO_INVITE =
  'concordia://192.168.1.20:8765/q7Vx2Lr9TzK0bWm4NfP8sYc3?fp=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

const REPLIES: Array<Array<['assistant' | 'tool' | 'stderr', string]>> = [
  [
    ['assistant', "I'll add a `--json` flag to `concordia version` and cover it with a test.\n\n"],
    ['tool', 'Read cmd/version.go (42 lines)'],
    ['tool', 'Grep "func runVersion" — 1 match'],
    ['assistant', 'The command prints a plain line today. Here is the change:\n\n```go\nfunc runVersion(args []string, out io.Writer) error {\n\tfs := flag.NewFlagSet("version", flag.ContinueOnError)\n\tasJSON := fs.Bool("json", false, "print JSON")\n\tif err := fs.Parse(args); err != nil {\n\t\treturn fmt.Errorf("parse flags: %w", err)\n\t}\n\tif *asJSON {\n\t\treturn json.NewEncoder(out).Encode(map[string]string{"version": Version})\n\t}\n\t_, err := fmt.Fprintln(out, "concordia", Version)\n\treturn err\n}\n```\n\n'],
    ['tool', 'Edit cmd/version.go (+9 −2)'],
    ['tool', 'Write cmd/version_test.go'],
    ['tool', 'Bash: go test ./cmd/...'],
    ['stderr', 'ok  \tgithub.com/concordia-party/concordia/cmd\t0.014s'],
    ['assistant', '### What changed\n\n- `concordia version --json` prints `{"version": "…"}`\n- **bob**\'s request and **carol**\'s test are both covered\n- table test with named cases: `plain`, `json`, `bad flag`\n\nAll tests pass.'],
  ],
  [
    ['assistant', 'Looking at that now.\n\n'],
    ['tool', 'Bash: rg -n "TODO" internal/'],
    ['assistant', 'There are two places to touch:\n\n1. `internal/party/batch.go` — the window check\n2. `internal/party/party_test.go` — a case for `3 × window`\n\n```diff\n- if time.Since(last) < p.window {\n+ if time.Since(last) < p.window && time.Since(oldest) < 3*p.window {\n```\n\nDone: the window now always closes.'],
  ],
];

/** An in-memory party for demos and browser tests. */
export class DemoBackend implements Backend {
  readonly #opts: Required<DemoOptions>;
  readonly #subs = new Map<string, Set<(p: never) => void>>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #settings: Settings = {
    name: 'ann',
    workdir: '/home/ann/src/concordia',
    window_ms: 3000,
    min_prompts: 1,
    merger: 'auto',
    claude_path: '',
    listen: ':8765',
    public_host: '',
  };
  #key: KeyStatus = { source: 'none', keyring_available: true, keyring_error: '', legacy_file: '' };
  #session: Session | null = null;
  #seq = 0;
  #events: PartyEvent[] = [];
  #members: Member[] = [];
  #pending: Array<Prompt & { at: number }> = [];
  #phase = 'idle';
  #running = false;
  #cut: ReturnType<typeof setTimeout> | undefined;
  #ids = 0;
  #replyNo = 0;

  constructor(opts: DemoOptions = {}) {
    this.#opts = { reconnect: false, clipboard: true, teammates: true, history: true, slow: 1, noKeyring: false, ...opts };
    if (this.#opts.noKeyring) {
      this.#key = {
        source: 'none',
        keyring_available: false,
        keyring_error: 'no Secret Service is running on the session bus',
        legacy_file: '',
      };
    }
  }

  // --- events ---------------------------------------------------------------

  on<K extends BackendEventName>(name: K, handler: (payload: BackendEvents[K]) => void): () => void {
    let set = this.#subs.get(name);
    if (!set) this.#subs.set(name, (set = new Set()));
    const h = handler as (p: never) => void;
    set.add(h);
    return () => set.delete(h);
  }

  #emit<K extends BackendEventName>(name: K, payload: BackendEvents[K]): void {
    for (const h of [...(this.#subs.get(name) ?? [])]) (h as (p: BackendEvents[K]) => void)(payload);
  }

  #after(ms: number, fn: () => void): ReturnType<typeof setTimeout> {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms * this.#opts.slow);
    this.#timers.add(t);
    return t;
  }

  #stopAll(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #event(e: Omit<PartyEvent, 'seq' | 'ts'>, quiet = false): PartyEvent {
    const ev = { seq: ++this.#seq, ts: new Date().toISOString(), ...e } as PartyEvent;
    this.#events.push(ev);
    if (!quiet) this.#emit('party:event', ev);
    return ev;
  }

  #state(): PartyState {
    return {
      seq: this.#seq,
      phase: this.#phase,
      participants: [...this.#members],
      pending: this.#pending.map(({ id, user, text }) => ({ id, user, text })),
      events: [...this.#events],
      truncated: false,
    };
  }

  // --- bindings -------------------------------------------------------------

  async Boot(): Promise<BootInfo> {
    return { settings: this.#settings, key: this.#key, version: 'v0.1.0-demo', link: '', tray: { available: true, reason: '' } };
  }
  async GetSettings(): Promise<Settings> {
    return this.#settings;
  }
  async SaveSettings(s: Settings): Promise<Settings> {
    await this.#sleep(250);
    if (s.claude_path.includes(' ')) throw new Error(`Claude Code was not found at "${s.claude_path}".`);
    this.#settings = { ...s };
    return this.#settings;
  }
  async KeyStatus(): Promise<KeyStatus> {
    return this.#key;
  }
  async SetKey(key: string): Promise<KeyStatus> {
    await this.#sleep(300);
    if (key.length < 8) throw new Error('That does not look like a Gemini API key (too short).');
    this.#key = { ...this.#key, source: 'keyring' };
    return this.#key;
  }
  async DeleteKey(): Promise<KeyStatus> {
    await this.#sleep(200);
    this.#key = { ...this.#key, source: 'none' };
    return this.#key;
  }
  async PickDirectory(start: string): Promise<string> {
    await this.#sleep(200);
    return start ? `${start.replace(/\/$/, '')}` : '/home/ann/src';
  }
  async ClipboardInvite(): Promise<string> {
    return this.#opts.clipboard ? DEMO_INVITE : '';
  }
  async CheckInvite(text: string): Promise<string> {
    return checkInvite(text);
  }

  async CreateParty(req: CreateRequest): Promise<Session> {
    await this.#sleep(500);
    if (!req.name) throw new Error('Enter a display name.');
    if (!req.workdir) throw new Error('Choose the working directory the agent runs in.');
    const you: Member = { id: 'm-you', name: req.name, role: 'host' };
    const s = this.#start(you, 'host', req.name, req.window_ms, req.min_prompts, req.merger === 'local' || this.#key.source === 'none' ? 'local' : 'gemini');
    if (this.#opts.teammates) this.#scriptTeammates();
    return s;
  }

  async JoinParty(invite: string, name: string): Promise<Session> {
    const bad = checkInvite(invite);
    if (bad) throw new Error(bad);
    const status = (attempt: number, error = '') =>
      this.#emit('party:status', { status: 'connecting', attempt, error, retry_ms: 800 });
    status(1);
    await this.#sleep(700);
    if (/unreach/i.test(invite)) {
      status(2, 'connection refused');
      await this.#sleep(800);
      throw new Error('Could not reach 192.168.1.20:8765: connection refused. Is the party still running, and is the port open?');
    }
    if (/mismatch/i.test(invite)) {
      throw new Error('The host\'s certificate does not match the invite (fingerprint mismatch). Ask the host for a fresh invite; do not join if you did not expect this.');
    }
    if (/refused/i.test(invite)) throw new Error('The host refused the invite token. The party may have ended or the link may be old.');
    const you: Member = { id: 'm-you', name, role: 'participant' };
    const s = this.#start(you, 'participant', 'dana', 3000, 1, 'gemini');
    if (this.#opts.teammates) this.#scriptTeammates();
    return s;
  }

  async SendPrompt(text: string): Promise<PromptAck> {
    if (!this.#session) throw new Error('You are not in a party.');
    if (text.trim() === '') throw new Error('A prompt cannot be empty.');
    await this.#sleep(60);
    return this.#prompt(this.#session.you.name, text);
  }

  async Leave(): Promise<void> {
    this.#end();
  }
  async EndParty(): Promise<void> {
    await this.#sleep(300);
    this.#end();
  }
  async CopyInvite(): Promise<void> {
    try {
      await navigator.clipboard?.writeText(this.#session?.invite ?? '');
    } catch {
      // A headless browser may have no clipboard; the demo pretends it worked.
    }
  }

  // --- the simulated host ---------------------------------------------------

  #sleep(ms: number): Promise<void> {
    return new Promise((res) => this.#after(ms, res));
  }

  #start(you: Member, role: 'host' | 'participant', host: string, windowMs: number, minPrompts: number, merger: 'gemini' | 'local'): Session {
    this.#stopAll();
    this.#seq = 0;
    this.#events = [];
    this.#pending = [];
    this.#phase = 'idle';
    this.#running = false;
    const hostMember: Member = role === 'host' ? you : { id: 'm-host', name: host, role: 'host' };
    this.#members = role === 'host' ? [you] : [hostMember, you];
    this.#event({ kind: 'system', text: 'claude started (Claude Code 2.1.197)' }, true);
    if (this.#opts.history) this.#seedHistory(hostMember.name);
    const session: Session = {
      role,
      you,
      party: { id: 'p-demo', host, window_ms: windowMs || 3000, min_prompts: minPrompts || 1, merger, agent: 'claude' },
      invite: DEMO_INVITE,
      state: this.#state(),
    };
    this.#session = session;
    if (this.#opts.reconnect) this.#scriptReconnect();
    return session;
  }

  #seedHistory(host: string): void {
    const p: Prompt = { id: `p${++this.#ids}`, user: host, text: 'Give me a one-paragraph overview of this repository.' };
    this.#event({ kind: 'prompt', prompt: p }, true);
    this.#event({ kind: 'batch', batch: { id: `b${this.#ids}`, prompts: [p.id], merged: p.text, merger: 'local' } }, true);
    this.#event({ kind: 'output', stream: 'tool', text: 'Read README.md (118 lines)' }, true);
    this.#event({ kind: 'output', stream: 'tool', text: 'Glob internal/**/*.go — 23 files' }, true);
    this.#event({
      kind: 'output',
      stream: 'assistant',
      text: '**Concordia** lets a small team steer one Claude Code session. The host batches prompts, merges them (Gemini or a local merger) and streams the agent\'s output to everyone over JSON-RPC on a WebSocket. Business logic lives in `internal/` — `party`, `merge`, `agent`, `client` — and `app/` binds it to this window.',
    }, true);
    this.#event({ kind: 'turn', turn: { batch: `b${this.#ids}`, status: 'done', duration_ms: 8420 } }, true);
  }

  #scriptTeammates(): void {
    const bob: Member = { id: 'm-bob', name: 'bob', role: 'participant' };
    const carol: Member = { id: 'm-carol', name: 'carol', role: 'participant' };
    this.#after(500, () => this.#join(bob));
    this.#after(900, () => this.#join(carol));
    this.#after(1300, () => this.#prompt('bob', 'Add a --json flag to `concordia version`.'));
    this.#after(1900, () => this.#prompt('carol', 'And please make sure the version command has a table test.'));
    this.#after(6500, () => this.#prompt('bob', 'After that: does the batching window always close?'));
  }

  #scriptReconnect(): void {
    this.#after(1200, () => this.#emit('party:status', { status: 'reconnecting', attempt: 1, error: 'connection reset by peer', retry_ms: 1000 }));
    this.#after(2400, () => this.#emit('party:status', { status: 'reconnecting', attempt: 2, error: 'connection refused', retry_ms: 2000 }));
    this.#after(9000, () => {
      this.#emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
      this.#emit('party:state', this.#state());
    });
  }

  #join(m: Member): void {
    if (!this.#session || this.#members.some((x) => x.id === m.id)) return;
    this.#members.push(m);
    this.#event({ kind: 'participants', joined: m, count: this.#members.length });
  }

  #prompt(user: string, text: string): PromptAck {
    const p = { id: `p${++this.#ids}`, user, text };
    this.#pending.push({ ...p, at: Date.now() });
    const ev = this.#event({ kind: 'prompt', prompt: p });
    this.#schedule();
    return { id: p.id, seq: ev.seq };
  }

  #setPhase(phase: string): void {
    if (this.#phase === phase) return;
    this.#phase = phase;
    this.#event({ kind: 'phase', phase });
  }

  /** The window rules: cut when idle, enough pending, and the window (or 3× window) has passed. */
  #schedule(): void {
    if (!this.#session || this.#running) return;
    if (this.#pending.length === 0) {
      this.#setPhase('idle');
      return;
    }
    this.#setPhase('collecting');
    if (this.#pending.length < this.#session.party.min_prompts) return;
    const w = this.#session.party.window_ms;
    const newest = Math.max(...this.#pending.map((p) => p.at));
    const oldest = Math.min(...this.#pending.map((p) => p.at));
    const due = Math.min(newest + w, oldest + 3 * w) - Date.now();
    if (this.#cut) {
      clearTimeout(this.#cut);
      this.#timers.delete(this.#cut);
    }
    this.#cut = this.#after(Math.max(0, due) / this.#opts.slow, () => this.#runBatch());
  }

  #runBatch(): void {
    if (!this.#session || this.#running || this.#pending.length === 0) return;
    this.#running = true;
    const prompts = this.#pending.splice(0);
    this.#setPhase('merging');
    const merged =
      prompts.length === 1
        ? prompts[0]!.text
        : `The team asks for ${prompts.length} things:\n${prompts.map((p, i) => `${i + 1}. ${p.user}: ${p.text}`).join('\n')}\nDo all of them; they do not conflict.`;
    const merger = this.#session.party.merger;
    const id = `b${++this.#ids}`;
    this.#after(600, () => {
      this.#event({ kind: 'batch', batch: { id, prompts: prompts.map((p) => p.id), merged, merger } });
      this.#setPhase('running');
      const started = Date.now();
      const script = REPLIES[this.#replyNo++ % REPLIES.length]!;
      let delay = 300;
      for (const [stream, text] of script) {
        if (stream === 'assistant') {
          // Stream in small pieces, as the agent writes.
          for (let i = 0; i < text.length; i += 14) {
            const piece = text.slice(i, i + 14);
            this.#after((delay += 35), () => this.#event({ kind: 'output', stream, text: piece }));
          }
        } else {
          this.#after((delay += 450), () => this.#event({ kind: 'output', stream, text }));
        }
      }
      this.#after(delay + 300, () => {
        this.#event({ kind: 'turn', turn: { batch: id, status: 'done', duration_ms: Date.now() - started } });
        this.#running = false;
        this.#schedule();
      });
    });
  }

  #end(): void {
    this.#stopAll();
    this.#session = null;
    this.#members = [];
    this.#pending = [];
    this.#running = false;
  }
}

/**
 * The demo's invite check, following PROTOCOL.md §2 closely enough to show
 * every kind of message; the real one is Go's.
 */
export function checkInvite(raw: string): string {
  const text = raw.trim();
  if (text === '') return 'The invite is empty.';
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(text);
  if (!m) return 'An invite starts with concordia:// — this is not a link.';
  if (m[1]!.toLowerCase() !== 'concordia') return `An invite starts with concordia://, not ${m[1]}://.`;
  const rest = m[2]!;
  const slash = rest.indexOf('/');
  if (slash < 0) return 'The token is missing: expected concordia://HOST:PORT/TOKEN.';
  const hostport = rest.slice(0, slash);
  const hp = /^(\[[0-9a-f:.]+\]|[^:[\]]+):(\d+)$/i.exec(hostport);
  if (!hp) return hostport.includes(':') ? 'The host and port are malformed.' : 'The port is missing: expected HOST:PORT.';
  const port = Number(hp[2]);
  if (port < 1 || port > 65535) return `The port ${hp[2]} is out of range (1–65535).`;
  const [token = '', query] = rest.slice(slash + 1).split('?', 2);
  if (token === '') return 'The token is missing.';
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return 'The token has characters other than A–Z, a–z, 0–9, - and _.';
  if (token.length < 22) return 'The token is too short: it must carry at least 128 random bits.';
  if (query !== undefined) {
    for (const kv of query.split('&')) {
      const [k, v = ''] = kv.split('=', 2);
      if (k !== 'fp') return `Unknown parameter "${k}".`;
      if (!/^[0-9a-f]{64}$/i.test(v)) return 'The fingerprint (fp) must be 64 hex digits.';
    }
  }
  return '';
}
