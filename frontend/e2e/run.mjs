// Browser end-to-end tests of the window's UI with the real Go bindings.
//
// The dev build of the app (go build -tags dev,webkit2_41) serves the built frontend and its
// bindings at a dev server address; headless Chromium, driven by playwright-core, uses it as
// the window would. Behind it are the real session, settings file, OS keyring and parties:
// the agent is the fake Claude Code (it answers "echo: <prompt>"), other people are the
// concordia CLI. scripts/test-ui.sh builds everything and runs this inside Xvfb (the dev
// build still opens a GTK window) and a session bus with a throwaway unlocked keyring.
//
// Environment:
//   CONCORDIA_E2E_DEV_BIN      the dev build (required)
//   CONCORDIA_E2E_FAKECLAUDE   the fake Claude Code (required)
//   CONCORDIA_E2E_CLI_BIN      the binary run as `concordia host|join` (default: the dev build)
//   CONCORDIA_E2E_ARTIFACTS    where screenshots and logs go (default: test-artifacts/)
//   CONCORDIA_E2E_CHROMIUM     the browser (default: /usr/bin/chromium)

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer as createHTTPServer } from 'node:http';
import { connect as connectTCP, createServer as createTCPServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { Proc, TIMEOUT_MS, armed, check, decide, ensureDir, freePort, join, runTests, serveDir, stopAll, test, until } from './harness.mjs';
import { joinTests } from './join.mjs';
import { sizeTests } from './sizes.mjs';
import { timelineTests } from './timeline.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const devBin = process.env.CONCORDIA_E2E_DEV_BIN ?? '';
const fakeClaude = process.env.CONCORDIA_E2E_FAKECLAUDE ?? '';
const cliBin = process.env.CONCORDIA_E2E_CLI_BIN || devBin;
const artifacts = ensureDir(process.env.CONCORDIA_E2E_ARTIFACTS || join(root, 'test-artifacts'));
const chromiumPath = process.env.CONCORDIA_E2E_CHROMIUM || '/usr/bin/chromium';

const pinnedInvite = /^concordia:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{22,}\?fp=[0-9a-f]{64}$/;
const token = 'TgNMDR0Upfx0aYHEJt19UvIP1j7zqKBoZP_HVxfZ7ms'; // well-formed, belongs to no party

// ---------------------------------------------------------------------------------------
// Fixtures: a throwaway HOME with a settings file, the dev app, the browser.

const tmp = mkdtempSync(join(tmpdir(), 'concordia-browser-e2e-'));
const home = join(tmp, 'home');
const settingsPath = join(home, '.config', 'concordia', 'settings.json');
const workdir = ensureDir(join(tmp, 'work'));
const workdir2 = ensureDir(join(tmp, 'work-two'));
const initialSettings = {
  name: 'hazel',
  workdir,
  window_ms: 500,
  min_prompts: 1,
  merger: 'local',
  claude_path: fakeClaude,
  listen: '127.0.0.1:0',
  public_host: '127.0.0.1',
};

/** The environment of the app and the CLI: our own HOME, no Gemini key from outside, and
 * Google's Gemini API played on loopback (fakeGemini), never reached. */
function cleanEnv(homeDir) {
  const env = { ...process.env };
  delete env.GEMINI_API_KEY;
  return {
    ...env,
    CONCORDIA_GEMINI_BASE_URL: geminiURL,
    HOME: homeDir,
    XDG_CONFIG_HOME: join(homeDir, '.config'),
    XDG_DATA_HOME: join(homeDir, '.local', 'share'),
    XDG_CACHE_HOME: join(homeDir, '.cache'),
  };
}

function readSettings() {
  return JSON.parse(readFileSync(settingsPath, 'utf8'));
}

let app; // the dev app
let browser;
let page;
let shots = 0;
const dialogs = []; // alert/confirm/prompt dialogs the page opened: must stay empty
const pageErrors = []; // uncaught errors in our code (not Wails' dev glue)
/** The key the fake Gemini accepts; any other is refused as Google refuses a bad key. */
const GOOD_KEY = 'AIzaE2eKeyNumberTwo-0123456789abcdef';
let geminiURL = 'http://127.0.0.1:9/'; // set in main() before anything starts
const geminiKeys = []; // the x-goog-api-key of each request, in order
/** Google's Gemini API as `CheckKey` asks it: a models.get. */
const fakeGemini = createHTTPServer((req, res) => {
  geminiKeys.push(String(req.headers['x-goog-api-key'] ?? ''));
  res.setHeader('Content-Type', 'application/json');
  if (req.method === 'GET' && req.headers['x-goog-api-key'] === GOOD_KEY) {
    res.end(JSON.stringify({ name: 'models/gemini-flash-latest' }));
    return;
  }
  res.statusCode = 400;
  res.end(JSON.stringify({ error: { code: 400, status: 'INVALID_ARGUMENT', message: 'API key not valid. Please pass a valid API key.',
    details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }] } }));
});
let trapHits = 0; // requests to the trap server: an <img> or link that came alive

