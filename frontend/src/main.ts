// Entry point: picks the backend (Wails, or the in-memory demo with ?demo=1),
// starts the one AppState and mounts the root component.

import './global.css';
import './components/app-root';
import { AppState } from './state/app-state';
import { WailsBackend, type Backend } from './state/backend';

const params = new URLSearchParams(location.search);

async function makeBackend(): Promise<Backend> {
  if (!params.has('demo')) return new WailsBackend();
  // The demo is a separate chunk, fetched only when asked for.
  const { DemoBackend } = await import('./state/demo-backend');
  return new DemoBackend({
    reconnect: params.has('reconnect'),
    clipboard: params.get('clipboard') !== '0',
    teammates: params.get('teammates') !== '0',
    names: demoNames(params.get('names')),
    away: params.has('away'),
    history: params.get('history') !== '0',
    slow: Number(params.get('slow') ?? '1') || 1,
    noKeyring: params.get('keyring') === '0',
    approve: params.has('approve'),
    coediting: params.has('coediting'),
    ask: params.has('ask'),
    bench: Number(params.get('bench') ?? '0') || 0,
    benchLong: params.has('benchlong'),
    share: (params.get('share') ?? '') as 'off' | 'changes' | 'tree' | '',
    files: Number(params.get('files') ?? '0') || 0,
    lostEnd: params.has('lostend'),
    asks: Number(params.get('asks') ?? '1') || 1,
    plan: params.has('plan'),
    host: params.get('host') ?? '',
    insecure: params.has('insecure'),
    flaps: Number(params.get('flaps') ?? '0') || 0,
  });
}

/** Demo only: `?names=a,b` names the two scripted teammates (bob and carol otherwise). */
function demoNames(v: string | null): readonly [string, string] | undefined {
  const [a, b] = (v ?? '').split(',');
  return a && b ? [a, b] : undefined;
}

/** Demo only: jump straight to a screen, for screenshots and browser tests. */
async function demoScreen(state: AppState): Promise<void> {
  const settings = state.settings;
  switch (params.get('screen')) {
    case 'party':
      if (settings) {
        await state.createParty({
          // ?me=NAME: the host's display name (the party is "NAME's party"), for a long one.
          name: params.get('me') || settings.name,
          workdir: settings.workdir,
          window_ms: settings.window_ms,
          min_prompts: Number(params.get('min') ?? '') || settings.min_prompts,
          merger: settings.merger,
          claude_path: settings.claude_path,
          permission_mode: params.has('plan') ? 'plan' : params.has('ask') ? 'ask' : settings.permission_mode,
          claude_args: settings.claude_args,
          approve: params.has('approve') || settings.approve,
        });
      }
      break;
    case 'join':
      await state.openJoin(params.get('invite') ?? undefined);
      break;
    case 'joined':
      // Joined as a participant (or a viewer with ?viewer, a co-host with ?cohost): the demo host decides.
      {
        const { DEMO_INVITE, DEMO_VIEWER_INVITE, DEMO_HOST_INVITE } = await import('./state/demo-backend');
        await state.openJoin(params.has('viewer') ? DEMO_VIEWER_INVITE : params.has('cohost') ? DEMO_HOST_INVITE : DEMO_INVITE);
      }
      // ?me=NAME: the name joined as (a long one).
      if (params.get('me')) state.setJoinName(params.get('me')!);
      await new Promise((r) => setTimeout(r, 400));
      await state.submitJoin();
      break;
    case 'settings':
      state.openSettings();
      break;
  }
}

// A file dropped on the window must not navigate it away.
for (const type of ['dragover', 'drop'] as const) window.addEventListener(type, (e) => e.preventDefault());

async function main(): Promise<void> {
  const backend = await makeBackend();
  const state = new AppState(backend);
  // The demo's backend, for the performance harness (e2e/perf.mjs) to append events.
  if (params.has('demo')) {
    const { benchEvents } = await import('./state/demo-backend');
    Object.assign(window, { concordiaDemo: backend, concordiaDemoBench: (n: number) => benchEvents(n, 1_000_000) });
  }
  const root = document.querySelector('concordia-app');
  if (root) root.state = state;
  window.addEventListener('pagehide', () => state.dispose());
  await state.start();
  if (params.has('demo')) {
    await demoScreen(state);
    const say = params.get('say');
    if (say) setTimeout(() => void state.sendPrompt(say), Number(params.get('sayAt') ?? '0'));
  }
}

void main();
