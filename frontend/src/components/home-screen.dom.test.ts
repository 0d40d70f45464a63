// @vitest-environment jsdom
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { AppState } from '../state/app-state';
import { FakeBackend } from '../state/fake-backend';
import type { RecentParty } from '../state/recent-parties';
import type { Settings } from '../state/types';
import './home-screen';
import { SETTLE_MS } from './settle';

/** Create reads the form once the typing has settled (SETTLE_MS): lets that pass. */
const settled = () => new Promise((r) => setTimeout(r, SETTLE_MS + 30));

type Home = HTMLElement & { state?: AppState; updateComplete: Promise<boolean> };

describe('<home-screen> when Settings are saved', () => {
  it('keeps what was typed in Create party; the fields not touched take the new defaults', async () => {
    const be = new FakeBackend();
    const st = new AppState(be, { checkDelayMs: 10 });
    await st.start();
    const el = document.createElement('home-screen') as Home;
    el.state = st;
    document.body.append(el);
    await el.updateComplete;
    const input = (id: string) => el.shadowRoot!.querySelector<HTMLInputElement>(`[data-testid=${id}]`)!;
    const type = async (id: string, value: string) => {
      input(id).value = value;
      input(id).dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
      await el.updateComplete;
    };
    await type('home-name', 'Alice');
    await type('home-workdir', '/tmp/x/proj');

    // Settings: only the listen address and the batching window changed.
    const saved: Settings = { ...st.settings!, listen: '127.0.0.1:9999', window_ms: 5000 };
    expect(await st.saveSettings(saved)).toBe(true);
    await el.updateComplete;
    expect(input('home-name').value).toBe('Alice');
    expect(input('home-workdir').value).toBe('/tmp/x/proj');
    expect(el.shadowRoot!.querySelector('[data-testid=home-workdir-warning]')).toBeNull();
    expect(input('home-window').value).toBe('5'); // not touched: the new default
    // A text field with a decimal keyboard, not a number field: that emptied itself on what
    // it could not read yet ("1e", "1,"), and the render wrote the empty value back over
    // what was typed (a reviewer's and a user tester's "1,5" became 5). Its bounds (Go's,
    // 0.1 to 600 s) are checked on Create.
    expect([input('home-window').type, input('home-window').inputMode]).toEqual(['text', 'decimal']);

    // A field typed back to what the settings put there follows them again, as does one
    // that now has the saved value.
    await type('home-workdir', '/home/ann/src');
    expect(await st.saveSettings({ ...saved, name: 'Alice', workdir: '/srv/two' })).toBe(true);
    await el.updateComplete;
    expect(input('home-workdir').value).toBe('/srv/two');
    expect(await st.saveSettings({ ...saved, name: 'Bea', workdir: '/srv/two' })).toBe(true);
    await el.updateComplete;
    expect(input('home-name').value).toBe('Bea');
    el.remove();
    st.dispose();
  });
});

describe('<home-screen> Create party in the home folder', () => {
  it('asks first; Choose another folder goes back to the field, Create it there creates', async () => {
    const be = new FakeBackend();
    const st = new AppState(be, { checkDelayMs: 10 });
    await st.start();
    const home = st.boot!.home;
    expect(home).not.toBe('');
    const el = document.createElement('home-screen') as Home;
    el.state = st;
    document.body.append(el);
    await el.updateComplete;
    const q = (id: string) => el.shadowRoot!.querySelector<HTMLElement>(`[data-testid=${id}]`);
    const workdir = q('home-workdir') as HTMLInputElement;
    workdir.value = home;
    workdir.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    await el.updateComplete;
    const submit = async () => {
      el.shadowRoot!.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
      await settled();
      await el.updateComplete;
    };
    await submit();
    expect(be.count('CreateParty')).toBe(0);
    expect(q('home-workdir-confirm')?.textContent).toContain(home);
    q('home-workdir-cancel')!.click();
    await el.updateComplete;
    expect(q('home-workdir-confirm')).toBeNull();
    expect(be.count('CreateParty')).toBe(0);
    await submit();
    q('home-workdir-confirm-yes')!.click();
    await settled();
    expect(be.count('CreateParty')).toBe(1);
    el.remove();
    st.dispose();
  });
});