/** Saves a screenshot of the page as test-artifacts/browser-NN-name.png. */
async function shot(name) {
  shots++;
  const path = join(artifacts, `browser-${String(shots).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path });
  return path;
}

const tid = (id) => page.getByTestId(id);

/**
 * Waits until the animations and transitions that show what loc finds have run to their end:
 * its own and its descendants', and its ancestors' through shadow roots (a dialog's backdrop
 * fades in, the dialog pops). Endless ones (a pulsing dot) are not waited for. A screenshot
 * taken a fixed while after a dialog opened caught it half faded in on a loaded machine.
 */
async function settled(loc) {
  await loc.evaluate(async (el) => {
    const anims = [...el.getAnimations({ subtree: true })];
    for (let a = el.parentElement ?? el.getRootNode().host; a; a = a.parentElement ?? a.getRootNode().host) {
      anims.push(...a.getAnimations());
    }
    const ending = anims.filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity));
    await Promise.all(ending.map((a) => a.finished.catch(() => undefined))); // a cancelled one is over too
  });
}

/** Waits until the element with test id id is visible and returns its locator. */
async function visible(id) {
  const loc = tid(id).first();
  await loc.waitFor({ state: 'visible' });
  return loc;
}

/** The data-testid of the element that has the keyboard focus, through shadow roots. */
async function focusedTestId() {
  return page.evaluate(() => {
    let a = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    return a?.getAttribute('data-testid') ?? a?.tagName ?? null;
  });
}

/** The text of the element loc finds, including what its components show in shadow roots. */
async function deepText(loc) {
  return loc.evaluate((el) => {
    const text = (n) => {
      if (n.nodeType === Node.TEXT_NODE) return n.nodeValue ?? '';
      let t = n.shadowRoot ? text(n.shadowRoot) : '';
      for (const c of n.childNodes) t += text(c);
      return t;
    };
    return text(el);
  }, undefined, { timeout: 1000 });
}

/** Waits until the first element with test id id has text containing want (string or RegExp). */
async function textOf(id, want) {
  return until(`[data-testid=${id}] to contain ${want}`, async () => {
    const t = await deepText(tid(id).first());
    return (typeof want === 'string' ? t.includes(want) : want.test(t)) ? t : null;
  });
}

/** Waits until the first element with test id id has attribute attr equal to value. */
async function attrOf(id, attr, value) {
  return until(`[data-testid=${id}] ${attr}=${value}`, async () => (await tid(id).first().getAttribute(attr, { timeout: 1000 })) === value);
}

/** Starts `concordia ARGS` beside the app with a home of its own and no session bus. */
function cli(name, args) {
  const h = ensureDir(join(tmp, `cli-${name}`));
  return new Proc(name, cliBin, args, { env: { ...cleanEnv(h), DBUS_SESSION_BUS_ADDRESS: 'disabled:' } });
}

/** Replaces the join dialog's invite text by typing it, key by key. */
async function typeInvite(text) {
  const input = await visible('join-invite');
  await input.fill('');
  await input.pressSequentially(text, { delay: 5 });
}

// ---------------------------------------------------------------------------------------
// The story.

test('home shows the saved settings', async () => {
  await visible('home');
  check((await tid('home-name').inputValue()) === 'hazel', 'display name is not the saved one');
  check((await tid('home-workdir').inputValue()) === workdir, 'working directory is not the saved one');
  check((await tid('home-window').inputValue()) === '0.5', 'batching window is not the saved 0.5 s');
  check((await tid('home-merger').inputValue()) === 'local', 'merger is not the saved one');
  await textOf('home-key-status', 'none');
  check((await tid('home-workdir-warning').count()) === 0, 'a project folder is warned about');
  // The whole home folder (the first start's default) is warned about.
  await tid('home-workdir').fill(home);
  await visible('home-workdir-warning');
  await shot('home-workdir-is-home');
  await tid('home-workdir').fill(workdir);
  await tid('home-workdir-warning').waitFor({ state: 'detached' });
  await shot('home');
});

test('settings explain bad values and save nothing', async () => {
  await (await visible('home-settings')).click();
  await visible('settings-panel');
  check((await tid('settings-window').inputValue()) === '0.5', 'settings show another window than the file');
  // Checked in the window: the field is marked (the same 0.1 s floor as Go's check).
  await tid('settings-window').fill('-1');
  await tid('settings-save').click();
  await textOf('settings-window-problem', 'at least 0.1 seconds');
  await visible('settings-error');
  await tid('settings-window').fill('0.01');
  await tid('settings-save').click();
  await textOf('settings-window-problem', 'at least 0.1 seconds');
  // Checked by Go (only it can look at the disk): the reason comes back as a sentence,
  // under the field it is about.
  await tid('settings-window').fill('0.5');
  await tid('settings-workdir').fill(join(tmp, 'no-such-folder'));
  await tid('settings-save').click();
  await textOf('settings-workdir-problem', 'does not exist');
  await textOf('settings-error', 'fix the marked fields');
  await shot('settings-invalid');
  const onDisk = readSettings();
  check(onDisk.window_ms === 500 && onDisk.workdir === workdir, `the settings file changed: ${JSON.stringify(onDisk)}`);
});

test('settings save good values to the settings file', async () => {
  await tid('settings-window').fill('2');
  await tid('settings-workdir').fill(workdir2);
  await tid('settings-name').fill('hazel');
  await tid('settings-save').click();
  await visible('settings-saved');
  check((await tid('settings-window-problem').count()) === 0, 'a problem is still shown after a good save');
  check((await tid('settings-error').count()) === 0, 'an error is still shown after a good save');
  await until('the settings file to hold the new values', () => {
    const s = readSettings();
    return s.window_ms === 2000 && s.workdir === workdir2;
  });
  await shot('settings-saved');
  await page.keyboard.press('Escape');
  await tid('settings-panel').waitFor({ state: 'hidden' });
});

test('the Gemini key is set, replaced and removed in the OS keyring', async () => {
  const lookup = () => {
    try {
      return execFileSync('secret-tool', ['lookup', 'service', 'concordia', 'username', 'gemini-api-key'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      return ''; // not found
    }
  };
  await (await visible('home-settings')).click();
  await visible('settings-panel');
  await textOf('settings-key-status', 'No key set');
  check((await tid('settings-keyring-unavailable').count()) === 0, 'the keyring is said to be unavailable');

  // Not a key at all (a window tester's "abc" was stored and shown green): refused at
  // once, nothing stored, Google not asked.
  await tid('settings-key-input').fill('abc');
  await tid('settings-key-save').click();
  await textOf('settings-key-error', 'That is too short to be a Gemini API key');
  check(geminiKeys.length === 0, `Google was asked about "abc": ${geminiKeys.join(',')}`);
  check(lookup() === '', 'the keyring holds a key after "abc"');
  await textOf('settings-key-status', 'No key set');
  // A key Google refuses: asked first, not stored, and said so.
  await tid('settings-key-input').fill('AIzaE2eKeyNumberOne-0123456789abcdef');
  await tid('settings-key-save').click();
  // With what Google said (the stand-in answers as Google does for a key that is not valid).
  await textOf('settings-key-error', /Google refused the API key \(400 INVALID_ARGUMENT\), so it was not saved\. Google said: .API key not valid\. Please pass a valid API key\.. Copy the key again, whole, from Google AI Studio's API keys page \(https:\/\/aistudio\.google\.com\/apikey\), or make a new one there, then paste it here\./);
  check(lookup() === '', 'the keyring holds the refused key');
  await textOf('settings-key-status', 'No key set');
  check(!(await page.content()).includes('AIzaE2eKeyNumberOne'), 'the key is in the page');
  await shot('settings-key-refused');

  // A key Google accepts: stored, and said so.
  await tid('settings-key-input').fill(GOOD_KEY);
  await tid('settings-key-input').press('Enter');
  await until('the keyring to hold the good key', () => lookup() === GOOD_KEY);
  await textOf('settings-key-status', 'In the OS keyring');
  check((await tid('settings-key-input').inputValue()) === '', 'the key stays in the input after saving');
  check(!(await page.content()).includes(GOOD_KEY), 'the key is in the page');
  await attrOf('settings-key-check-result', 'data-result', 'accepted');
  await textOf('settings-key-check-result', 'Google accepted this key');
  await attrOf('settings-key-status', 'data-unchecked', '0');
  await textOf('settings-key-save', 'Replace key');
  // Check asks again; the key went in its header, as the party's merges send it.
  const asked = geminiKeys.length;
  await tid('settings-key-check').click();
  await until('a second check of the same key', async () => geminiKeys.length === asked + 1 && (await tid('settings-key-check-result').getAttribute('data-result')) === 'accepted');
  check(geminiKeys.join(',') === `AIzaE2eKeyNumberOne-0123456789abcdef,${GOOD_KEY},${GOOD_KEY}`, `the checks sent ${geminiKeys.join(',')}`);
  await shot('settings-key-accepted');

  await tid('settings-key-remove').click();
  await tid('settings-key-remove-yes').click(); // asked first
  await textOf('settings-key-status', 'No key set');
  check((await tid('settings-key-check-result').count()) === 0, 'an answer about a removed key is still shown');
  await until('the keyring to be empty', () => lookup() === '');
  await tid('settings-close').click();
  await tid('settings-panel').waitFor({ state: 'hidden' });
  await textOf('home-key-status', 'none');
});

test('the join dialog checks the link as it is typed', async () => {
  await (await visible('home-join')).click();
  await visible('join-dialog');
  await attrOf('join-invite-status', 'data-check', 'empty'); // the clipboard holds no link

  await typeInvite('https://example.com/party');
  await attrOf('join-invite-status', 'data-check', 'invalid');
  await textOf('join-invite-error', 'web address');
  check(await tid('join-submit').isDisabled(), 'Join is enabled for a web address');

  await typeInvite('concordia://127.0.0.1:8765/abc');
  await attrOf('join-invite-status', 'data-check', 'invalid');
  await textOf('join-invite-error', 'token too short');
  await shot('join-invalid');

  await typeInvite(`concordia://127.0.0.1:8765/${token}?fp=${'ab'.repeat(16)}`);
  await textOf('join-invite-error', 'fp must be 64 hex characters');

  await typeInvite(`concordia://127.0.0.1:8765/${token}?fp=${'ab'.repeat(32)}`);
  await attrOf('join-invite-status', 'data-check', 'valid');
  await textOf('join-invite-status', 'Valid invite to 127.0.0.1:8765');
  check(!(await tid('join-submit').isDisabled()), 'Join is disabled for a valid link');
});

/**
 * Where the keyboard is, through shadow roots: "dialog" inside the element named by the tag
 * given, "nothing" on the page's body, else the focused element's tag and test id.
 */
const focusAt = (dialogTag = '') => page.evaluate((tag) => {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  if (!a || a === document.body) return 'nothing';
  for (let n = a; n && tag; n = n.parentElement ?? n.getRootNode().host) {
    if (n.tagName === tag) return 'dialog';
  }
  return `${a.tagName.toLowerCase()} ${a.getAttribute('data-testid') ?? ''}`.trim();
}, dialogTag);

test('Tab never reaches the controls behind the join dialog', async () => {
  // A tester's Tab went past Join to Create party behind the backdrop, and Enter there asked
  // to host in the home folder: the screen behind a dialog is inert.
  for (let i = 0; i < 14; i++) {
    await page.keyboard.press(i % 4 === 3 ? 'Shift+Tab' : 'Tab');
    const at = await focusAt('JOIN-DIALOG');
    check(at === 'dialog' || at === 'nothing', `Tab ${i + 1} reached ${at}, behind the join dialog`);
  }
});

test('joining an unreachable host fails with a clear message', async () => {
  const closed = await freePort(); // nothing listens there
  await typeInvite(`concordia://127.0.0.1:${closed}/${token}`);
  await attrOf('join-invite-status', 'data-check', 'valid');
  await tid('join-submit').click();
  await textOf('join-error', 'Cannot reach the host');
  await textOf('join-submit', 'Try again');
  await visible('join-dialog'); // it stays open to fix and retry
  await shot('join-unreachable');
});

test('the join dialog shows progress while connecting', async () => {
  // A host that accepts the connection and never answers: the join hangs in "connecting".
  const held = new Set();
  const stall = createTCPServer((sock) => {
    held.add(sock);
    sock.on('error', () => {});
  });
  await new Promise((r) => stall.listen(0, '127.0.0.1', r));
  try {
    await typeInvite(`concordia://127.0.0.1:${stall.address().port}/${token}`);
    await attrOf('join-invite-status', 'data-check', 'valid');
    await tid('join-submit').click();
    await visible('join-progress');
    await textOf('join-progress', `Connecting to 127.0.0.1:${stall.address().port}`);
    check(await tid('join-invite').isDisabled(), 'the invite can be edited while connecting');
    await shot('join-connecting');
    await until('the stalled host to see the connection', () => held.size > 0);
    for (const s of held) s.destroy(); // the host goes away
    await visible('join-error');
    await tid('join-progress').waitFor({ state: 'hidden' });
    // Escape while it connects cancels the join at once (a tester's Cancel, ✕ and Escape
    // did nothing for the dial's 10 s), and no error is left to show.
    held.clear();
    await tid('join-submit').click();
    await visible('join-progress');
    await until('the stalled host to see the second connection', () => held.size > 0);
    const asked = Date.now();
    await page.keyboard.press('Escape');
    await tid('join-dialog').waitFor({ state: 'hidden', timeout: 3000 });
    check(Date.now() - asked < 3000, 'the join dialog stayed open after Escape while connecting');
    await (await visible('home-join')).click();
    await visible('join-dialog');
    await until('the cancelled join to end', async () => (await tid('join-progress').count()) === 0);
    check((await tid('join-error').count()) === 0, 'the cancelled join left an error in the dialog');
  } finally {
    for (const s of held) s.destroy();
    stall.close();
  }
});

test('a host whose certificate does not match the invite is refused', async () => {
  const host = cli('cli-host', [
    'host', '--listen', '127.0.0.1:0', '--claude', fakeClaude, '--data-dir', join(tmp, 'cli-host-data'),
    '--workdir', workdir, '--merge', 'local', '--name', 'mallory', '--no-local-repl',
  ]);
  try {
    const [, inv] = await host.expect(/^invite code: (concordia:\/\/\S+)$/);
    check(pinnedInvite.test(inv), `the CLI host's invite is not pinned: ${inv}`);
    const forged = inv.replace(/fp=[0-9a-f]{64}$/, `fp=${'0'.repeat(64)}`);
    await typeInvite(forged);
    await attrOf('join-invite-status', 'data-check', 'valid');
    await tid('join-submit').click();
    await textOf('join-error', 'does not match the fingerprint');
    await shot('join-fingerprint-mismatch');
    check(!host.lines.some((l) => /^\[party\] .* joined/.test(l)), 'the forged join reached the party');
  } finally {
    await host.stop();
  }
  await page.keyboard.press('Escape');
  await tid('join-dialog').waitFor({ state: 'hidden' });
  await visible('home');
});

