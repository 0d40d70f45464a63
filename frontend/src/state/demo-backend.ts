// DemoBackend is an in-memory Backend that plays a whole party: teammates
// join and prompt, batches are cut by the window rules, and the agent streams
// a Markdown reply with tool activity. It is loaded only with ?demo=1 (for
// screenshots, browser end-to-end tests and working on the UI without Go).
// Nothing here talks to the network.

import type { Backend, BackendEventName, BackendEvents } from './backend';
import type {
  JoinedAs,
  BootInfo,
  ChangesResult,
  CreateRequest,
  Decision,
  FileChange,
  FileDiff,
  TreeResult,
  WorkspaceLevel,
  Invites,
  KeyCheck,
  KeyStatus,
  Member,
  PartyEvent,
  PermissionMode,
  PartyState,
  Prompt,
  PromptAck,
  Session,
  Settings,
} from './types';
import type { RecentParty, Unanswered } from './recent-parties';
import { LOST_END, WHY_LOST, asText } from './transcript';
import { EXIT_PLAN_TOOL } from './host-control';
import { normalizeLink } from './join';

/** Knobs for the demo (from the page's query string). */
export interface DemoOptions {
  /** Simulate a dropped connection a moment after entering the party. */
  reconnect?: boolean;
  /** Whether ClipboardInvite finds an invite. */
  clipboard?: boolean;
  /** Whether scripted teammates join and prompt. */
  teammates?: boolean;
  /** The two scripted teammates' names (bob and carol unless given: `?names=a,b`). */
  names?: readonly [string, string];
  /** One of them loses the connection and stays away. */
  away?: boolean;
  /** Whether the party starts with an earlier turn in its history. */
  history?: boolean;
  /** Time scale: 2 runs everything twice as slowly. */
  slow?: number;
  /** Pretend the OS keyring cannot be used. */
  noKeyring?: boolean;
  /** Parties start in approval mode. */
  approve?: boolean;
  /** The agent asks before its first tool use of each turn (permission mode ask). */
  ask?: boolean;
  /** Seed the party's history with this many generated events (the window at scale). */
  bench?: number;
  /** Its replies long, 40 lines each, as a streaming agent's report (find's far jumps). */
  benchLong?: boolean;
  /** What the party shares of the working folder ("" = the Create party choice). */
  share?: WorkspaceLevel | '';
  /** The party starts with this many changed files (a long Changes list: a codemod's). */
  files?: number;
  /** The party's history is a party resumed after its journal lost its end (a full disk). */
  lostEnd?: boolean;
  /** The agent's first request of a turn comes with this many in all, at once (parallel tool calls: `?asks=3`). */
  asks?: number;
  /** The party starts in plan mode: each turn begins with the agent's plan, a tool request to leave plan mode (`?plan=1`). */
  plan?: boolean;
  /** With approve: the first teammate, a co-host, opens "Edit and send…" on each held prompt (`?coediting`). */
  coediting?: boolean;
  /** The host's name of a party joined (`?host=NAME`; dana otherwise): the party is "NAME's party". */
  host?: string;
  /** A party joined is not encrypted: its invite has no ?fp= (`?insecure`, a host started with --insecure). */
  insecure?: boolean;
  /** While the first tool request waits, the second teammate's connection drops and comes back this many times (`?flaps=11`). */
  flaps?: number;
}

/** The demo agent's plan, as Claude Code sends it in plan mode (ExitPlanMode's input), and its summary as Go writes it. */
export const DEMO_PLAN = '1. Create hello.py\n2. Add a test';
const DEMO_PLAN_SUMMARY = `leave plan mode: ${DEMO_PLAN.replace(/\n/g, ' ')}`;

/** A held batch in a notice, as the real host names it: one prompt is not merged. */
function heldWords(h: { prompts: Prompt[] }): string {
  return h.prompts.length === 1 ? `${h.prompts[0]!.user}'s prompt` : 'the merged prompt';
}

/** The most events the Go side hands the page at once (internal/session/pagehistory.go). */
const PAGE_HISTORY_EVENTS = 20000;

/** n changed files spread over folders, as a rename across a codebase leaves them. */
function demoManyFiles(n: number): FileChange[] {
  const dirs = ['internal/cli', 'internal/host', 'internal/party', 'internal/agent', 'frontend/src/components', 'frontend/src/state', 'docs'];
  return Array.from({ length: n }, (_, i): FileChange => {
    const dir = dirs[i % dirs.length]!;
    const ext = dir.startsWith('frontend') ? 'ts' : dir === 'docs' ? 'md' : 'go';
    return { path: `${dir}/file-${String(i).padStart(3, '0')}.${ext}`, status: i % 9 === 0 ? 'added' : 'modified', additions: (i * 7) % 23 + 1, deletions: (i * 5) % 11 };
  }).sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
}

/** A changed file whose path is longer than any panel is wide. */
export const DEMO_LONG_PATH = 'docs/release-notes/the-version-command/a-folder-name-long-enough-to-run-off-the-panel/json-output.md';

/** The demo's working folder: what the scripted agent changes, with each file's diff. */
const DEMO_CHANGES: Record<string, { change: FileChange; diff: string; binary?: boolean }> = {
  'cmd/version.go': {
    change: { path: 'cmd/version.go', status: 'modified', additions: 9, deletions: 2 },
    diff: [
      'diff --git a/cmd/version.go b/cmd/version.go',
      '--- a/cmd/version.go',
      '+++ b/cmd/version.go',
      '@@ -12,10 +12,17 @@ import (',
      ' // runVersion prints the version.',
      ' func runVersion(args []string, out io.Writer) error {',
      '-	_, err := fmt.Fprintln(out, "concordia", Version)',
      '-	return err',
      '+	fs := flag.NewFlagSet("version", flag.ContinueOnError)',
      '+	asJSON := fs.Bool("json", false, "print JSON")',
      '+	if err := fs.Parse(args); err != nil {',
      '+		return fmt.Errorf("parse flags: %w", err)',
      '+	}',
      '+	if *asJSON {',
      '+		return json.NewEncoder(out).Encode(map[string]string{"version": Version}) // <b>not HTML</b>',
      '+	}',
      '+	_, err := fmt.Fprintln(out, "concordia", Version)',
      '+	return err',
      ' }',
      ' ',
      ' // Version is set at build time.',
      '',
    ].join('\n'),
  },
  'cmd/version_test.go': {
    change: { path: 'cmd/version_test.go', status: 'added', additions: 6, deletions: 0 },
    diff: [
      'diff --git a/cmd/version_test.go b/cmd/version_test.go',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/cmd/version_test.go',
      '@@ -0,0 +1,6 @@',
      '+package cmd',
      '+',
      '+func TestVersion(t *testing.T) {',
      '+	for _, tt := range []struct{ name, args string }{{"plain", ""}, {"json", "--json"}} {',
      '+	}',
      '+}',
      '',
    ].join('\n'),
  },
  'internal/party/batch.go': {
    change: { path: 'internal/party/batch.go', status: 'modified', additions: 1, deletions: 1 },
    diff: '--- a/internal/party/batch.go\n+++ b/internal/party/batch.go\n@@ -40,3 +40,3 @@ func due(p *Party) bool {\n \tlast := p.pending[len(p.pending)-1]\n-\tif time.Since(last) < p.window {\n+\tif time.Since(last) < p.window && time.Since(oldest) < 3*p.window {\n \t\treturn false\n',
  },
  'docs/notes.md': {
    change: { path: 'docs/notes.md', status: 'renamed', from: 'docs/old-notes.md', additions: 0, deletions: 0 },
    diff: 'diff --git a/docs/old-notes.md b/docs/notes.md\nsimilarity index 100%\nrename from docs/old-notes.md\nrename to docs/notes.md\n',
  },
  'assets/logo.png': { change: { path: 'assets/logo.png', status: 'added', additions: 0, deletions: 0, binary: true }, diff: '', binary: true },
  // A path longer than the Changes panel is wide (e2e/sizes.mjs: it is cut, its counts stay in view).
  [DEMO_LONG_PATH]: {
    change: { path: DEMO_LONG_PATH, status: 'added', additions: 3, deletions: 0 },
    diff: `diff --git a/${DEMO_LONG_PATH} b/${DEMO_LONG_PATH}\nnew file mode 100644\n--- /dev/null\n+++ b/${DEMO_LONG_PATH}\n@@ -0,0 +1,3 @@\n+# concordia version --json\n+\n+Prints the version as JSON.\n`,
  },
};