// A window tester's home at 640×480 showed only Create party: the party that had stopped
// without ending, with its Resume, was far below it. It is said at the top (shown in one
// column only), and "Show it" brings its Resume.
describe('<home-screen> a party that stopped without ending', () => {
  /** Home with these recent parties, the list loaded. */
  async function home(state: RecentParty['state']) {
    const be = new FakeBackend();
    be.handlers.RecentParties = async () => [
      { id: 'p9', host: 'ann', created: '2026-11-30T10:00:00Z', last_active: '2026-11-30T11:00:00Z', turns: 2, state, workdir: '/home/ann/src', workspace: 'changes' },
    ];
    const st = new AppState(be, { checkDelayMs: 10 });
    await st.start();
    const el = document.createElement('home-screen') as Home;
    el.state = st;
    document.body.append(el);
    await st.recent.load();
    await el.updateComplete;
    return { st, el };
  }

  it('is said at the top, and Show it focuses its Resume', async () => {
    const { st, el } = await home('not_ended_cleanly');
    const note = el.shadowRoot!.querySelector('[data-testid=home-stopped]');
    expect(note?.textContent).toContain('A party stopped without ending (in /home/ann/src)');
    el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=home-stopped-show]')!.click();
    const list = el.shadowRoot!.querySelector('recent-parties') as HTMLElement & { updateComplete: Promise<boolean> };
    await list.updateComplete;
    await new Promise((r) => setTimeout(r, 0));
    expect((list.shadowRoot!.activeElement as HTMLElement | null)?.dataset.testid).toBe('recent-resume');
    el.remove();
    st.dispose();
  });

  it('is not said of a party that ended', async () => {
    const { st, el } = await home('ended');
    expect(el.shadowRoot!.querySelector('[data-testid=home-stopped]')).toBeNull();
    el.remove();
    st.dispose();
  });
});

// A user tester's: a party hosted from the window always denied an undecided tool request
// after 2 minutes (the CLI has --permission-timeout). More options has it, in minutes, from
// the saved setting; what is typed goes to CreateParty in milliseconds, and a value out of
// Go's range is said of the field, More options opened, before anything starts.
/** A Create party form on a FakeBackend whose saved settings are over, with helpers to type and submit. */
async function home(over: Partial<Settings> = {}) {
  const be = new FakeBackend();
  const boot = be.handlers.Boot;
  be.handlers.Boot = async () => {
    const b = await boot();
    return { ...b, settings: { ...b.settings, workdir: '/tmp/x/proj', ...over } };
  };
  const st = new AppState(be, { checkDelayMs: 10 });
  await st.start();
  const el = document.createElement('home-screen') as Home;
  el.state = st;
  document.body.append(el);
  await el.updateComplete;
  const q = <T extends HTMLElement>(id: string) => el.shadowRoot!.querySelector<T>(`[data-testid=${id}]`);
  const type = async (id: string, value: string) => {
    const input = q<HTMLInputElement>(id)!;
    input.value = value;
    input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    await el.updateComplete;
  };
  const submit = async () => {
    el.shadowRoot!.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settled();
    await el.updateComplete;
  };
  return { be, st, el, q, type, submit };
}