test('a join that catches up on a long history over a slow link says how far it has come', async () => {
  // A long party's history over a slow link stood at "Connecting…" for 17 s with no word of
  // why. A CLI host's reply of 6 MB (about 100 events: the hello brings 1 MiB of the part
  // only its journal holds, past the 4 MiB it keeps in memory, and the rest is fetched),
  // reached through a proxy that hands the window 16 KiB every 10 ms (about 1.6 MB/s).
  const host = cli('cli-long-host', [
    'host', '--listen', '127.0.0.1:0', '--insecure', '--claude', fakeClaude, '--data-dir', join(tmp, 'cli-long-data'),
    '--workdir', workdir, '--merge', 'local', '--window', '100ms', '--name', 'lena',
  ]);
  const held = new Set();
  const slow = createTCPServer((down) => {
    const up = connectTCP(host.port, '127.0.0.1');
    held.add(down).add(up);
    for (const s of [down, up]) s.on('error', () => { down.destroy(); up.destroy(); });
    down.pipe(up);
    up.on('data', (chunk) => {
      up.pause();
      const parts = [];
      for (let i = 0; i < chunk.length; i += 16384) parts.push(chunk.subarray(i, i + 16384));
      const next = () => {
        if (down.destroyed) return;
        const part = parts.shift();
        if (!part) return up.resume();
        down.write(part);
        setTimeout(next, 10);
      };
      next();
    });
    up.on('end', () => down.end());
    down.on('close', () => up.destroy());
  });
  await new Promise((r) => slow.listen(0, '127.0.0.1', r));
  try {
    const [, inv, port] = await host.expect(/^invite code: (concordia:\/\/127\.0\.0\.1:(\d+)\/\S+)$/);
    host.port = Number(port);
    host.send('tell a long one FAKE_BIG=6000000');
    await host.expect(/claude finished/, 60_000);
    await (await visible('home-join')).click();
    await visible('join-dialog');
    await typeInvite(inv.replace(`:${port}/`, `:${slow.address().port}/`));
    await attrOf('join-invite-status', 'data-check', 'valid');
    await tid('join-name').fill('mo');
    await tid('join-submit').click();
    await textOf('join-history', "Catching up on the party's history…");
    const said = (await tid('join-history').textContent()).replace(/\s+/g, ' ');
    const m = /([\d,]+) of ([\d,]+) events/.exec(said);
    check(m && Number(m[2].replaceAll(',', '')) > 50, `the catch-up said ${said}`);
    await shot('join-catching-up');
    await visible('party-view');
    await attrOf('party-connection', 'data-status', 'connected');
    check((await tid('join-dialog').count()) === 0, 'the join dialog stayed open after the join');
    await (await visible('leave-party')).click(); // nothing of mine waits: no question asked
    await (await visible('back-home')).click();
    await visible('home');
    // The name chosen to join is offered to host under (a window tester who joined as Bob
    // was offered the OS user's name); the next test hosts as hazel again.
    await until('home to offer the name joined under', async () => (await tid('home-name').inputValue()) === 'mo');
    await tid('home-name').fill('hazel');
  } finally {
    for (const s of held) s.destroy();
    slow.close();
    await host.stop();
  }
});

let invite = '';

test('creating a party opens the party view with an invite', async () => {
  // Home follows what was saved in Settings (2 s and the second folder)…
  check((await tid('home-window').inputValue()) === '2', 'home does not show the window saved in Settings');
  check((await tid('home-workdir').inputValue()) === workdir2, 'home does not show the folder saved in Settings');
  // …and a value typed here is used for this party.
  await tid('home-window').fill('3');
  await tid('home-create').click();
  await visible('party-view');
  // The keyboard is in the prompt box (a tester's first prompt typed after joining went nowhere).
  await until('the prompt box to have the keyboard', async () => (await focusAt()) === 'textarea prompt-input');
  await textOf('party-host', "hazel's party");
  await attrOf('party-connection', 'data-status', 'connected');
  invite = (await deepText(tid('invite-link'))).trim();
  check(pinnedInvite.test(invite), `the invite is not a pinned loopback invite: ${invite}`);
  await textOf('participants-list', 'hazel');
  check((await tid('participant-item').count()) === 1, 'more than one participant in a new party');
  check((await tid('host-not-in-party').count()) === 0, 'the host in the party is said not to take part');
  check((await tid('end-party').count()) === 1, 'the host has no End party button');
  await shot('party-new');
});

let bob;

test('a CLI participant joins and appears in the participants list', async () => {
  bob = cli('bob', ['join', invite, '--name', 'bob']);
  await bob.expect(/^\[party\] joined hazel's party as bob \(2 in the party/);
  await until('bob in the participants list', async () => (await tid('participant-item').count()) === 2);
  await textOf('participants-list', 'bob');
  await textOf('transcript', 'bob joined');
  await shot('party-bob-joined');
});

// The window at every size (issue 10.3), with this live party at 640×480: frontend/e2e/sizes.mjs.
sizeTests({ browser: () => browser, artifacts, realPage: () => page });

test('the prompt box: Shift+Enter breaks the line, Enter sends; pending, batched, streamed, rendered', async () => {
  const input = await visible('prompt-input');
  await input.click();
  const trap = `http://127.0.0.1:${trapPort}`;
  // The fake agent echoes the prompt; FAKE_SLOW holds the reply after its first part, so the
  // reply can be seen streaming. The rest is Markdown with Go code and hostile HTML.
  const lines = [
    'Please review FAKE_SLOW=4000',
    '```go',
    'func main() { fmt.Println("hi") }',
    '```',
    `<img src="${trap}/pixel.png" onerror="window.__pwned=1">`,
    '',
    '<script>window.__pwned=2</script>',
    '',
    `[click me](javascript:window.__pwned=3) and ![tracker](${trap}/tracker.png)`,
    '',
    '| file | lines | state |',
    '|:--|--:|:-:|',
    '| a.go | 12 | ok |',
  ];
  for (const [i, l] of lines.entries()) {
    if (i > 0) await page.keyboard.press('Shift+Enter');
    await page.keyboard.type(l);
  }
  check((await input.inputValue()) === lines.join('\n'), `Shift+Enter did not keep a multi-line prompt: ${JSON.stringify(await input.inputValue())}`);
  check((await page.locator('[data-testid=transcript-item][data-kind=prompt][data-mine=true]').count()) === 0, 'something was sent before Enter');

  await page.keyboard.press('Enter');
  const mine = page.locator('[data-testid=transcript-item][data-kind=prompt][data-mine=true]');
  await mine.first().waitFor();
  await until('my prompt to show as pending', async () => (await mine.first().getAttribute('data-pending')) === 'true');
  await visible('prompt-pending');
  await visible('prompt-my-pending');
  await attrOf('party-phase', 'data-phase', 'collecting');
  await textOf('party-countdown', /\d/);
  check((await input.inputValue()) === '', 'the prompt box was not cleared after sending');
  await shot('party-pending');

  await until('my prompt to be sent in a batch', async () => (await mine.first().getAttribute('data-pending')) === 'false');
  await textOf('batch-merger', 'as written');
  // Streaming: part of the reply is there while the turn is still working.
  await visible('reply');
  await visible('turn-working');
  const partial = await deepText(tid('reply').first());
  check(partial.includes('echo: Please review') && !partial.includes('click me'), `not a partial reply: ${JSON.stringify(partial)}`);
  await shot('party-streaming');

  await attrOf('turn-end', 'data-status', 'done');
  await textOf('reply', 'click me');
  const reply = tid('reply').first();
  // Highlighted Go code.
  const code = reply.locator('pre code.hljs');
  await code.waitFor();
  check((await deepText(code)).includes('fmt.Println("hi")'), 'the code block lost its text');
  const keyword = reply.locator('pre code.hljs .hljs-keyword');
  check((await keyword.count()) > 0 && (await deepText(keyword.first())) === 'func', 'the Go code is not highlighted');
  // Inert: the hostile HTML is text, nothing of it became an element, nothing ran or loaded.
  const text = await deepText(reply);
  check(text.includes('<img src=') && text.includes('<script>'), `the HTML was not shown as text: ${JSON.stringify(text)}`);
  // A table's columns are aligned as its Markdown says (a tester's right-aligned numbers
  // stood at the left).
  const aligns = await reply.locator('td').evaluateAll((tds) => tds.map((td) => getComputedStyle(td).textAlign));
  check(aligns.join(',') === 'left,right,center', `the table's columns are aligned ${aligns.join(',')}, want left,right,center`);
  // The Markdown link is a label with its address as text, and the image its alt text.
  check(text.includes('click me (javascript:window.__pwned=3) and [image: tracker]'), `the link and image were not made inert labels: ${JSON.stringify(text)}`);
  const transcript = tid('transcript');
  for (const tag of ['img', 'script', 'a', 'iframe', 'object', 'embed', 'form']) {
    check((await transcript.locator(tag).count()) === 0, `a <${tag}> element is in the transcript`);
  }
  const url = page.url();
  await reply.getByText('click me').first().click();
  await page.waitForTimeout(300); // give a navigation or script a chance to happen (it must not)
  check(page.url() === url, `clicking the link navigated to ${page.url()}`);
  check((await page.evaluate(() => window.__pwned)) === undefined, 'the payload ran');
  check(dialogs.length === 0, `the page opened dialogs: ${dialogs.join(', ')}`);
  check(trapHits === 0, `the page fetched ${trapHits} resource(s) from the prompt`);
  await shot('party-reply');
});

test("a participant's prompt shows with its author, as text", async () => {
  bob.send('<b>bold</b> hello from bob');
  const theirs = page.locator('[data-testid=transcript-item][data-kind=prompt][data-mine=false]');
  await until("bob's prompt in the transcript", async () => (await theirs.count()) > 0);
  await until("bob's prompt with its author", async () => {
    const t = await deepText(theirs.last());
    return t.includes('bob') && t.includes('<b>bold</b> hello from bob');
  });
  check((await theirs.last().locator('b', { hasText: /^bold$/ }).count()) === 0, "bob's HTML became an element");
  // Someone else's prompt sits on the left of the column, as in a chat (it was centred).
  const turnBox = await page.locator('[data-testid=transcript-item][data-kind=turn]').last().boundingBox();
  const theirBox = await theirs.last().boundingBox();
  check(turnBox && theirBox && Math.abs(theirBox.x - turnBox.x) < 4, `bob's prompt starts at x=${theirBox?.x}, the column at x=${turnBox?.x}`);
  await until('the reply to bob', async () => (await deepText(tid('reply').last())).includes('hello from bob'));
  await bob.expect(/echo: <b>bold<\/b> hello from bob/);
  await shot('party-peer-prompt');
});

test('approval: the host edits and sends a waiting batch, then allows the tool request', async () => {
  // With the keyboard, as a tester did: Space turns approval on, and the box has the focus
  // again once its call is done (disabled meanwhile, it dropped it to the page).
  await (await visible('approval-toggle')).focus();
  await page.keyboard.press('Space');
  await textOf('party-approval', 'Each prompt waits');
  await until('the focus back on the approval box', async () => (await focusedTestId()) === 'approval-toggle');
  bob.send('please touch a file FAKE_ASK');
  const card = page.locator('[data-testid=approval-card][data-status=waiting]');
  await card.first().waitFor();
  await textOf('approval-prompts', 'please touch a file FAKE_ASK');
  await visible('approval-send');
  // As wide as the turns around it, so a long merged prompt can be read and edited.
  const cardBox = await card.first().boundingBox();
  const turnWidth = (await page.locator('[data-testid=transcript-item][data-kind=turn]').last().boundingBox())?.width;
  check(cardBox && turnWidth && Math.abs(cardBox.width - turnWidth) < 4, `the approval card is ${cardBox?.width} px wide, a turn ${turnWidth} px`);
  await shot('approval-card');
  await tid('approval-edit').click();
  await tid('approval-text').fill('edited by hazel: touch it FAKE_ASK');
  await tid('approval-send-edited').click();
  await textOf('approval-outcome', 'Sent with edits');
  // The agent asks before it runs Bash; the host allows it with one click.
  const pending = page.locator('[data-testid=permission-card][data-status=pending]');
  await pending.first().waitFor();
  await textOf('permission-tool', 'Bash');
  await textOf('permission-summary', 'touch');
  // The host's --permission-timeout (2m) counts down on the card.
  await textOf('permission-expires', /Denied automatically in\s*[12]:\d\d\s*(\(of [^)]*\)\s*)?if nobody decides/);
  await visible('stop-turn');
  await attrOf('party-phase', 'data-phase', 'awaiting_permission');
  // Allow takes clicks (and looks it) a moment after the card shows (cards.ts ARM_MS).
  await armed(tid('permission-allow'), 'Allow enabled');
  await shot('permission-card');
  await decide(tid('permission-allow'), async () => (await page.locator('[data-testid=permission-card][data-status=allowed]').count()) === 1, 'the tool request allowed');
  await textOf('permission-outcome', 'Allowed by you');
  // The Allow button is gone: the focus goes to the prompt box, not to the page.
  await until('the focus in the prompt box after Allow', async () => (await focusedTestId()) === 'prompt-input');
  await until('the edited batch sent', async () => (await deepText(tid('batch-merged').last())).includes('edited by hazel: touch it'));
  await until('the agent went on after the tool ran', async () => (await deepText(tid('reply').last())).includes('tools: allowed'));
  await until('the turn done', async () => (await tid('turn-end').last().getAttribute('data-status')) === 'done');
  await shot('permission-allowed');
});