/** The demo folder for tree sharing. */
const DEMO_TREE: Record<string, TreeResult['entries']> = {
  '': [
    { name: 'assets', dir: true, size: 0 },
    { name: 'cmd', dir: true, size: 0 },
    { name: 'docs', dir: true, size: 0 },
    { name: 'internal', dir: true, size: 0 },
    { name: '.env', dir: false, size: 58 },
    { name: 'go.mod', dir: false, size: 412 },
    { name: 'README.md', dir: false, size: 5120 },
  ],
  assets: [{ name: 'logo.png', dir: false, size: 18211 }],
  cmd: [
    { name: 'version.go', dir: false, size: 1290 },
    { name: 'version_test.go', dir: false, size: 240 },
  ],
  docs: [{ name: 'notes.md', dir: false, size: 930 }],
  internal: [{ name: 'party', dir: true, size: 0 }],
  'internal/party': [
    { name: 'batch.go', dir: false, size: 6411 },
    { name: 'party.go', dir: false, size: 21904 },
  ],
};

/** A valid invite for the demo. */
export const DEMO_INVITE =
  'concordia://192.168.1.20:8765/q7Vx2Lr9TzK0bWm4NfP8sYc3?fp=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

/** The demo's viewer invite. */
export const DEMO_VIEWER_INVITE =
  'concordia://192.168.1.20:8765/Vw3mX8rTq2LpZ7nK4sYd9bQe?fp=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

/** The demo's host invite: whoever joins with it is a co-host. */
export const DEMO_HOST_INVITE =
  'concordia://192.168.1.20:8765/Hc5nR1wYk8PzT3mQ6vLd2sXa?fp=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

const REPLIES: Array<Array<['assistant' | 'tool' | 'tool_output' | 'stderr', string]>> = [
  [
    ['assistant', "I'll add a `--json` flag to `concordia version` and cover it with a test.\n\n"],
    ['tool', 'Read cmd/version.go (42 lines)'],
    ['tool', 'Grep "func runVersion" — 1 match'],
    ['assistant', 'The command prints a plain line today. Here is the change:\n\n```go\nfunc runVersion(args []string, out io.Writer) error {\n\tfs := flag.NewFlagSet("version", flag.ContinueOnError)\n\tasJSON := fs.Bool("json", false, "print JSON")\n\tif err := fs.Parse(args); err != nil {\n\t\treturn fmt.Errorf("parse flags: %w", err)\n\t}\n\tif *asJSON {\n\t\treturn json.NewEncoder(out).Encode(map[string]string{"version": Version})\n\t}\n\t_, err := fmt.Fprintln(out, "concordia", Version)\n\treturn err\n}\n```\n\n'],
    ['tool', 'Edit cmd/version.go (+9 −2)'],
    ['tool', 'Write cmd/version_test.go'],
    ['tool', `Write ${DEMO_LONG_PATH}`],
    ['tool', 'Bash: go vet ./cmd/...'],
    ['tool', '-> (error) Exit code 1 (+1 lines)'],
    ['tool_output', 'Exit code 1\ncmd/version.go:51:2: fmt.Fprintln arg list ends with redundant newline'],
    ['tool', 'Edit cmd/version.go (+1 −1)'],
    ['tool', 'Bash: go test ./cmd/...'],
    ['tool', '-> === RUN   TestRunVersion (+8 lines)'],
    ['tool_output', '=== RUN   TestRunVersion\n=== RUN   TestRunVersion/plain\n=== RUN   TestRunVersion/json\n=== RUN   TestRunVersion/bad_flag\n--- PASS: TestRunVersion (0.00s)\n    --- PASS: TestRunVersion/plain (0.00s)\n    --- PASS: TestRunVersion/json (0.00s)\n    --- PASS: TestRunVersion/bad_flag (0.00s)\nPASS\n'],
    ['stderr', 'ok  \tgithub.com/concordia-party/concordia/cmd\t0.014s'],
    ['assistant', '### What changed\n\n- `concordia version --json` prints `{"version": "…"}`\n- **bob**\'s request and **carol**\'s test are both covered\n- table test with named cases: `plain`, `json`, `bad flag`\n\nAll tests pass.'],
  ],
  [
    ['assistant', 'Looking at that now.\n\n'],
    ['tool', 'Bash: rg -n "TODO" internal/'],
    ['tool', '-> internal/party/batch.go:88:\t// TODO: the window can stay open forever under steady typing (+1 lines)'],
    ['tool_output', 'internal/party/batch.go:88:\t// TODO: the window can stay open forever under steady typing\ninternal/party/party_test.go:214:\t// TODO: a case for 3 × window\n'],
    ['assistant', 'There are two places to touch:\n\n1. `internal/party/batch.go` — the window check\n2. `internal/party/party_test.go` — a case for `3 × window`\n\n```diff\n- if time.Since(last) < p.window {\n+ if time.Since(last) < p.window && time.Since(oldest) < 3*p.window {\n```\n\nDone: the window now always closes.'],
  ],
];

/** The commands the agent asks to run along with its first request of a turn (asks > 1). */
const PARALLEL_ASKS = ['git status --short', 'go vet ./internal/...', 'ls docs/'];

/** The demo's data directory: a few parties kept from before. */
function demoRecent(): RecentParty[] {
  const ago = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
  return [
    { id: 'p-7f3a9c21', host: 'ann', created: ago(26), last_active: ago(2), turns: 14, state: 'not_ended_cleanly', workdir: '/home/ann/src/concordia', workspace: 'changes', first_prompt: 'Make the join dialog accept a whole chat message, and say what is wrong with a broken link' },
    { id: 'p-51be0d44', host: 'ann', created: ago(50), last_active: ago(30), turns: 6, state: 'ended', workdir: '/home/ann/src/website', workspace: 'tree', first_prompt: 'Move the blog to the new theme' },
    { id: 'p-0c92e18b', host: 'ann', created: ago(3), last_active: ago(0.1), turns: 3, state: 'running', workdir: '/home/ann/src/infra', workspace: 'changes', first_prompt: 'Why does the staging deploy time out?' },
    // Its journal a full disk cut short: listed, with why, and no Resume.
    { id: 'p-9d04a7e2', host: 'ann', created: ago(75), last_active: ago(72), turns: 9, state: 'not_ended_cleanly', workdir: '/mnt/scratch/dataset', workspace: 'changes', incomplete: true },
  ];
}

/**
 * What resuming each demo party would take up at once (Go reads it from the journal): the
 * first, stopped by a crash, left Kai's prompt waiting and its last turn cut short.
 */
const DEMO_UNANSWERED: Record<string, Unanswered> = {
  'p-7f3a9c21': {
    text: '1 prompt never reached the agent, and its last turn was cut short',
    prompts: [{ user: 'Kai', text: 'fix the flaky reconnect test and push it to main' }],
    turn: 'Make the broken-link message say which part of the link is wrong',
    turn_by: ['ann', 'Mei'],
    cut: true,
  },
};