describe('<home-screen> the tool request timeout', () => {
  it('starts from the saved setting, in minutes, and goes to CreateParty in milliseconds', async () => {
    const { be, st, el, q, type, submit } = await home({ permission_timeout_ms: 120_000 });
    const field = q<HTMLInputElement>('home-permission-timeout')!;
    expect(field.closest('details')?.dataset.testid).toBe('home-more');
    expect(field.closest('label')?.textContent).toContain('Deny an undecided tool request after (minutes)');
    expect(field.value).toBe('2');
    expect([field.type, field.inputMode]).toEqual(['text', 'decimal']);
    // A decimal comma is a decimal point (a user tester's "1,5" became 5 minutes).
    await type('home-permission-timeout', '1,5');
    await submit();
    expect(be.count('CreateParty')).toBe(1);
    const req = be.calls.find(([n]) => n === 'CreateParty')![1][0] as { permission_timeout_ms: number };
    expect(req.permission_timeout_ms).toBe(90_000);
    el.remove();
    st.dispose();
  });

  it('shows a saved 45 seconds as 0.75', async () => {
    const { st, el, q } = await home({ permission_timeout_ms: 45_000 });
    expect(q<HTMLInputElement>('home-permission-timeout')!.value).toBe('0.75');
    el.remove();
    st.dispose();
  });

  it('refuses a timeout out of range (or none) on the field, More options opened, and starts nothing', async () => {
    const was = Element.prototype.scrollIntoView;
    Element.prototype.scrollIntoView = () => {}; // jsdom has none; a failed Create brings its error into view
    onTestFinished(() => {
      Element.prototype.scrollIntoView = was;
    });
    const { be, st, el, q, type, submit } = await home();
    for (const typed of ['0.1', '2000', '', '0']) {
      await type('home-permission-timeout', typed);
      await submit();
      expect(be.count('CreateParty')).toBe(0);
      expect(q('home-create-error')?.textContent).toContain('The tool request timeout must be between 0.25 and 1440 minutes (15 seconds to 24 hours).');
      expect(q<HTMLInputElement>('home-permission-timeout')!.getAttribute('aria-invalid')).toBe('true');
      expect(q<HTMLDetailsElement>('home-more')!.open).toBe(true);
    }
    await type('home-permission-timeout', '0.25');
    await submit();
    expect(be.count('CreateParty')).toBe(1);
    el.remove();
    st.dispose();
  });
});

describe('<home-screen> where a party listens', () => {
  // A user tester found no way to choose the port in the window: the listen address is in
  // Settings' last section. More options says where a party created now listens, and
  // opens Settings there.
  it('says where the party will listen, and opens Settings at the listen address', async () => {
    const be = new FakeBackend();
    const st = new AppState(be, { checkDelayMs: 10 });
    await st.start();
    expect(await st.saveSettings({ ...st.settings!, listen: '127.0.0.1:47420', public_host: '' })).toBe(true);
    const el = document.createElement('home-screen') as Home;
    el.state = st;
    document.body.append(el);
    await el.updateComplete;
    const q = (id: string) => el.shadowRoot!.querySelector<HTMLElement>(`[data-testid=${id}]`);
    expect(q('home-network')?.textContent).toBe('Listens on port 47420 of 127.0.0.1, this machine only; invites lead to 127.0.0.1.');
    expect(await st.saveSettings({ ...st.settings!, listen: '', public_host: '' })).toBe(true);
    await el.updateComplete;
    expect(q('home-network')?.textContent).toBe("Listens on port 8765, on every network of this machine; invites lead to this machine's network address, found when the party starts.");
    expect(await st.saveSettings({ ...st.settings!, listen: ':0', public_host: 'box.example' })).toBe(true);
    await el.updateComplete;
    expect(q('home-network')?.textContent).toBe('Listens on any free port, on every network of this machine; invites lead to box.example.');
    expect(await st.saveSettings({ ...st.settings!, listen: '127.0.0.1:8765', public_host: 'box.example' })).toBe(true);
    await el.updateComplete;
    expect(q('home-network')?.textContent).toMatch(/^Listens on port 8765 of 127\.0\.0\.1, this machine only; invites lead to box\.example\. Parties listen on 127\.0\.0\.1 only/);
    expect(await st.saveSettings({ ...st.settings!, listen: ':0', public_host: 'box.example' })).toBe(true);
    await el.updateComplete;
    q('home-network-change')!.click();
    expect(st.settingsOpen).toBe(true);
    expect(st.settingsFocus).toBe('listen');
    // The panel opens with the keyboard on that field, not on the first one.
    await import('./settings-panel');
    const panel = document.createElement('settings-panel') as Home;
    panel.state = st;
    document.body.append(panel);
    await panel.updateComplete;
    await panel.updateComplete;
    expect(panel.shadowRoot!.activeElement?.getAttribute('data-testid')).toBe('settings-listen');
    st.closeSettings();
    st.openSettings(); // opened otherwise: at its first field
    panel.remove();
    const again = document.createElement('settings-panel') as Home;
    again.state = st;
    document.body.append(again);
    await again.updateComplete;
    await again.updateComplete;
    expect(again.shadowRoot!.activeElement?.getAttribute('data-testid')).not.toBe('settings-listen');
    again.remove();
    el.remove();
    st.dispose();
  });
});