// A window tester's co-host lost the edit he had open to the owner's Send: a host's terminal is
// now told when another host opens "Edit and send…" (the window says Party.editing, the party
// tells the hosts, the co-host's CLI prints it), and /approve is untouched.
test("approval: a co-host's terminal is told the window's host is editing the held prompt", async () => {
  const bobRow = page.locator('[data-testid=participant-item][data-name=bob]');
  await bobRow.locator('[data-testid=member-role]').selectOption('host');
  await until('bob made a co-host', async () => (await bobRow.getAttribute('data-role')) === 'host');
  bob.send('please rename the module');
  const waiting = page.locator('[data-testid=approval-card][data-status=waiting]');
  await waiting.first().waitFor();
  await textOf('approval-prompts', 'please rename the module');
  check(!bob.lines.some((l) => l.includes('is editing the held prompt')), 'bob was told of an edit before anyone edited');
  await tid('approval-edit').click();
  await bob.expect(/\[approval\] hazel is editing the held prompt/);
  await tid('approval-edit-cancel').click();
  await armed(tid('approval-send'), 'Send enabled');
  check((await deepText(tid('approval-send'))).trim() === 'Send', 'Send is labelled as if another host edited');
  await tid('approval-send').click();
  await answered('please rename the module');
  await bobRow.locator('[data-testid=member-role]').selectOption('participant');
  await until('bob a participant again', async () => (await bobRow.getAttribute('data-role')) === 'participant');
});

test('approval: a rejected batch says who and why', async () => {
  bob.send('please delete everything');
  const waiting = page.locator('[data-testid=approval-card][data-status=waiting]');
  await waiting.first().waitFor();
  // By keyboard: Reject… puts the focus in the reason (it was left on the page), Enter
  // rejects (as the button does), and the focus goes on to the prompt box.
  await tid('approval-reject').focus();
  await page.keyboard.press('Enter');
  await until('the focus in the reason', async () => (await focusedTestId()) === 'approval-reject-reason');
  await page.keyboard.type('not today');
  await page.keyboard.press('Enter');
  await until('the rejection', async () => (await page.locator('[data-testid=approval-card][data-status=rejected]').count()) === 1);
  await until('the focus in the prompt box after the rejection', async () => (await focusedTestId()) === 'prompt-input');
  await textOf('prompt-rejected', 'rejected by you');
  const outcome = await deepText(page.locator('[data-testid=approval-card][data-status=rejected]').first());
  check(outcome.includes('Rejected by you') && outcome.includes('not today'), `the rejection does not say who and why: ${JSON.stringify(outcome)}`);
  await shot('approval-rejected');
  // With the keyboard: Space turns it off, and the box has the focus again once its call is
  // done (disabled meanwhile, it dropped it to the page: a tester's second Space did nothing).
  await tid('approval-toggle').focus();
  await page.keyboard.press('Space');
  await textOf('party-approval', 'Off');
  await until('the focus back on the approval box', async () => (await focusedTestId()) === 'approval-toggle');
});

/** Waits for the turn of the last prompt, which says text, to be done. Older turns are
 * virtual (not in the DOM), so a turn is found as the last item after its prompt, not by
 * counting. */
function answered(text) {
  return until(`the turn for "${text}" done`, async () => {
    const prompt = page.locator('[data-testid=transcript-item][data-kind=prompt]').last();
    if (!(await deepText(prompt)).includes(text)) return false;
    const last = page.locator('[data-testid=transcript-item]').last();
    return (await last.getAttribute('data-kind')) === 'turn' && (await last.locator('[data-testid=turn-end][data-status=done]').count()) === 1;
  });
}

/** Sends a prompt from the window's prompt box. */
async function ask(text) {
  const input = await visible('prompt-input');
  await input.fill(text);
  await input.press('Enter');
}

test('Always allow: shown to everyone, and a host makes the tool ask again', async () => {
  const pending = page.locator('[data-testid=permission-card][data-status=pending]');
  await ask('touch one FAKE_ASK');
  await pending.first().waitFor();
  await decide(tid('permission-always'), async () => (await tid('permission-always-yes').count()) > 0, 'Always allow Bash asking first');
  // Bash for good asks first: every command, unasked, on the owner's computer.
  await decide(tid('permission-always-yes'), async () => (await pending.count()) === 0, 'Bash allowed for good');
  await answered('touch one');
  await textOf('party-always', 'Bash');
  check((await page.locator('[data-testid=always-tool][data-tool=Bash]').count()) === 1, 'Bash is not listed under Always allowed');
  await bob.expect(/always allowed without asking: Bash/);
  // A later request for Bash asks nobody.
  await ask('touch two FAKE_ASK');
  await answered('touch two');
  check((await pending.count()) === 0, 'Bash asked again while always allowed');
  check((await deepText(tid('reply').last())).includes('tools: allowed'), 'the always-allowed tool did not run');
  await (await visible('always-list')).evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await shot('always-allowed');
  await tid('always-revoke').click();
  await tid('always-list').waitFor({ state: 'detached' });
  await tid('party-always').waitFor({ state: 'detached' });
  await textOf('transcript', 'you made Bash ask again');
  await bob.expect(/hazel made Bash ask again: it is no longer always allowed/);
  // It asks again.
  await ask('touch three FAKE_ASK');
  await pending.first().waitFor();
  await decide(tid('permission-allow'), async () => (await pending.count()) === 0, 'the request for touch three allowed');
  await answered('touch three');
});

test('Tool permissions: the host lets the running agent work unasked, then makes it ask again', async () => {
  const pending = page.locator('[data-testid=permission-card][data-status=pending]');
  const select = await visible('permission-mode-select');
  check((await select.inputValue()) === 'ask', `the party starts in ${await select.inputValue()}`);
  // Allow everything asks first; Cancel changes nothing.
  await select.selectOption('all');
  await visible('permission-all-dialog');
  await tid('permission-all-cancel').click();
  await tid('permission-all-dialog').waitFor({ state: 'detached' });
  check((await select.inputValue()) === 'ask', 'Cancel left the select at "all"');
  await select.selectOption('all');
  await tid('permission-all-confirm').click();
  await textOf('transcript', "you set tool permissions to all: the agent may run any command and change any file on hazel's computer without asking anyone");
  await until('the select shows all', async () => (await select.inputValue()) === 'all');
  await bob.expect(/hazel set tool permissions to all: the agent may run any command/);
  await ask('touch four FAKE_ASK');
  await answered('touch four');
  check((await pending.count()) === 0, 'Bash asked in "all"');
  check((await deepText(tid('reply').last())).includes('tools: allowed'), 'the tool did not run in "all"');
  // Back to asking: the next request is a card again.
  await select.selectOption('ask');
  await textOf('transcript', 'you set tool permissions to ask: every tool use that needs permission asks a host');
  await bob.expect(/hazel set tool permissions to ask: every tool use that needs permission asks a host/);
  await ask('touch five FAKE_ASK');
  await pending.first().waitFor();
  await decide(tid('permission-allow'), async () => (await pending.count()) === 0, 'the request for touch five allowed');
  await answered('touch five');
});