/** What each permission mode lets the agent do, as the real host says it when a host sets one. */
const MODE_WORDS: Record<PermissionMode, string> = {
  ask: 'every tool use that needs permission asks a host',
  edits: 'file edits are allowed, every other tool use that needs permission asks a host',
  plan: "read-only planning, nothing is changed until a host approves the agent's plan (it comes as a tool request: allow it)",
  all: "the agent may run any command and change any file on HOST's computer without asking anyone",
};

function isMode(mode: string): mode is PermissionMode {
  return Object.prototype.hasOwnProperty.call(MODE_WORDS, mode);
}

/** An in-memory party for demos and browser tests. */
export class DemoBackend implements Backend {
  readonly #opts: Required<DemoOptions>;
  /** Tools a host allowed for the rest of the party. */
  readonly #always = new Set<string>();
  readonly #subs = new Map<string, Set<(p: never) => void>>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #settings: Settings = {
    name: 'ann',
    workdir: '/home/ann/src/concordia',
    window_ms: 3000,
    min_prompts: 1,
    merger: 'auto',
    claude_path: '',
    claude_args: '',
    permission_mode: 'ask',
    approve: false,
    permission_timeout_ms: 120_000,
    share_workspace: 'changes',
    listen: ':8765',
    public_host: '',
    notifications: true,
    zoom: 100,
  };
  #key: KeyStatus = { source: 'none', keyring_available: true, keyring_error: '', legacy_file: '', unchecked: false };
  /** How long the party's tool requests wait for a host: a joined one's host has the default. */
  #permissionTimeout = 120_000;
  #session: Session | null = null;
  #seq = 0;
  #events: PartyEvent[] = [];
  #members: Member[] = [];
  #pending: Array<Prompt & { at: number }> = [];
  #phase = 'idle';
  #running = false;
  #cut: ReturnType<typeof setTimeout> | undefined;
  /** A host asked for the waiting prompts to go now (SendNow): the next schedule cuts them. */
  #sendNow = false;
  /** The hosted party was started with sharing off (its party.cannot_share). */
  #cannotShare = false;
  #ids = 0;
  #replyNo = 0;
  /** The batch waiting for approval. */
  #held: { id: string; prompts: Prompt[]; merged: string } | null = null;
  /** The tool request the running turn waits for, and how to go on. */
  #asking: { id: string; tool: string; summary: string; batch: string; resume: () => void } | null = null;
  /** The requests asked with it at once (asks), still waiting; the turn goes on when all are decided. */
  #more = new Map<string, { tool: string; summary: string; batch: string }>();
  /** How the turn goes on, once #asking is decided and #more is empty. */
  #resumeLater: (() => void) | null = null;
  /** The denial the next tool result carries (the request before it was denied). */
  #denial: string | null = null;
  /** Timers of the running turn (Stop cancels them). */
  #turnTimers = new Set<ReturnType<typeof setTimeout>>();
  #turn: { id: string; started: number } | null = null;
  #level: WorkspaceLevel = 'changes';
  /** What the agent may do without asking (the demo's agent asks only in "ask"). */
  #mode: PermissionMode = 'edits';
  #files: FileChange[] = [];
  /** Changed files kept back as secrets (the demo's .env). */
  #secrets = 0;

  constructor(opts: DemoOptions = {}) {
    this.#opts = { reconnect: false, clipboard: true, teammates: true, away: false, history: true, slow: 1, noKeyring: false, approve: false, ask: false, bench: 0, benchLong: false, share: '', files: 0, lostEnd: false, asks: 1, plan: false, coediting: false, host: '', insecure: false, flaps: 0, ...opts, names: opts.names ?? ['bob', 'carol'] };
    if (this.#opts.noKeyring) {
      this.#key = {
        source: 'none',
        keyring_available: false,
        keyring_error: 'no Secret Service is running on the session bus',
        legacy_file: '',
        unchecked: false,
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
    // As the Go side hands the page a party's newest 20,000 events at most
    // (internal/session/pagehistory.go): `?demo=1&bench=25000` shows the cut.
    const cut = this.#events.length > PAGE_HISTORY_EVENTS;
    return {
      seq: this.#seq,
      phase: this.#phase,
      participants: [...this.#members],
      pending: this.#pending.map(({ id, user, text }) => ({ id, user, text })),
      events: cut ? this.#events.slice(-PAGE_HISTORY_EVENTS) : [...this.#events],
      truncated: cut,
    };
  }

  // --- bindings -------------------------------------------------------------

  async Boot(): Promise<BootInfo> {
    return { settings: this.#settings, key: this.#key, version: 'v0.1.0-demo', link: '', tray: { available: true, reason: '' }, home: '/home/demo', dismissed: [] };
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
  async SetZoom(percent: number): Promise<number> {
    this.#settings = { ...this.#settings, zoom: percent };
    return percent;
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
  async CheckKey(): Promise<KeyCheck> {
    await this.#sleep(400);
    if (this.#key.source === 'none') throw new Error('There is no Gemini key to check: paste one first.');
    return { result: 'accepted', text: 'Google accepted this key. (The demo does not ask Google.)' };
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
  async JoinName(): Promise<JoinedAs> {
    return { name: '', role: '' }; // the demo keeps no memberships
  }
  async InviteWarning(text: string): Promise<string> {
    // As Go's invite.CutShortHint says it, for a valid link (CheckInvite's).
    if (checkInvite(text)) return '';
    const token = /^concordia:\/\/[^/]+\/([A-Za-z0-9_-]+)/i.exec(normalizeLink(text.trim()))?.[1] ?? '';
    if (token.length === 43 || (token.length === 32 && /^[0-9a-f]+$/.test(token))) return '';
    return token.length < 43
      ? `The link looks cut short: its token has ${token.length} characters, but a Concordia invite's has 43; copy the whole link again.`
      : `The link looks longer than an invite: its token has ${token.length} characters, more than a Concordia invite's 43; copy the link again, and only it.`;
  }
  async CheckCreate(req: CreateRequest): Promise<string> {
    return req.name.trim() ? '' : 'The display name is empty.';
  }
  async PickClaude(current: string): Promise<string> {
    await this.#sleep(200);
    return current || '/usr/local/bin/claude';
  }

  async CurrentParty(): Promise<Session | null> {
    return null; // the demo lives in the page: a page loaded again starts over
  }
  async KeepDraft(_text: string): Promise<void> {
    // Nothing to keep it in: the demo starts over with the page.
  }

  async CreateParty(req: CreateRequest): Promise<Session> {
    await this.#sleep(500);
    if (!req.name) throw new Error('Enter a display name.');
    if (!req.workdir) throw new Error('Choose the working directory the agent runs in.');
    const you: Member = { id: 'm-you', name: req.name, role: 'host' };
    this.#level = this.#opts.share || req.share_workspace || this.#settings.share_workspace;
    this.#opts.approve = this.#opts.approve || req.approve;
    this.#opts.ask = this.#opts.ask || req.permission_mode === 'ask';
    this.#opts.plan = this.#opts.plan || req.permission_mode === 'plan';
    this.#permissionTimeout = req.permission_timeout_ms || this.#settings.permission_timeout_ms;
    const s = this.#start(you, 'host', req.name, req.window_ms, req.min_prompts, req.merger === 'local' || this.#key.source === 'none' ? 'local' : 'gemini');
    // As the real host: started with sharing off, it records no starting point, and cannot share in this run.
    this.#cannotShare = this.#level === 'off';
    if (this.#cannotShare) s.party.cannot_share = true;
    if (this.#opts.teammates) this.#scriptTeammates();
    return s;
  }

  #joinCancelled = false;

  async CancelJoin(): Promise<void> {
    this.#joinCancelled = true;
  }

  async JoinParty(invite: string, name: string): Promise<Session> {
    const bad = checkInvite(invite);
    if (bad) throw new Error(bad);
    const status = (attempt: number, error = '') =>
      this.#emit('party:status', { status: 'connecting', attempt, error, retry_ms: 800 });
    this.#joinCancelled = false;
    status(1);
    await this.#sleep(700);
    if (this.#joinCancelled) throw new Error('You cancelled the join.');
    if (/unreach/i.test(invite)) {
      status(2, 'connection refused');
      await this.#sleep(800);
      throw new Error('Could not reach 192.168.1.20:8765: connection refused. Is the party still running, and is the port open?');
    }
    if (/mismatch/i.test(invite)) {
      throw new Error('The host\'s certificate does not match the invite (fingerprint mismatch). Ask the host for a fresh invite; do not join if you did not expect this.');
    }
    if (/refused/i.test(invite)) throw new Error('The host refused the invite token. The party may have ended or the link may be old.');
    const link = normalizeLink(invite.trim());
    const role = link === DEMO_VIEWER_INVITE ? 'viewer' : link === DEMO_HOST_INVITE ? 'host' : 'participant';
    const you: Member = { id: 'm-you', name, role };
    this.#level = this.#opts.share || 'changes';
    const s = this.#start(you, 'participant', this.#opts.host || 'dana', 3000, 1, 'gemini');
    if (this.#opts.insecure) s.invite = DEMO_INVITE.replace(/\?fp=.*$/, '');
    // As the real host's hello says to every member: started with sharing off, dana's party cannot share.
    this.#cannotShare = this.#level === 'off';
    if (this.#cannotShare) s.party.cannot_share = true;
    if (this.#opts.teammates) this.#scriptTeammates();
    // As Go's client: "connected" once the hello is in, before JoinParty returns. Without it
    // the window kept the join's last "connecting" (newer than the session) and a joined demo
    // said "Connecting… (attempt 1)" for good.
    this.#emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
    return s;
  }

  async SendPrompt(text: string): Promise<PromptAck> {
    if (!this.#session) throw new Error('You are not in a party.');
    if (text.trim() === '') throw new Error('A prompt cannot be empty.');
    await this.#sleep(60);
    return this.#prompt(this.#session.you.name, text);
  }

  async WithdrawPrompt(id: string): Promise<void> {
    const you = this.#session?.you;
    if (!you) throw new Error('You are not in a party.');
    await this.#sleep(60);
    const i = this.#pending.findIndex((p) => p.id === id);
    if (i < 0) throw new Error(`Prompt "${id}" is not waiting: a batch has taken it, or it was withdrawn.`);
    const p = this.#pending[i]!;
    if (p.user !== you.name && you.role !== 'host') throw new Error('Only its author or a host can withdraw a prompt.');
    this.#pending.splice(i, 1);
    this.#event({ kind: 'withdrawn', withdrawn: { prompt: id, user: p.user, by: you.name } });
    this.#schedule();
  }

  async Leave(): Promise<void> {
    this.#end();
  }
  async EndParty(): Promise<void> {
    await this.#sleep(300);
    this.#end();
  }
  async CopyInvite(): Promise<void> {
    await this.#copy(this.#session?.invite ?? '');
  }
  async CopyViewerInvite(): Promise<void> {
    await this.#copy(this.#session?.viewer_invite ?? '');
  }
  async CopyHostInvite(): Promise<void> {
    throw new Error('This party has no host invite.'); // a demo party has its host in it
  }
  async #copy(text: string): Promise<void> {
    try {
      await navigator.clipboard?.writeText(text);
    } catch {
      // A headless browser may have no clipboard; the demo pretends it worked.
    }
  }

  // --- host methods -----------------------------------------------------------

  #host(): Member {
    const you = this.#session?.you;
    if (!you) throw new Error('You are not in a party.');
    if (you.role !== 'host') throw new Error('Only a host can do this.');
    return you;
  }

  async SetApproval(on: boolean): Promise<void> {
    const by = this.#host();
    await this.#sleep(120);
    this.#opts.approve = on;
    const sent = !on && this.#held ? `; ${heldWords(this.#held)} that waited for approval is sent now` : '';
    this.#event({ kind: 'system', text: `${by.name} turned approval ${on ? 'on' : 'off'}${sent}` });
    this.#emitSettings();
    if (!on && this.#held) {
      const h = this.#held;
      this.#held = null;
      this.#send(h.id, h.prompts, h.merged);
    }
  }
  async SetPermissionMode(mode: string): Promise<void> {
    const by = this.#host();
    if (!isMode(mode)) throw new Error(`The permission mode must be ask, edits, plan or all, not "${mode}".`);
    await this.#sleep(120);
    if (this.#mode === mode) return; // as the real host: nothing changed, nothing said
    this.#mode = mode;
    const words = MODE_WORDS[mode].replace('HOST', by.name); // the demo's host is the owner
    this.#event({ kind: 'system', text: `${by.name} set tool permissions to ${mode}: ${words}` });
    this.#emitSettings();
  }
  async ApproveBatch(batch: string): Promise<void> {
    await this.#approve(batch, null);
  }
  async ApproveEditedBatch(batch: string, text: string): Promise<void> {
    if (text.trim() === '') throw new Error('The prompt is empty.');
    await this.#approve(batch, text);
  }
  async #approve(batch: string, text: string | null): Promise<void> {
    const by = this.#host();
    const h = this.#held;
    if (!h || h.id !== batch) throw new Error('That merged prompt is no longer waiting for approval: it was sent or rejected, or the host stopped and merged its prompts again.');
    await this.#sleep(150);
    this.#held = null;
    this.#emit('party:editing', { batch, editors: [] });
    const edited = text !== null && text !== h.merged;
    this.#event({ kind: 'system', text: `${by.name} ${edited ? 'edited and sent' : 'approved'} ${heldWords(h)}` });
    this.#send(h.id, h.prompts, edited ? text : h.merged);
  }
  async RejectBatch(batch: string, reason: string): Promise<void> {
    const by = this.#host();
    const h = this.#held;
    if (!h || h.id !== batch) throw new Error('That merged prompt is no longer waiting for approval: it was sent or rejected, or the host stopped and merged its prompts again.');
    await this.#sleep(150);
    this.#held = null;
    this.#emit('party:editing', { batch, editors: [] });
    this.#event({ kind: 'rejected', rejected: { batch, prompts: h.prompts.map((p) => p.id), by: by.name, reason } });
    this.#running = false;
    this.#schedule();
  }
  async StopTurn(): Promise<void> {
    const by = this.#host();
    if (!this.#turn) throw new Error('No turn is running.');
    await this.#sleep(100);
    this.#event({ kind: 'system', text: `${by.name} stopped the turn` });
    this.#finishTurn({ status: 'interrupted', error: `stopped by ${by.name}` });
  }
  async SendNow(): Promise<void> {
    const by = this.#host();
    const n = this.#pending.length;
    if (n === 0) throw new Error('No prompts are waiting to be sent.');
    await this.#sleep(100);
    const what = n === 1 ? 'the waiting prompt' : `the ${n} waiting prompts`;
    const [it, is, wait] = n === 1 ? ['it', 'is', 'waits'] : ['they', 'are', 'wait'];
    const later = this.#held
      ? `; ${it} ${n === 1 ? 'goes' : 'go'} next, once the merged prompt waiting for approval is sent or rejected`
      : this.#running && this.#opts.approve
      ? `; once the agent is free and ${it} ${is} merged, ${it} ${wait} for a host's approval`
      : this.#running
        ? `; ${it} ${n === 1 ? 'goes' : 'go'} to the agent as soon as it is free`
        : this.#opts.approve
          ? `; once merged, ${it} ${wait} for a host's approval`
          : '';
    this.#event({ kind: 'system', text: `${by.name} sent ${what} without waiting for more${later}` });
    this.#sendNow = true;
    this.#schedule();
  }
  async DecidePermission(id: string, decision: Decision, reason: string): Promise<void> {
    const by = this.#host();
    this.#decide(id, decision, reason, by.name);
  }
  async RevokeAlways(tool: string): Promise<void> {
    const by = this.#host();
    if (!this.#always.has(tool)) throw new Error(`${tool} is not always allowed.`);
    await this.#sleep(120);
    this.#always.delete(tool);
    this.#emitSettings(); // first, as the real host does
    this.#event({ kind: 'system', text: `${by.name} made ${tool} ask again: it is no longer always allowed` });
  }
  /** A settings event with the demo party's settings as they are. */
  #emitSettings(): void {
    this.#event({ kind: 'settings', approval: this.#opts.approve, permission_mode: this.#mode, workspace: this.#level, always: [...this.#always].sort() });
  }
  #decide(id: string, decision: Decision, reason: string, by: string): void {
    const a = this.#asking?.id === id ? this.#asking : this.#more.get(id);
    if (!a) throw new Error(`No tool request "${id}" is waiting for a decision.`);
    const status = decision === 'deny' ? 'denied' : 'allowed';
    if (status === 'denied') this.#denied++;
    if (this.#asking?.id === id) {
      this.#resumeLater = this.#asking.resume;
      this.#asking = null;
      if (status === 'denied') this.#denial = `${by} (a host of this party) denied this tool use.${reason ? ` Reason: ${reason}` : ''}`;
    } else {
      this.#more.delete(id);
    }
    this.#event({ kind: 'permission', permission: { id, tool: a.tool, summary: a.summary, batch: a.batch, status, by, reason: decision === 'always' ? `always allow ${a.tool}` : reason } });
    if (decision === 'always') {
      this.#always.add(a.tool);
      this.#emitSettings();
    }
    this.#goOn();
  }
  /** The turn goes on once every request asked at once is decided. */
  #goOn(): void {
    if (this.#asking !== null || this.#more.size > 0) return;
    const resume = this.#resumeLater;
    this.#resumeLater = null;
    this.#setPhase('running');
    resume?.();
  }
  async SetRole(member: string, role: string): Promise<void> {
    const by = this.#host();
    const m = this.#members.find((x) => x.id === member);
    if (!m) throw new Error(`No member "${member}".`);
    await this.#sleep(120);
    m.role = role as Member['role'];
    this.#event({ kind: 'participants', changed: { ...m }, count: this.#members.length });
    this.#event({ kind: 'system', text: `${by.name} made ${m.name} ${role === 'host' ? 'a co-host' : role === 'viewer' ? 'a viewer' : 'a participant'}` });
  }
  async Kick(member: string, reason: string): Promise<void> {
    const by = this.#host();
    const m = this.#members.find((x) => x.id === member);
    if (!m) throw new Error(`No member "${member}".`);
    await this.#sleep(120);
    this.#members = this.#members.filter((x) => x.id !== member);
    this.#event({ kind: 'system', text: `${by.name} removed ${m.name} from the party${reason ? `: ${reason}` : ''}` });
    this.#event({ kind: 'participants', left: m, count: this.#members.length, why: 'kicked' });
  }
  async NewInvites(): Promise<Invites> {
    const by = this.#host();
    await this.#sleep(150);
    const tok = () => Array.from({ length: 24 }, () => 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'[Math.floor(Math.random() * 56)]).join('');
    const inv: Invites = {
      invite: DEMO_INVITE.replace(/\/[^/?]+\?/, `/${tok()}?`),
      viewer_invite: DEMO_VIEWER_INVITE.replace(/\/[^/?]+\?/, `/${tok()}?`),
    };
    if (this.#session) this.#session = { ...this.#session, invite: inv.invite, viewer_invite: inv.viewer_invite };
    this.#event({ kind: 'system', text: `${by.name} made new invites; the earlier links let nobody new in` });
    this.#emit('party:invites', inv);
    return inv;
  }
  async AgentCommand(command: string): Promise<void> {
    const by = this.#host();
    if (!command.startsWith('/') || command.length < 2) throw new Error('An agent command starts with / (for example /compact).');
    await this.#sleep(120);
    this.#event({ kind: 'system', text: `${by.name} ran the agent command ${command}` });
    const id = `b${++this.#ids}`;
    this.#event({ kind: 'batch', batch: { id, prompts: [], merged: command, merger: 'command' } });
    this.#after(700, () => this.#event({ kind: 'turn', turn: { batch: id, status: 'done', duration_ms: 700 } }));
  }
  async Notify(): Promise<void> {}

  // --- recent parties (PROTOCOL.md §8) ----------------------------------------

  #recent: RecentParty[] = demoRecent();
  /** The party resumed here: running while the window is in it. */
  #resumed = '';
  /** Parties resumed here: what they left unanswered was taken up. */
  readonly #takenUp = new Set<string>();

  async RecentParties(): Promise<RecentParty[]> {
    return this.#recent.map((p) => ({ ...p, state: p.id === this.#resumed && this.#session ? 'running' : p.state }));
  }

  async ResumeUnanswered(id: string): Promise<Unanswered> {
    if (!this.#recent.some((x) => x.id === id)) throw new Error('This party is no longer in the data directory.');
    // Taken up by its one resume: resumed and left, it ended cleanly with nothing left over.
    return (!this.#takenUp.has(id) && DEMO_UNANSWERED[id]) || { text: '', prompts: [] };
  }

  async ForgetParty(id: string): Promise<void> {
    const p = this.#recent.find((x) => x.id === id);
    if (!p) throw new Error('This party is no longer in the data directory.');
    if (p.state === 'running' || (id === this.#resumed && this.#session)) throw new Error('This party is running, in this window or another Concordia: end it first, then forget it.');
    this.#recent = this.#recent.filter((x) => x.id !== id);
  }

  async ExportParty(id: string): Promise<string> {
    if (!this.#recent.some((x) => x.id === id)) throw new Error('This party is no longer in the data directory.');
    await this.#sleep(300);
    return `/home/ann/concordia-ann-${id}.md`;
  }

  async ResumeParty(id: string, shareAtMost: WorkspaceLevel | '', without: boolean, _askedAt = 0): Promise<Session> {
    const p = this.#recent.find((x) => x.id === id);
    if (!p) throw new Error('This party is no longer in the data directory.');
    if (p.state === 'running' || (p.id === this.#resumed && this.#session)) {
      throw new Error('This party is running already, in another Concordia window or terminal. Join it with its invite, or stop it there first.');
    }
    const st = this.#settings;
    const rank = { off: 0, changes: 1, tree: 2 };
    const level = shareAtMost && rank[shareAtMost] < rank[p.workspace] ? shareAtMost : p.workspace; // as Go caps it
    const s = await this.CreateParty({
      name: p.host, workdir: p.workdir, window_ms: st.window_ms, min_prompts: st.min_prompts, merger: st.merger,
      claude_path: st.claude_path, permission_mode: st.permission_mode, claude_args: st.claude_args, approve: st.approve,
      share_workspace: level,
    });
    this.#resumed = id;
    if (DEMO_UNANSWERED[id] && !this.#takenUp.has(id)) {
      // As the host says it (party.resumed): taken up, or left behind.
      this.#event({ kind: 'system', text: without ? 'the party was resumed: its host chose not to take up what was left unanswered' : 'the party was resumed: what was left unanswered is taken up again' });
    }
    this.#takenUp.add(id);
    p.workspace = level;
    p.state = 'ended'; // when the window leaves it, it ended cleanly
    return { ...s, party: { ...s.party, id } };
  }

  // --- the workspace ----------------------------------------------------------

  #shared(level: WorkspaceLevel): void {
    if (!this.#session) throw new Error('You are not in a party.');
    if (this.#level === 'off') throw new Error('The host does not share the working directory.');
    if (level === 'tree' && this.#level !== 'tree') throw new Error('The host shares the changes, not the whole folder.');
  }
  async Changes(): Promise<ChangesResult> {
    this.#shared('changes');
    await this.#sleep(80);
    return { files: [...this.#files], base: 'the working directory as it was when the party began', ...(this.#secrets > 0 ? { hidden: this.#secrets } : {}) };
  }
  async Diff(path: string): Promise<FileDiff> {
    this.#shared('changes');
    await this.#sleep(150);
    const d = DEMO_CHANGES[path];
    if (!d || !this.#files.some((f) => f.path === path)) throw new Error(`${path} has no changes since the party began.`);
    return { path, diff: d.diff, truncated: false, binary: Boolean(d.binary) };
  }
  async Tree(path: string): Promise<TreeResult> {
    this.#shared('tree');
    await this.#sleep(120);
    const entries = DEMO_TREE[path];
    if (!entries) throw new Error(`No such file: ${path}.`);
    return { entries };
  }
  async SetWorkspace(level: string): Promise<void> {
    const by = this.#host();
    if (level !== 'off' && level !== 'changes' && level !== 'tree') throw new Error(`Share off, changes or tree, not "${level}".`);
    if (this.#cannotShare && level !== 'off') throw new Error('The working directory cannot be shared in this run of the party: this run was started with sharing off.');
    await this.#sleep(120);
    this.#level = level;
    const words = { off: 'stopped sharing the working directory', changes: 'now shares the changed files and their diffs (never .env and other secrets)', tree: 'now shares the whole working directory, secrets included (ignored files never)' };
    this.#event({ kind: 'system', text: `${by.name} ${words[level]}` });
    this.#emitSettings();
    this.#changesEvent();
  }
  async SaveTranscript(): Promise<string> {
    await this.#sleep(300);
    return '/home/ann/concordia-ann-demo.md';
  }
  async DismissParty(): Promise<void> {}
  async DismissNote(): Promise<void> {}

  /** The scripted agent changed a file: the whole list goes out as a changes event. */
  #touch(path: string): void {
    const d = DEMO_CHANGES[path];
    if (!d || !this.#session) return;
    this.#files = [...this.#files.filter((f) => f.path !== path), d.change].sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
    this.#changesEvent();
  }

  /** The scripted agent changed .env: the host counts it and shows it to nobody. */
  #touchSecret(): void {
    if (!this.#session) return;
    this.#secrets = 1;
    this.#changesEvent();
  }

  #changesEvent(): void {
    if (this.#level !== 'off') this.#event({ kind: 'changes', files: [...this.#files], ...(this.#secrets > 0 ? { hidden: this.#secrets } : {}) });
  }

  /**
   * Emits one event as the host would (the next seq, now): for the performance harness
   * (frontend/e2e/perf.mjs), which appends thousands of events to a big transcript.
   */
  inject(e: Omit<PartyEvent, 'seq' | 'ts'>): PartyEvent {
    return this.#event(e);
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
    this.#files = demoManyFiles(this.#opts.files);
    this.#secrets = 0;
    const hostMember: Member = role === 'host' ? you : { id: 'm-host', name: host, role: 'host' };
    this.#members = role === 'host' ? [you] : [hostMember, you];
    this.#event({ kind: 'system', text: 'claude started (Claude Code 2.1.197)' }, true);
    if (this.#opts.history) this.#seedHistory(hostMember.name);
    if (this.#opts.lostEnd) this.#seedLostEnd(hostMember.name);
    if (this.#opts.bench > 0) for (const e of benchEvents(this.#opts.bench, this.#ids, this.#opts.benchLong)) this.#event(e, true);
    // A member's own join is in the history its hello brings, as the real host's is.
    if (role !== 'host') this.#event({ kind: 'participants', joined: you, count: this.#members.length }, true);
    const session: Session = {
      role,
      you,
      party: { id: 'p-demo', host, window_ms: windowMs || 3000, min_prompts: minPrompts || 1, merger, agent: 'claude-code' },
      invite: DEMO_INVITE,
      viewer_invite: role === 'host' ? DEMO_VIEWER_INVITE : '',
      state: this.#state(),
    };
    session.party.approval = this.#opts.approve;
    this.#mode = this.#opts.plan ? 'plan' : this.#opts.ask ? 'ask' : 'edits';
    session.party.permission_mode = this.#mode;
    session.party.workspace = this.#level;
    session.party.always = [...this.#always].sort();
    session.party.permission_timeout_ms = this.#permissionTimeout; // as the real host's hello says it
    this.#session = session;
    if (this.#opts.reconnect) this.#scriptReconnect();
    return session;
  }

  #seedHistory(host: string): void {
    const p: Prompt = { id: `p${++this.#ids}`, user: host, text: 'Give me a one-paragraph overview of this repository.' };
    this.#event({ kind: 'prompt', prompt: p }, true);
    this.#event({ kind: 'batch', batch: { id: `b${this.#ids}`, prompts: [p.id], merged: asText(p.text), merger: 'local' } }, true);
    this.#event({ kind: 'output', stream: 'tool', text: 'Read README.md (118 lines)' }, true);
    this.#event({ kind: 'output', stream: 'tool', text: 'Glob internal/**/*.go — 23 files' }, true);
    this.#event({
      kind: 'output',
      stream: 'assistant',
      text: '**Concordia** lets a small team steer one Claude Code session. The host batches prompts, merges them (Gemini or a local merger) and streams the agent\'s output to everyone over JSON-RPC on a WebSocket. Business logic lives in `internal/` — `party`, `merge`, `agent`, `client` — and `app/` binds it to this window.',
    }, true);
    this.#event({ kind: 'turn', turn: { batch: `b${this.#ids}`, status: 'done', duration_ms: 8420 } }, true);
  }

  /** A turn the journal ended in, then the resume's notice (as internal/party/resume.go says it). */
  #seedLostEnd(host: string): void {
    const p: Prompt = { id: `p${++this.#ids}`, user: host, text: 'Regenerate the fixtures under testdata/.' };
    this.#event({ kind: 'prompt', prompt: p }, true);
    this.#event({ kind: 'batch', batch: { id: `b${this.#ids}`, prompts: [p.id], merged: asText(p.text), merger: 'local' } }, true);
    this.#event({ kind: 'output', stream: 'tool', text: 'Bash: go test ./... -update' }, true);
    this.#event({ kind: 'output', stream: 'assistant', text: 'Regenerating the fixtures: the first 40 of 212 are' }, true);
    this.#event({ kind: 'error', text: "the party's journal cannot be written (write journal: no space left on device); the party goes on and keeps what the journal lacks in memory, trying again" }, true);
    this.#seq += 4096;
    this.#event({ kind: 'system', text: `${LOST_END} (was the disk full?), so what members saw after 2026-12-06 23:12 UTC is not in its history, and nothing from before is run again: prompts sent since and not answered are not queued, send them again; the request that was running then, “Regenerate the fixtures under testdata/.”, is not sent again, as it may have finished since` }, true);
  }

  /** The second teammate's flapping connection (flaps), once: lost and back every 150 ms. */
  #flap(): void {
    const n = this.#opts.flaps;
    this.#opts.flaps = 0;
    const m = this.#members.find((x) => x.name === this.#opts.names[1]);
    if (!m) return;
    for (let k = 0; k < n; k++) {
      this.#after(300 + 300 * k, () => {
        this.#members = this.#members.filter((x) => x.id !== m.id);
        this.#event({ kind: 'participants', left: m, count: this.#members.length, why: WHY_LOST, text: `${m.name} lost the connection: it broke off without leaving the party` });
      });
      this.#after(450 + 300 * k, () => {
        this.#members.push(m);
        this.#event({ kind: 'participants', joined: m, count: this.#members.length });
      });
    }
  }

  #scriptTeammates(): void {
    const [b, c] = this.#opts.names;
    const bob: Member = { id: 'm-bob', name: b, role: 'participant' };
    const carol: Member = { id: 'm-carol', name: c, role: 'participant' };
    this.#after(500, () => this.#join(bob));
    this.#after(900, () => this.#join(carol));
    this.#after(1300, () => this.#prompt(b, 'Add a --json flag to `concordia version`.'));
    this.#after(1900, () => this.#prompt(c, 'And please make sure the version command has a table test.'));
    this.#after(6500, () => this.#prompt(b, 'After that: does the batching window always close?'));
    if (this.#opts.away) {
      // carol's connection drops and she stays away (People lists her under Away for a host).
      this.#after(2600, () => {
        this.#members = this.#members.filter((x) => x.id !== carol.id);
        this.#event({ kind: 'participants', left: carol, count: this.#members.length, why: WHY_LOST, text: `${c} lost the connection: nothing came through it for a while` });
      });
    }
  }

  async RetryNow(): Promise<void> {
    // The scripted host comes back on the next try.
    this.#emit('party:status', { status: 'connected', attempt: 0, error: '', retry_ms: 0 });
    this.#emit('party:state', this.#state());
  }

  #scriptReconnect(): void {
    this.#after(1200, () => this.#emit('party:status', { status: 'reconnecting', attempt: 1, error: 'connection reset by peer', retry_ms: 1000 }));
    this.#after(2400, () => this.#emit('party:status', { status: 'reconnecting', attempt: 2, error: 'connection refused', retry_ms: 2000 }));
    this.#after(9000, () => {
      // The host saw this member go and come back: its state's history says so.
      const you = this.#session?.you;
      if (you && this.#session?.role !== 'host') {
        this.#event({ kind: 'participants', left: you, count: this.#members.length - 1 }, true);
        this.#event({ kind: 'participants', joined: you, count: this.#members.length }, true);
      }
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
    if (this.#sendNow) {
      this.#sendNow = false;
      this.#runBatch();
      return;
    }
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
    const id = `b${++this.#ids}`;
    this.#after(600, () => {
      if (!this.#session) return;
      if (this.#opts.approve) {
        this.#held = { id, prompts, merged };
        this.#setPhase('awaiting_approval');
        this.#event({ kind: 'approval', approval: { batch: id, prompts: prompts.map((p) => p.id), merged, merger: this.#session.party.merger } });
        if (this.#opts.coediting) this.#coEdit(id);
        // A joined window watches a scripted host decide.
        if (this.#session.you.role !== 'host') this.#after(3500, () => void this.#asHost(() => this.#approve(id, null)));
        return;
      }
      this.#send(id, prompts, merged);
    });
  }

  /** The first teammate, made a co-host, opens "Edit and send…" on the held batch id. */
  #coEdit(id: string): void {
    const gus = this.#members.find((m) => m.name === this.#opts.names[0]);
    if (!gus) return;
    if (gus.role !== 'host') {
      gus.role = 'host';
      this.#event({ kind: 'participants', changed: { ...gus }, count: this.#members.length });
    }
    this.#after(300, () => {
      if (this.#held?.id === id) this.#emit('party:editing', { batch: id, editors: [{ ...gus }] });
    });
  }

  /** As the real host: the other hosts are told; a batch that does not wait is refused. */
  async EditingBatch(batch: string, editing: boolean): Promise<void> {
    const h = this.#held;
    if (!h || h.id !== batch) throw new Error('That merged prompt is no longer waiting for approval.');
    void editing; // the demo has no other window to tell
  }

  /** Runs a host method as the demo's own host (when this window joined). */
  async #asHost(f: () => Promise<void>): Promise<void> {
    const s = this.#session;
    if (!s) return;
    const you = s.you;
    this.#session = { ...s, you: { id: 'm-host', name: s.party.host, role: 'host' } };
    try {
      await f();
    } finally {
      if (this.#session) this.#session = { ...this.#session, you };
    }
  }

  #denied = 0;

  /** Sends a batch to the agent and plays a scripted reply. */
  #send(id: string, prompts: Prompt[], text: string): void {
    if (!this.#session) return;
    this.#event({ kind: 'batch', batch: { id, prompts: prompts.map((p) => p.id), merged: asText(text), merger: this.#session.party.merger } });
    this.#setPhase('running');
    this.#turn = { id, started: Date.now() };
    this.#denied = 0;
    this.#denial = null;
    if (/\bDEMO_CRASH\b/.test(text)) {
      // The agent dies twice, as the real host reports it (a failed turn, for the browser tests).
      const why = 'claude exited (signal: killed); stderr: FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory';
      this.#turnAfter(400, () => this.#event({ kind: 'output', stream: 'assistant', text: 'Starting on it' }));
      this.#turnAfter(800, () => {
        this.#event({ kind: 'error', text: `claude stopped unexpectedly: ${why}` });
        this.#event({ kind: 'retry', batch: id });
        this.#event({ kind: 'system', text: 'restarting claude and retrying the batch' });
      });
      this.#turnAfter(1400, () => this.#finishTurn({ status: 'error', error: `claude failed twice: ${why}; the turn did not finish: send the prompts again to try once more` }));
      return;
    }
    const script = REPLIES[this.#replyNo++ % REPLIES.length]!;
    const steps: Array<() => void> = [];
    let asked = false;
    // Plan mode: the agent plans first and asks to leave plan mode with its plan (Markdown).
    if (this.#mode === 'plan') steps.push(() => this.#ask(id, EXIT_PLAN_TOOL, DEMO_PLAN_SUMMARY, DEMO_PLAN));
    for (const [stream, piece] of script) {
      if (stream === 'assistant') {
        // Stream in small pieces, as the agent writes.
        for (let i = 0; i < piece.length; i += 14) {
          const part = piece.slice(i, i + 14);
          steps.push(() => this.#event({ kind: 'output', stream, text: part }));
        }
      } else {
        const m = /^(Bash|Edit|Write): (.*)$/.exec(piece);
        if (m && this.#mode === 'ask' && !asked) {
          asked = true;
          steps.push(() => this.#ask(id, m[1]!, m[2]!));
        }
        steps.push(() => {
          const text = this.#resultOf(stream, piece);
          if (text !== null) this.#event({ kind: 'output', stream, text });
        });
        const touched = /^(?:Edit|Write) (\S+)/.exec(piece)?.[1];
        if (touched) steps.push(() => this.#touch(touched));
        if (piece.startsWith('Bash: rg')) {
          steps.push(() => this.#touch('internal/party/batch.go'));
          steps.push(() => this.#touch('docs/notes.md'));
          steps.push(() => this.#touch('assets/logo.png'));
          steps.push(() => this.#touchSecret()); // .env: counted, never shown
        }
      }
    }
    this.#play(steps, 0);
  }

  /**
   * A tool's result line, or the denial of its request as the real host marks it; null for
   * the tool's own output after a denial (the tool never ran).
   */
  #resultOf(stream: string, piece: string): string | null {
    if (stream === 'tool_output' && this.#deniedOutput) return null;
    this.#deniedOutput = false;
    const d = this.#denial;
    if (d === null || !piece.startsWith('->')) return piece;
    this.#denial = null;
    this.#deniedOutput = true;
    return `-> (denied) ${d}`;
  }
  /** The last tool result was a denial: the tool output the script has after it is not sent. */
  #deniedOutput = false;

  /** Plays steps one after another; a step that asks pauses until the decision. */
  #play(steps: Array<() => void>, from: number): void {
    if (from >= steps.length) {
      this.#turnAfter(300, () => this.#finishTurn({ status: 'done' }));
      return;
    }
    this.#turnAfter(from === 0 ? 300 : 40, () => {
      steps[from]!();
      if (this.#asking) {
        const a = this.#asking;
        a.resume = () => this.#play(steps, from + 1);
        return;
      }
      this.#play(steps, from + 1);
    });
  }

  #ask(batch: string, tool: string, summary: string, plan?: string): void {
    if (this.#always.has(tool)) {
      // Allowed for the rest of the party: no question, and said as the real host says it.
      const by = this.#session?.party.host ?? '';
      this.#event({ kind: 'permission', permission: { id: `t${++this.#ids}`, tool, summary, batch, status: 'allowed', by, reason: `always allow ${tool}` } });
      return;
    }
    const id = `t${++this.#ids}`;
    this.#asking = { id, tool, summary, batch, resume: () => {} };
    const timeout = this.#permissionTimeout; // the host's (Create party's, or --permission-timeout)
    // What a host reads beyond the summary (PROTOCOL.md §7, detail): a Bash command's
    // description, an edit's lines.
    const detail = plan !== undefined ? plan : tool === 'Bash'
      ? summary.startsWith('go test') ? 'Run the tests of the changed package' : summary.startsWith('rg') ? 'Find where the batching window is set' : undefined
      : tool === 'Edit' ? '- const window = 40 * time.Millisecond\n+ const window = 80 * time.Millisecond' : undefined;
    const expires = new Date(Date.now() + timeout).toISOString();
    this.#event({ kind: 'permission', permission: { id, tool, summary, batch, status: 'pending', expires, ...(detail ? { detail } : {}) } });
    // Asked with it at once (parallel tool calls), each with a card of its own.
    const withIt: string[] = [];
    for (let k = 1; k < (this.#opts.asks ?? 1); k++) {
      const more = { tool: 'Bash', summary: PARALLEL_ASKS[(k - 1) % PARALLEL_ASKS.length]!, batch };
      const mid = `t${++this.#ids}`;
      this.#more.set(mid, more);
      withIt.push(mid);
      this.#event({ kind: 'permission', permission: { id: mid, ...more, status: 'pending', expires, detail: 'What the agent says it does: look around before the change' } });
    }
    this.#setPhase('awaiting_permission');
    this.#flap();
    const within = `no decision within ${goDuration(timeout)}`; // as the host says it
    this.#after(timeout, () => {
      const a = this.#asking;
      let any = false;
      if (a?.id === id) {
        any = true;
        this.#asking = null;
        this.#resumeLater = a.resume;
        this.#denied++;
        this.#denial = `Nobody decided on this tool use in time (${within}), so it was denied. Do not retry it unless asked.`;
        this.#event({ kind: 'permission', permission: { id, tool, summary, batch, status: 'timed_out', reason: within } });
      }
      for (const mid of withIt) {
        const m = this.#more.get(mid);
        if (!m) continue;
        any = true;
        this.#more.delete(mid);
        this.#denied++;
        this.#event({ kind: 'permission', permission: { id: mid, ...m, status: 'timed_out', reason: within } });
      }
      if (any) this.#goOn();
    });
    if (this.#session && this.#session.you.role !== 'host') {
      // The host (someone else here) decides each request asked with it too.
      [id, ...withIt].forEach((x, k) =>
        this.#after(3000 + 500 * k, () => {
          if (this.#asking?.id === x || this.#more.has(x)) this.#decide(x, 'allow', '', this.#session?.party.host ?? 'host');
        }),
      );
    }
  }

  #turnAfter(ms: number, fn: () => void): void {
    const t = this.#after(ms, () => {
      this.#turnTimers.delete(t);
      fn();
    });
    this.#turnTimers.add(t);
  }

  #finishTurn(end: { status: string; error?: string }): void {
    const t = this.#turn;
    if (!t) return;
    for (const x of this.#turnTimers) {
      clearTimeout(x);
      this.#timers.delete(x);
    }
    this.#turnTimers.clear();
    if (this.#asking) {
      const a = this.#asking;
      this.#asking = null;
      this.#denied++;
      this.#event({ kind: 'permission', permission: { id: a.id, tool: a.tool, summary: a.summary, batch: a.batch, status: 'denied', reason: 'the turn ended before a decision' } });
    }
    for (const [mid, m] of this.#more) {
      this.#denied++;
      this.#event({ kind: 'permission', permission: { id: mid, ...m, status: 'denied', reason: 'the turn ended before a decision' } });
    }
    this.#more.clear();
    this.#resumeLater = null;
    this.#turn = null;
    this.#event({ kind: 'turn', turn: { batch: t.id, status: end.status, duration_ms: Date.now() - t.started, error: end.error, denied: this.#denied || undefined } });
    this.#running = false;
    this.#schedule();
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
 * every kind of message; the real one is Go's. A link is read as Go reads it
 * (normalizeLink): a query written %3Ffp%3D, one "/" after it.
 */
export function checkInvite(raw: string): string {
  const text = normalizeLink(raw.trim());
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

/** A turn's reply, as the agent streams it: Markdown with a list and a code block. */
const BENCH_REPLY =
  'I looked at the handler and the tests. Here is what changes:\n\n' +
  '- the window closes after `3 × window` at the latest\n- an empty batch is never cut\n- **both** cases get a named test\n\n' +
  '```go\nfunc due(first, last time.Time, w time.Duration) time.Time {\n\tif d := first.Add(3 * w); d.Before(last.Add(w)) {\n\t\treturn d\n\t}\n\treturn last.Add(w)\n}\n```\n\n' +
  'All tests pass; `go vet` is clean.';

/**
 * Generated party history for the window at scale: n events of whole turns (a prompt, its
 * batch, tool steps, the reply in 24-character deltas, the turn's end), ids from idBase.
 * long: each reply 40 lines of a report, each line a delta (a tester's party of
 * FAKE_STREAM=40:5:200 turns, far taller than the window's estimate of an item).
 */
export function benchEvents(n: number, idBase = 0, long = false): Array<Omit<PartyEvent, 'seq' | 'ts'>> {
  const out: Array<Omit<PartyEvent, 'seq' | 'ts'>> = [];
  const users = ['ann', 'bob', 'carol'];
  for (let t = 0; out.length < n; t++) {
    const id = `bench${idBase}-${t}`;
    const p: Prompt = { id: `p-${id}`, user: users[t % users.length]!, text: `Turn ${t}: make the batching window always close, and test it.` };
    out.push({ kind: 'prompt', prompt: p });
    out.push({ kind: 'batch', batch: { id: `b-${id}`, prompts: [p.id], merged: asText(p.text), merger: 'local' } });
    out.push({ kind: 'output', stream: 'tool', text: 'Read internal/party/batch.go (212 lines)\n' });
    if (long) for (let i = 1; i <= 40; i++) out.push({ kind: 'output', stream: 'assistant', text: `[piece ${i}/40] section ${t} of the long report ${'.'.repeat(150)}\n\n` });
    else for (let i = 0; i < BENCH_REPLY.length; i += 24) out.push({ kind: 'output', stream: 'assistant', text: BENCH_REPLY.slice(i, i + 24) });
    out.push({ kind: 'output', stream: 'tool', text: 'Bash: go test ./internal/party/...\n' });
    out.push({ kind: 'turn', turn: { batch: `b-${id}`, status: 'done', duration_ms: 4200 } });
  }
  return out.slice(0, n);
}

/** A duration as Go's time.Duration prints one of whole seconds: "15s", "2m0s", "1h30m0s". */
function goDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return `${h}h${m}m${sec}s`;
  if (m > 0) return `${m}m${sec}s`;
  return `${sec}s`;
}