describe('<home-screen> Create party with no display name', () => {
  // A window tester cleared the name and pressed Create party: the party started under the
  // saved name, without a word (Go's fallback, for the CLI).
  it('is refused under the name field, which gets the focus, and starts nothing', async () => {
    const was = Element.prototype.scrollIntoView;
    Element.prototype.scrollIntoView = () => {}; // jsdom has none; a failed Create brings its error into view
    onTestFinished(() => {
      Element.prototype.scrollIntoView = was;
    });
    const { be, st, el, q, type, submit } = await home();
    for (const typed of ['', '   ']) {
      await type('home-name', typed);
      await submit();
      expect(be.count('CreateParty')).toBe(0);
      const error = q('home-create-error');
      expect(error?.textContent).toContain('Type the display name the others will see you by.');
      // Inline: inside the name's field, and the field says it is the one.
      expect(error?.closest('label')?.querySelector('[data-testid=home-name]')).toBe(q('home-name'));
      expect(q('home-name')!.getAttribute('aria-invalid')).toBe('true');
      expect(q('home-name')!.getAttribute('aria-describedby')).toBe(error?.id);
      expect(el.shadowRoot!.activeElement).toBe(q('home-name'));
    }
    await type('home-name', 'Hana');
    await submit();
    expect(be.count('CreateParty')).toBe(1);
    expect(be.calls.find(([n]) => n === 'CreateParty')?.[1][0]).toMatchObject({ name: 'Hana' });
    el.remove();
    st.dispose();
  });
});

// A window tester typed /tmp/t2/ws2 and Create ran with "/tm": WebKitGTK, loaded, took keys
// slower than they were typed and queues keys and clicks apart, so the click on Create
// reached the page before the rest of the path (which then landed in the field, after the
// error). Create reads the form once the typing has settled.
describe('<home-screen> Create clicked while typing is still arriving', () => {
  it('creates with everything typed, the keys that reach the field after the click included', async () => {
    const { be, st, el, q, type } = await home();
    // The page's clock, not the machine's: a loaded machine's timers are no test of this.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    onTestFinished(() => void vi.useRealTimers());
    await type('home-workdir', '/tm');
    el.shadowRoot!.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    // The rest of the keys, 50 ms apart, after the click.
    for (const typed of ['/tmp', '/tmp/t2', '/tmp/t2/ws2']) {
      await vi.advanceTimersByTimeAsync(50);
      expect(be.count('CreateParty')).toBe(0);
      await type('home-workdir', typed);
    }
    await vi.advanceTimersByTimeAsync(SETTLE_MS - 1);
    expect(be.count('CreateParty')).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    vi.useRealTimers();
    await new Promise((r) => setTimeout(r, 0));
    expect(be.count('CreateParty')).toBe(1);
    expect(be.calls.find(([n]) => n === 'CreateParty')?.[1][0]).toMatchObject({ workdir: '/tmp/t2/ws2' });
    expect(q<HTMLInputElement>('home-workdir')!.value).toBe('/tmp/t2/ws2');
    el.remove();
    st.dispose();
  });

  it('leaves the focus in the field on a click on Create, for the keys still on their way to reach it', async () => {
    const { st, el, q } = await home();
    const down = new MouseEvent('mousedown', { bubbles: true, composed: true, cancelable: true });
    q('home-create')!.dispatchEvent(down);
    expect(down.defaultPrevented).toBe(true);
    el.remove();
    st.dispose();
  });

  it('creates at once, without waiting, when nothing was typed just before', async () => {
    const { be, st, el } = await home();
    el.shadowRoot!.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await new Promise((r) => setTimeout(r, 0));
    expect(be.count('CreateParty')).toBe(1);
    expect(be.calls.find(([n]) => n === 'CreateParty')?.[1][0]).toMatchObject({ workdir: '/tmp/x/proj' });
    el.remove();
    st.dispose();
  });
});