test('Stop: the host stops a slow turn; the partial reply stays', async () => {
  const input = await visible('prompt-input');
  await input.fill('a slow one FAKE_SLOW=30000');
  await input.press('Enter');
  await visible('stop-turn');
  // The fake agent sends its first words, then sleeps (FAKE_SLOW) before the rest.
  await until('the first part of the slow reply', async () => (await deepText(tid('reply').last())).startsWith('echo: a'));
  await shot('stop');
  await tid('stop-turn').click();
  await until('the turn stopped', async () => (await tid('turn-end').last().getAttribute('data-status')) === 'interrupted');
  const end = await deepText(tid('turn-end').last());
  check(end.includes('Stopped by you'), `the stopped turn says ${JSON.stringify(end)}`);
  const partial = await deepText(tid('reply').last());
  check(partial.startsWith('echo: a') && !partial.includes('FAKE_SLOW=30000'), `not the partial reply: ${JSON.stringify(partial)}`);
  await tid('stop-turn').waitFor({ state: 'hidden' });
  await shot('stopped');
});

test('Withdraw: waiting prompts are taken back, mine into the prompt box, and never sent', async () => {
  const input = await visible('prompt-input');
  await input.fill('a long job FAKE_SLOW=30000');
  await input.press('Enter');
  // The fake agent sends its first words, then sleeps (FAKE_SLOW) before the rest. Older
  // turns are virtual (not in the DOM), so the new reply is found by its words, not by
  // counting replies (a count stays put once earlier turns leave the DOM).
  await until('the slow turn under way', async () => (await deepText(tid('reply').last())).startsWith('echo: a lo'));
  await visible('stop-turn');
  await input.fill('a prompt with a typpo');
  await input.press('Enter');
  bob.send('bob has second thoughts');
  const waiting = page.locator('[data-testid=transcript-item][data-kind=prompt][data-pending=true]');
  await until('two prompts waiting, each with Withdraw', async () => (await waiting.count()) === 2 && (await waiting.locator('[data-testid=prompt-withdraw]').count()) === 2);
  await shot('withdraw-waiting');
  await input.fill('something typed meanwhile');
  await waiting.filter({ hasText: 'typpo' }).locator('[data-testid=prompt-withdraw]').click();
  // It comes back above what was typed since: neither is lost, and the typing goes on where it was.
  await until('my prompt back in the box', async () => (await input.inputValue()) === 'a prompt with a typpo\n\nsomething typed meanwhile');
  await waiting.filter({ hasText: 'second thoughts' }).locator('[data-testid=prompt-withdraw]').click();
  await bob.expect(/^\[party\] hazel withdrew your prompt: bob has second thoughts \(it will not be sent\)$/);
  const chips = tid('prompt-withdrawn');
  await until('both marked withdrawn', async () => (await chips.count()) === 2 && (await waiting.count()) === 0);
  // Found by its words: bob's prompt may reach the host before or after hazel's (a CI run
  // read hazel's own chip as the last one).
  const bobs = page.locator('[data-testid=transcript-item][data-kind=prompt]').filter({ hasText: 'second thoughts' }).locator('[data-testid=prompt-withdrawn]');
  const mine = page.locator('[data-testid=transcript-item][data-kind=prompt]').filter({ hasText: 'typpo' }).locator('[data-testid=prompt-withdrawn]');
  check((await deepText(bobs)) === 'withdrawn by hazel', `bob's prompt says ${JSON.stringify(await deepText(bobs))}`);
  check((await deepText(mine)) === 'withdrawn', `hazel's prompt says ${JSON.stringify(await deepText(mine))}`);
  await shot('withdrawn');
  await tid('stop-turn').click();
  await until('the slow turn stopped', async () => (await tid('turn-end').last().getAttribute('data-status')) === 'interrupted');
  await attrOf('party-phase', 'data-phase', 'idle');
  // Nothing is left to send: no turn follows, and the agent never echoes either prompt.
  // The last turn is still the stopped one: found by its words, not by counting turn ends
  // (older turns leave and come back to the DOM as the view is virtualised; a count moved
  // once in CI with no turn run).
  const lastTurn = page.locator('[data-testid=transcript-item][data-kind=turn]').last();
  check((await deepText(lastTurn)).includes('echo: a lo'), `the last turn is not the stopped one: ${JSON.stringify(await deepText(lastTurn))}`);
  await page.waitForTimeout(1500); // the party's batching window is 0.5 s
  check((await deepText(lastTurn)).includes('echo: a lo') && (await tid('turn-end').last().getAttribute('data-status')) === 'interrupted', 'a turn ran after both prompts were withdrawn');
  const all = await deepText(tid('transcript'));
  check(!all.includes('echo: a prompt with a typpo') && !all.includes('echo: bob has second'), 'the agent answered a withdrawn prompt');
  await input.fill('');
});

// A turn that fails after reaching the agent (claude died twice) asks its authors to send
// their prompts again; mine come back into the prompt box on a click, never by themselves
// (the agent may have done part of the work).
test('a failed turn puts my prompt back in the box when asked', async () => {
  const input = await visible('prompt-input');
  await input.fill('crash on this FAKE_CRASH_ALWAYS');
  await input.press('Enter');
  await until('the turn failed', async () => (await tid('turn-end').last().getAttribute('data-status')) === 'error');
  const recall = tid('turn-recall').last();
  await recall.waitFor();
  check((await input.inputValue()) === '', 'the failed prompt came back by itself');
  await shot('failed-turn-recall');
  await input.fill('typed meanwhile');
  await recall.click();
  await until('my prompt back above what was typed', async () => (await input.inputValue()) === 'crash on this FAKE_CRASH_ALWAYS\n\ntyped meanwhile');
  await input.fill('');
  await attrOf('party-phase', 'data-phase', 'idle');
});

/** The pids of pid's live children whose command line holds word, from /proc. */
function childrenWith(pid, word) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // state, ppid, …
      if (f[0] === 'Z' || Number(f[1]) !== pid) continue;
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').includes(resolve(word))) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

test('claude killed while the party is idle: the header says so within a second, and the next prompt starts it again', async () => {
  await attrOf('party-phase', 'data-phase', 'idle');
  const pids = childrenWith(app.child.pid, fakeClaude);
  check(pids.length === 1, `the app's claude processes: ${JSON.stringify(pids)}`);
  process.kill(pids[0], 'SIGKILL');
  // A tester's header said "Idle" until the next prompt, a red card the only sign. It is
  // said as what it is: no failure, claude starts again with the next prompt (a window
  // tester read the red "Agent not running" and red card as one); the note keeps what
  // claude last wrote to stderr behind its disclosure.
  await attrOf('party-phase', 'data-phase', 'agent_restarts');
  await until('the note of the exit', async () => (await deepText(tid('transcript'))).includes('it was idle, and will be started again with the next batch'));
  const note = tid('transcript-item').last();
  check((await note.getAttribute('data-kind')) === 'system', `claude's exit between turns is a ${await note.getAttribute('data-kind')} item`);
  check((await note.locator('[data-testid=agent-stderr]').count()) === 1, "the note lacks what claude last wrote to stderr");
  const title = await tid('party-phase').first().getAttribute('title');
  check(/claude was killed \(SIGKILL\).*it was idle, and will be started again with the next batch/.test(title ?? ''), `the pill's tooltip: ${title}`);
  await shot('agent-exited-idle');
  const input = await visible('prompt-input');
  await input.fill('are you back');
  await input.press('Enter');
  await until('the turn after the kill', async () => (await tid('turn-end').last().getAttribute('data-status')) === 'done');
  await attrOf('party-phase', 'data-phase', 'idle');
});

test('roles, new invites and kick', async () => {
  const oldInvite = (await deepText(tid('invite-link'))).trim();
  const viewerInvite = (await deepText(tid('viewer-invite-link'))).trim();
  check(pinnedInvite.test(viewerInvite) && viewerInvite !== oldInvite, `no viewer invite beside the invite: ${viewerInvite}`);
  const cara = cli('cara', ['join', viewerInvite, '--name', 'cara']);
  const caraRow = page.locator('[data-testid=participant-item][data-name=cara]');
  await caraRow.waitFor();
  check((await caraRow.getAttribute('data-role')) === 'viewer', 'the viewer invite did not make a viewer');
  const ownRow = page.locator('[data-testid=participant-item][data-name=hazel]');
  check((await ownRow.locator('[data-testid=member-role-tag]').textContent()) === 'host', 'the owner is not tagged as the host');
  check((await ownRow.locator('[data-testid=member-role]').count()) === 0, 'role controls on the owner');
  const bobRow = page.locator('[data-testid=participant-item][data-name=bob]');
  // The arrow keys and a letter on the closed list change nothing (a tester's ArrowDown
  // made bob a viewer at once, everyone told).
  await bobRow.locator('[data-testid=member-role]').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('v');
  await page.waitForTimeout(500);
  check((await bobRow.getAttribute('data-role')) === 'participant', `a key on bob's closed role list made bob a ${await bobRow.getAttribute('data-role')}`);
  await bobRow.locator('[data-testid=member-role]').selectOption('host');
  await until('bob made a co-host', async () => (await bobRow.getAttribute('data-role')) === 'host');
  await bobRow.locator('[data-testid=member-role]').selectOption('participant');
  await until('bob a participant again', async () => (await bobRow.getAttribute('data-role')) === 'participant');
  // The button at the panel's lower edge (where a window 720 px high has it): the question
  // that opens below it is brought into view (it was out of sight; the click looked dead).
  await page.setViewportSize({ width: 1180, height: 560 });
  await tid('invites-rotate').evaluate((el) => el.scrollIntoView({ block: 'end' }));
  await tid('invites-rotate').click();
  await visible('invites-confirm'); // asked first: the links people hold stop working
  await until('the question in view', () =>
    tid('invites-confirm-yes').evaluate((el) => {
      const r = el.getBoundingClientRect();
      for (let p = el.parentElement ?? el.getRootNode().host; p; p = p.parentElement ?? p.getRootNode().host) {
        const o = getComputedStyle(p).overflowY;
        if (o === 'auto' || o === 'scroll') {
          const c = p.getBoundingClientRect();
          if (r.top < c.top || r.bottom > c.bottom) return false;
        }
      }
      return r.bottom <= window.innerHeight;
    }),
  );
  await page.setViewportSize({ width: 1180, height: 800 });
  await tid('invites-confirm-no').click();
  check((await deepText(tid('invite-link'))).trim() === oldInvite, 'cancelling made new invites');
  await tid('invites-rotate').click();
  await tid('invites-confirm-yes').click();
  await until('a new invite', async () => (await deepText(tid('invite-link'))).trim() !== oldInvite);
  check((await deepText(tid('viewer-invite-link'))).trim() !== viewerInvite, 'the viewer invite did not change');
  await caraRow.locator('[data-testid=member-kick]').click();
  await visible('kick-dialog');
  await tid('kick-reason').fill('wrong party');
  await settled(tid('kick-dialog'));
  await shot('roles');
  await tid('kick-reason').press('Enter'); // Enter removes, as the button does
  await caraRow.waitFor({ state: 'detached' });
  await until('cara told to go', () => cara.exitCode !== undefined);
  await textOf('transcript', 'you removed cara from the party: wrong party');
});

test('agent commands are a host menu; a typed "/" prompt is text', async () => {
  await tid('agent-command-input').fill('/compact');
  await tid('agent-command-run').click();
  await until('the command ran', async () => (await deepText(tid('transcript'))).includes('you ran the agent command /compact'));
  await tid('agent-command').filter({ hasText: '/clear' }).click();
  await visible('command-dialog');
  await tid('command-cancel').click();
  await tid('command-dialog').waitFor({ state: 'hidden' });
  const input = await visible('prompt-input');
  await input.fill('/help me');
  await input.press('Enter');
  await until('the slash prompt answered as text', async () => (await deepText(tid('reply').last())).includes('/help me'));
});

/** The Go file the agent's turn changes (it is in the folder when the party starts). */
const mainBefore = 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hello")\n}\n';
const mainAfter =
  'package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\n// main greets whoever is named.\nfunc main() {\n\tname := "world"\n\tif len(os.Args) > 1 {\n\t\tname = os.Args[1]\n\t}\n\tfmt.Printf("hello, %s <b>not HTML</b>\\n", name)\n}\n';

/** The party's folder as the party began (main() writes it before the app starts). */
function seedWorkdir() {
  writeFileSync(join(workdir2, 'main.go'), mainBefore);
  writeFileSync(join(workdir2, 'old.txt'), 'to be renamed\n');
  writeFileSync(join(workdir2, 'gone.txt'), 'to be deleted\n');
  writeFileSync(join(workdir2, '.env'), 'API_TOKEN=secret-before\n');
}

/** The panel's files as path → status ("renamed from X" for renames). */
async function changedFiles() {
  // In one read: the list changes as the agent works (counting the rows, then reading row
  // N, met a list that had shrunk meanwhile, and waited for a row that was gone).
  // A row's tooltip is "PATH: STATUS" (the whole path, which the row may cut).
  const rows = await tid('changes-file').evaluateAll((els) => els.map((el) => [el.getAttribute('data-path'), (el.getAttribute('title') ?? '').replace(`${el.getAttribute('data-path')}: `, '')]));
  return Object.fromEntries(rows);
}

test('the Changes panel: what the agent changed, live, with each turn linked to its files', async () => {
  check((await deepText(tid('changes-toggle-count'))).trim() === '0', 'changes before the agent changed anything');
  // While the turn runs, files change as tools would change them: the fake agent writes,
  // renames and deletes (FAKE_FS), then takes its time (FAKE_SLOW), while the test edits
  // main.go, .env, a binary and a big file. (Edited before the prompt, they are a person's,
  // listed before the batch: the party scans as a batch's first prompt arrives.)
  const input = await visible('prompt-input');
  await input.fill('tidy the folder FAKE_FS=w:docs/notes.txt,mv:old.txt>renamed.txt,rm:gone.txt FAKE_SLOW=3000');
  await input.press('Enter');
  await attrOf('party-phase', 'data-phase', 'running');
  writeFileSync(join(workdir2, 'main.go'), mainAfter);
  writeFileSync(join(workdir2, '.env'), 'API_TOKEN=secret-after\n');
  writeFileSync(join(workdir2, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 1, 2, 3]));
  writeFileSync(join(workdir2, 'big.txt'), Array.from({ length: 12000 }, (_, i) => `line ${i} of a big generated file, long enough to pass 256 KiB`).join('\n'));
  const link = page.locator('[data-testid=turn-file][data-path="docs/notes.txt"]');
  await link.waitFor();
  await until('the turn to link all its files', async () => {
    const paths = await tid('turn-files').last().locator('[data-testid=turn-file]').evaluateAll((els) => els.map((e) => e.dataset.path).sort());
    return JSON.stringify(paths) === JSON.stringify(['big.txt', 'docs/notes.txt', 'gone.txt', 'logo.png', 'main.go', 'renamed.txt']) ? paths : null;
  });
  await tid('changes-toggle').click();
  await visible('changes-panel');
  const files = await until('the list', async () => {
    const f = await changedFiles();
    return Object.keys(f).length === 6 ? f : null;
  });
  check(files['main.go'] === 'modified' && files['docs/notes.txt'] === 'added' && files['gone.txt'] === 'deleted', `statuses: ${JSON.stringify(files)}`);
  check(files['renamed.txt'] === 'renamed from old.txt', `the rename: ${JSON.stringify(files)}`);
  check(!('.env' in files), '.env is listed while only the changes are shared');
  const counts = await deepText(page.locator('[data-testid=changes-file][data-path="main.go"]'));
  check(/\+\d+\s*−\d+/.test(counts), `no line counts: ${JSON.stringify(counts)}`);
  await shot('changes-panel');

  // A diff with line numbers and Go colours, its HTML-looking text shown as text.
  await page.locator('[data-testid=changes-file][data-path="main.go"]').click();
  await visible('diff-lines');
  await textOf('diff-path', 'main.go');
  const diff = await deepText(tid('diff-lines'));
  check(diff.includes('name := "world"') && diff.includes('<b>not HTML</b>'), `the diff: ${diff.slice(0, 300)}`);
  check((await tid('diff-lines').locator('.hljs-keyword').count()) > 0, 'the diff has no syntax colours');
  check((await tid('diff-lines').locator('b').count()) === 0, 'peer text became HTML in the diff');
  const numbers = await tid('diff-lines').locator('.ln.add .no').allTextContents();
  check(numbers.some((n) => /^\d+$/.test(n.trim())), `no new-file line numbers: ${numbers.slice(0, 6)}`);
  await shot('diff-view');
  // The turn card's link opens that file's diff; binary and truncated files say so.
  await link.click();
  await textOf('diff-path', 'docs/notes.txt');
  await textOf('diff-lines', 'hello from the agent');
  await page.locator('[data-testid=turn-file][data-path="logo.png"]').click();
  await textOf('diff-binary', 'Binary file');
  await page.locator('[data-testid=turn-file][data-path="big.txt"]').click();
  await textOf('diff-truncated', '256 KiB');
  await tid('diff-back').click();
  await visible('changes-list');
});

test('the Changes panel: the host shares the whole folder, then the changes only again', async () => {
  // The whole folder holds secrets: it is confirmed first, and Cancel keeps the level.
  await tid('share-level').selectOption('tree');
  await textOf('share-confirm', '.env files, keys and other secrets included');
  await shot('share-tree-confirm');
  await tid('share-confirm-no').click();
  await tid('share-confirm').waitFor({ state: 'detached' });
  check((await tid('share-level').inputValue()) === 'changes', 'Cancel did not put the menu back');
  check((await tid('tab-tree').count()) === 0, 'the tree is shared though the host cancelled');
  await tid('share-level').selectOption('tree');
  await tid('share-confirm-yes').click();
  await visible('tab-tree');
  await textOf('transcript', 'you now share the whole working directory, secrets included');
  await until('.env listed with the whole folder shared', async () => '.env' in (await changedFiles()));
  await tid('tab-tree').click();
  const docs = page.locator('[data-testid=tree-folder][data-path=docs]');
  await docs.waitFor();
  check((await page.locator('[data-testid=tree-file][data-path=".env"]').count()) === 1, 'the tree lacks .env');
  await docs.click();
  await page.locator('[data-testid=tree-file][data-path="docs/notes.txt"]').waitFor();
  await shot('tree-mode');
  await page.locator('[data-testid=tree-file][data-path="docs/notes.txt"]').click();
  await textOf('diff-lines', 'hello from the agent');
  await tid('diff-back').click();
  await tid('share-level').selectOption('changes');
  await tid('tab-tree').waitFor({ state: 'detached' });
  await until('.env gone again', async () => !('.env' in (await changedFiles())));

  // Narrow windows: the panel is a drawer over the transcript.
  await page.setViewportSize({ width: 800, height: 600 });
  await visible('changes-list');
  const box = await tid('changes-panel').boundingBox();
  check(box && box.width <= 460 && box.x > 300, `the drawer at 800×600: ${JSON.stringify(box)}`);
  await shot('changes-drawer-narrow');
  await tid('changes-close').click();
  await tid('changes-panel').waitFor({ state: 'detached' });
  await page.setViewportSize({ width: 1180, height: 800 });
});

test('a long streamed reply: incremental Markdown keeps up, the view follows it, older turns are virtual', async () => {
  const input = await visible('prompt-input');
  await input.fill('stream a long one FAKE_STREAM=1500:2:80');
  await input.press('Enter');
  await until('the whole reply', async () => (await deepText(tid('reply').last())).includes('[piece 1500/1500]'), 120_000);
  await until('the turn done', async () => (await tid('turn-end').last().getAttribute('data-status')) === 'done');
  // Following: the newest output is in view.
  const atBottom = await tid('transcript').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 60);
  check(atBottom, 'the transcript did not follow the reply to its end');
  const items = Number(await tid('transcript').getAttribute('data-items'));
  const rendered = Number(await tid('transcript').getAttribute('data-rendered'));
  check(rendered < items, `all ${items} items are rendered (${rendered}): nothing is virtual`);
  // Scrolling to the top shows the first item; the Latest button brings the end back.
  // As a person does it: with the wheel (the view tells a person's scroll from the
  // engine's by the input that came with it).
  await tid('transcript').evaluate((el) => {
    el.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, bubbles: true }));
    el.scrollTop = 0;
  });
  await until('the first item rendered', async () => (await deepText(tid('transcript'))).includes('bob joined'));
  await visible('jump-latest');
  await tid('jump-latest').click();
  await until('back at the end', async () => (await deepText(tid('transcript'))).includes('[piece 1500/1500]'));
  // One wheel notch up from the end stays up (it is less than the distance that counts as
  // "at the end"; the view used to snap back after every notch).
  const fromEnd = () => tid('transcript').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
  await until('at the very end', async () => (await fromEnd()) < 2);
  const tbox = await tid('transcript').boundingBox();
  await page.mouse.move(tbox.x + tbox.width / 2, tbox.y + tbox.height / 2);
  await page.mouse.wheel(0, -30);
  await until('the wheel moved the view', async () => (await fromEnd()) > 10);
  await new Promise((r) => setTimeout(r, 400));
  check((await fromEnd()) > 10, 'the view snapped back to the end after one wheel notch up');
  await visible('jump-latest');
  // Sending one's own prompt while scrolled up brings the end back, as in a chat (a tester
  // sent one and had to find Latest to see it).
  await input.fill('sent while scrolled up');
  await input.press('Enter');
  await until('the end back in view after sending', async () => (await fromEnd()) < 60 && (await tid('jump-latest').count()) === 0);
  await until('the prompt in view', async () => (await deepText(tid('transcript'))).includes('sent while scrolled up'));
  await until('its turn done', async () => (await tid('turn-end').last().getAttribute('data-status')) === 'done');
  // The visible area shrinks while the view follows the end (a taller prompt box, a smaller
  // window): the end stays in view (a tester's reply, and a tool request's card, went out of
  // view below, with no Latest to say so).
  // Shrunk here by the transcript's own box, so that nothing else renders again (a render
  // of the list follows the end by itself).
  // Measured three frames after: the view follows within one (a ResizeObserver runs before
  // the frame is drawn), and nothing else renders the list meanwhile.
  await until('at the very end again', async () => (await fromEnd()) < 2);
  const shrunk = await tid('transcript').evaluate(async (el) => {
    el.getRootNode().host.style.maxHeight = '240px';
    for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));
    return el.scrollHeight - el.scrollTop - el.clientHeight;
  });
  check(shrunk < 2, `the end went out of view as the transcript's area shrank (${shrunk} px below)`);
  await tid('transcript').evaluate((el) => { el.getRootNode().host.style.maxHeight = ''; });
  // A tool request asked while the host reads further up: Latest says so (a tester's card,
  // and its countdown, waited out of view under a plain "Latest").
  const pending = page.locator('[data-testid=permission-card][data-status=pending]');
  await ask('touch five FAKE_ASK');
  await pending.first().waitFor();
  await tid('transcript').evaluate((el) => {
    el.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, bubbles: true }));
    el.scrollTop = 0;
  });
  await until('Latest says a tool request waits', async () => (await tid('jump-latest').count()) === 1 && (await deepText(tid('jump-latest'))).includes('A tool request waits for you'));
  // The card in view, though not at the end: Latest does not say it waits, in a pill that
  // covered part of that card (a user tester's).
  await tid('jump-latest').click();
  await until('at the end, the card in view', async () => (await fromEnd()) < 2 && (await pending.count()) > 0);
  await tid('transcript').evaluate((el) => {
    el.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, bubbles: true }));
    el.scrollTop -= 90;
  });
  await until('the card in view, Latest plain', async () => {
    const box = await pending.first().boundingBox();
    const view = await tid('transcript').boundingBox();
    // Mostly in view (the view's own measure: 60% of the card).
    const shown = box === null || view === null ? 0 : Math.min(box.y + box.height, view.y + view.height) - Math.max(box.y, view.y);
    const inView = box !== null && shown >= 0.6 * Math.min(box.height, view.height);
    return inView && (await tid('jump-latest').count()) === 1 && (await deepText(tid('jump-latest'))).trim() === 'Latest';
  });
  await tid('transcript').evaluate((el) => {
    el.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, bubbles: true }));
    el.scrollTop = 0;
  });
  await until('Latest says a tool request waits, again', async () => (await tid('jump-latest').count()) === 1 && (await deepText(tid('jump-latest'))).includes('A tool request waits for you'));
  await tid('jump-latest').click();
  await until('the request in view', async () => {
    const box = await pending.first().boundingBox();
    const view = await tid('transcript').boundingBox();
    return box !== null && view !== null && box.y < view.y + view.height && box.y + box.height > view.y;
  });
  await decide(tid('permission-allow'), async () => (await pending.count()) === 0, 'the request allowed from the view Latest scrolled to');
  await answered('touch five');
});

test('a 10,000-event transcript stays smooth (the same UI, the demo backend)', async () => {
  // The built UI from a plain file server, with the in-memory demo backend playing the host.
  const dist = join(root, 'frontend', 'dist');
  const files = await serveDir(dist);
  const demo = await browser.newPage({ viewport: { width: 1180, height: 800 } });
  try {
    await demo.goto(`${files.url}?demo=1&screen=party&history=0&teammates=0&bench=10000`);
    const t = demo.getByTestId('transcript');
    await until('10,000 events loaded', async () => Number(await t.getAttribute('data-seq')) >= 10_000, 60_000);
    const rendered = Number(await t.getAttribute('data-rendered'));
    check(rendered > 0 && rendered < 60, `rendered ${rendered} of ${await t.getAttribute('data-items')} items`);
    // 300 appended events, each with its render and layout.
    const times = await demo.evaluate(async () => {
      const gen = window.concordiaDemoBench(300);
      const scroller = () => document.querySelector('concordia-app').shadowRoot.querySelector('party-view').shadowRoot.querySelector('transcript-view').shadowRoot.querySelector('.scroller');
      const out = [];
      for (const e of gen) {
        const t0 = performance.now();
        window.concordiaDemo.inject(e);
        await new Promise((r) => {
          const ch = new MessageChannel();
          ch.port1.onmessage = r;
          ch.port2.postMessage(0);
        });
        void scroller().scrollHeight;
        out.push(performance.now() - t0);
      }
      return out.sort((a, b) => a - b);
    });
    const p95 = times[Math.floor(times.length * 0.95)];
    // A coarse guard only: what keeps an append cheap is that few rows are rendered
    // (checked above); the figure itself is measured in docs/PERFORMANCE.md. At 50 ms
    // this failed a CI run on a loaded machine (70 ms, with other tests running).
    console.log(`     append p95 ${p95.toFixed(1)} ms at 10,000 events`);
    check(p95 < 150, `append p95 ${p95.toFixed(1)} ms at 10,000 events (before virtualising: about 250 ms)`);
    const follows = await t.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 60);
    check(follows, 'the big transcript does not follow new events');
    // A row that shrinks while the view follows, with new events in the same update: the
    // engine lowers scrollTop (the content under the bottom shrank), which is not the
    // person scrolling up — the view keeps following (a reviewer's).
    const shrunk = await demo.evaluate(async () => {
      const tv = document.querySelector('concordia-app').shadowRoot.querySelector('party-view').shadowRoot.querySelector('transcript-view').shadowRoot;
      const el = tv.querySelector('.scroller');
      const top = el.getBoundingClientRect().top;
      const row = [...tv.querySelectorAll('.item-row')].find((r) => r.getBoundingClientRect().top > top && r.getBoundingClientRect().bottom < top + el.clientHeight - 100);
      row.style.height = `${Math.max(row.getBoundingClientRect().height - 60, 4)}px`;
      row.style.overflow = 'hidden';
      for (const e of window.concordiaDemoBench(3)) window.concordiaDemo.inject(e);
      await new Promise((r) => setTimeout(r, 500));
      return el.scrollHeight - el.scrollTop - el.clientHeight;
    });
    check(shrunk < 60, `the view stopped following when a row shrank as events came in (${shrunk} px from the end)`);
    // The same after a click on a row and Enter on a button in it: a decision (Allow, Send)
    // shrinks its card right after, and that read as the person scrolling up (a tester's).
    const clicked = await demo.evaluate(async () => {
      const tv = document.querySelector('concordia-app').shadowRoot.querySelector('party-view').shadowRoot.querySelector('transcript-view').shadowRoot;
      const el = tv.querySelector('.scroller');
      const top = el.getBoundingClientRect().top;
      const row = [...tv.querySelectorAll('.item-row')].find((r) => r.getBoundingClientRect().top > top && r.getBoundingClientRect().bottom < top + el.clientHeight - 100);
      row.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true }));
      window.dispatchEvent(new PointerEvent('pointerup'));
      const button = document.createElement('button');
      row.append(button);
      button.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
      row.style.height = `${Math.max(row.getBoundingClientRect().height - 60, 4)}px`;
      row.style.overflow = 'hidden';
      for (const e of window.concordiaDemoBench(3)) window.concordiaDemo.inject(e);
      await new Promise((r) => setTimeout(r, 500));
      return el.scrollHeight - el.scrollTop - el.clientHeight;
    });
    check(clicked < 60, `the view stopped following when a row shrank after a click in it (${clicked} px from the end)`);
    // Scrolling up in the frame an event arrives in stays up: the event's render used to
    // put the view back at the end before the scroll event said the person had left it.
    const top = await demo.evaluate(async () => {
      const el = document.querySelector('concordia-app').shadowRoot.querySelector('party-view').shadowRoot.querySelector('transcript-view').shadowRoot.querySelector('.scroller');
      el.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, bubbles: true }));
      el.scrollTop = 0;
      for (const e of window.concordiaDemoBench(1)) window.concordiaDemo.inject(e);
      await new Promise((r) => setTimeout(r, 300));
      return el.scrollTop;
    });
    check(top < 2_000, `the view went back to the end (scrollTop ${top}) when an event came in as it was scrolled up`);
    await demo.getByTestId('jump-latest').waitFor();
  } finally {
    await demo.close();
    await files.close();
  }
});

/** Answers the native save dialog (GTK, on this X display): types path and presses Enter. */
async function answerSaveDialog(path) {
  const wid = await until('the save dialog', () => {
    try {
      return execFileSync('xdotool', ['search', '--onlyvisible', '--name', 'Save the transcript'], { encoding: 'utf8' }).trim().split('\n')[0];
    } catch {
      return null;
    }
  });
  // No window manager here: focus the dialog directly, then type into its name field.
  execFileSync('xdotool', ['windowfocus', '--sync', wid]);
  execFileSync('xdotool', ['key', 'ctrl+a']);
  execFileSync('xdotool', ['type', '--delay', '5', path]);
  execFileSync('xdotool', ['key', 'Return']);
}

// A window tester's web view reloaded while it hosted: Home showed the party running, with
// no way back into it, and Create said "already in a party".
// And what its prompt box held unsent comes back with it (Go keeps it as it is typed).
test('a page loaded again while hosting goes back into the running party', async () => {
  const draft = 'half a prompt,\nnot sent before the reload';
  await tid('prompt-input').fill(draft);
  await page.waitForTimeout(800); // the draft is kept within 300 ms
  await page.reload();
  await visible('prompt-input');
  await textOf('transcript', '[piece 1500/1500]');
  check((await tid('end-party').count()) === 1, 'End party is not offered after the reload');
  const back = await tid('prompt-input').inputValue();
  check(back === draft, `the prompt box holds ${JSON.stringify(back)} after the reload`);
  await shot('party-after-reload');
  await tid('prompt-input').fill('');
  await page.waitForTimeout(800);
});

test('End party: the transcript stays with the reason, Save as Markdown, Back to home', async () => {
  await tid('end-party').click();
  await visible('end-party-dialog');
  await shot('party-end-confirm');
  await tid('end-party-confirm').click();
  await visible('party-ended');
  await textOf('party-ended-reason', 'You ended the party.');
  check(await tid('prompt-input').isDisabled(), 'the prompt box is not disabled on an ended party');
  // Said by the banner and the phase, not a third time under the prompt box (a window tester's).
  check((await tid('prompt-disabled-reason').count()) === 0, 'the prompt box repeats that the party has ended');
  check((await tid('end-party').count()) === 0, 'End party is still offered');
  await textOf('transcript', '[piece 1500/1500]');
  const code = await until('bob to leave the ended party', () => (bob.exitCode !== undefined ? { code: bob.exitCode } : null));
  check(code.code === 0, `bob's CLI exited with ${code.code}`);
  await shot('party-ended');

  const out = join(tmp, 'saved', 'party.md');
  mkdirSync(dirname(out), { recursive: true });
  await tid('save-transcript').click();
  await answerSaveDialog(out);
  await until('the transcript file', () => existsSync(out));
  await textOf('notice', `Saved the transcript to ${out}`);
  const md = await until('the whole transcript', () => {
    const t = readFileSync(out, 'utf8');
    return t.includes('**How it ended:** hazel ended the party') ? t : null;
  });
  for (const want of ["# hazel's party", '**bob** asked', '## Sent to the agent', '**Claude Code:**', 'Tool request: Bash', '— **allowed** by hazel', '*Rejected by hazel*: `not today`', '## Files changed in the working directory', '- renamed `renamed.txt` from `old.txt`']) {
    check(md.includes(want), `the saved transcript lacks ${JSON.stringify(want)}`);
  }
  await tid('back-home').click();
  await visible('home');
  await tid('party-view').waitFor({ state: 'hidden' });
  await shot('home-after-party');
});

// Toasts and the timeline (issue 10.6, 10.7): frontend/e2e/timeline.mjs.
timelineTests({ page: () => page, browser: () => browser, tid, visible, textOf, deepText, shot, root, artifacts, fakeClaude });

// Join that explains; Create party remembers (issue 10.4, 10.5): frontend/e2e/join.mjs.
joinTests({
  page: () => page, tid, visible, textOf, attrOf, shot, cli, typeInvite, deepText, tmp, fakeClaude, readSettings,
  restartApp: async () => {
    await app.stop();
    app = startApp();
    await until('the restarted dev server to answer', async () => (await fetch(appURL)).ok, 90_000);
    await page.reload();
  },
});

test('Resume: a party that shared the whole folder asks first, and resumes sharing what was answered', async () => {
  // A party of this app's data directory, hosted from a terminal sharing the whole folder
  // and stopped cleanly (no one can resume a party while its host runs).
  const dataDir = dirname(settingsPath);
  const host = cli('tree-host', [
    'host', '--listen', '127.0.0.1:0', '--claude', fakeClaude, '--data-dir', dataDir, '--workdir', workdir2,
    '--merge', 'local', '--name', 'hazel', '--share-workspace', 'tree', '--no-local-repl',
  ]);
  await host.expect(/^invite code: concordia:\/\//);
  const code = await host.stop();
  check(code === 0, `the terminal host exited with ${code} on SIGTERM`);
  const [, journal] = await host.expect(/its journal is (\S+\.jsonl)/);
  const id = journal.split('/').pop().replace(/\.jsonl$/, '');
  check(/^[0-9a-f]+$/.test(id), `no party id in the host's journal path: ${journal}`);

  await page.reload(); // the home screen reads the list again
  const row = page.locator(`[data-testid=recent-party][data-id="${id}"]`);
  await row.waitFor();
  await row.locator('[data-testid=recent-resume]').click();
  const ask = row.locator('[data-testid=recent-tree-confirm]');
  await ask.waitFor();
  check((await ask.innerText()).includes('.env files and other secrets included'), `the question: ${await ask.innerText()}`);
  await shot('resume-tree-confirm');
  check((await tid('party-view').count()) === 0, 'the party was resumed before the question was answered');
  await row.locator('[data-testid=recent-tree-changes]').click();

  await visible('party-view');
  if ((await tid('changes-panel').count()) === 0) await tid('changes-toggle').click();
  await until('the resumed party to share the changes only', async () => (await tid('share-level').inputValue()) === 'changes');
  check((await tid('tab-tree').count()) === 0, 'the whole folder is shared after the answer "the changes only"');
  // Everyone is told the party shares less than it did.
  await textOf('transcript', 'the party was resumed: the party now shares the changed files and their diffs');
  await shot('resumed-changes-only');
  await tid('changes-close').click(); // End party is in the people panel, which it covers
  await tid('end-party').click();
  await tid('end-party-confirm').click();
  await visible('party-ended');
  await tid('back-home').click();
  await visible('home');

  // The journal keeps what the answer chose: the list, read again, says so, and the next
  // Resume does not ask.
  const again = page.locator(`[data-testid=recent-party][data-id="${id}"][data-workspace=changes]`);
  await again.waitFor();
  await again.locator('[data-testid=recent-resume]').click();
  await visible('party-view');
  await tid('end-party').click();
  await tid('end-party-confirm').click();
  await visible('party-ended');
  await tid('back-home').click();
  await visible('home');
});

// ---------------------------------------------------------------------------------------
// Running.

let appURL = '';

/** Starts the dev app on appURL's port with the test HOME. */
function startApp() {
  const port = new URL(appURL).port;
  return new Proc('concordia-dev', devBin, ['-devserver', `127.0.0.1:${port}`, '-assetdir', join(root, 'frontend', 'dist')], {
    cwd: root,
    env: cleanEnv(home),
  });
}

let trapPort = 0;

async function main() {
  if (!devBin || !fakeClaude) {
    console.log('browser e2e: set CONCORDIA_E2E_DEV_BIN and CONCORDIA_E2E_FAKECLAUDE (run `make test-ui`)');
    console.log('browser: 0 passed, 1 failed');
    return 1;
  }
  seedWorkdir();
  mkdirSync(dirname(settingsPath), { recursive: true, mode: 0o700 });
  writeFileSync(settingsPath, JSON.stringify(initialSettings, null, 2), { mode: 0o600 });

  const trap = createHTTPServer((req, res) => {
    trapHits++;
    res.end();
  });
  await new Promise((r) => trap.listen(0, '127.0.0.1', r));
  trapPort = trap.address().port;
  await new Promise((r) => fakeGemini.listen(0, '127.0.0.1', r));
  geminiURL = `http://127.0.0.1:${fakeGemini.address().port}/`;

  const url = (appURL = `http://127.0.0.1:${await freePort()}/`);
  app = startApp();
  const ready = await until('the dev server to answer', async () => {
    if (app.exitCode !== undefined) return 'exited';
    const res = await fetch(url);
    return res.ok ? 'ready' : null;
  }, 90_000).catch((e) => e.message);
  if (ready !== 'ready') {
    console.log(`browser e2e: the dev app did not start (${ready}); stderr:\n${app.stderr}`);
    await stopAll();
    trap.close();
    fakeGemini.close();
    console.log('browser: 0 passed, 1 failed');
    return 1;
  }

  browser = await chromium.launch({
    executablePath: chromiumPath,
    // Our own handlers (below) close the browser and stop the app on a signal.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1180, height: 800 } });
  page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => {
    // Wails' dev-mode glue (/wails/ipc.js) throws once on load; that is not our code.
    if (!(e.stack ?? '').includes('/wails/')) pageErrors.push(e.stack ?? e.message);
  });
  await page.goto(url);

  test('no uncaught errors in the page', async () => {
    check(pageErrors.length === 0, `uncaught errors:\n${pageErrors.join('\n')}`);
  });

  const failed = await runTests({
    screenshot: shot,
    afterAll: async () => {
      await browser.close();
      trap.close();
      fakeGemini.close();
      const code = await app.stop();
      writeFileSync(join(artifacts, 'browser-app.log'), app.stderr);
      await stopAll();
      rmSync(tmp, { recursive: true, force: true });
      check(code === 0, `the dev app exited with ${code} on SIGTERM (log: ${join(artifacts, 'browser-app.log')})`);
    },
  });
  return failed > 0 ? 1 : 0;
}

// Stopped from outside (test-ui.sh's time limit, Ctrl-C): close the browser, stop every
// program started here, and exit; never take longer than 15 s about it.
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.once(sig, () => {
    console.log(`browser e2e: ${sig}; stopping`);
    setTimeout(() => process.exit(code), 15_000).unref();
    void Promise.allSettled([browser?.close(), stopAll()]).then(() => process.exit(code));
  });
}

main().then(
  (code) => process.exit(code),
  async (e) => {
    console.log(`browser e2e: ${e.stack ?? e}`);
    await stopAll().catch(() => {});
    console.log('browser: 0 passed, 1 failed');
    process.exit(1);
  },
);
