// Screenshots of the window's screens with the in-memory demo backend (?demo=1), for
// docs/screenshots/ and for looking at the UI while working on it. Serve frontend/dist
// first (npm run preview), then: node e2e/demo-shots.mjs [URL] [OUTDIR]
//
// Each shot waits for what it shows (a card, a button), so it fails loudly when the UI
// does not get there.

import { chromium } from 'playwright-core';
import { armed } from './harness.mjs';

const base = process.argv[2] ?? 'http://127.0.0.1:5173/';
const out = process.argv[3] ?? 'test-artifacts';

const browser = await chromium.launch({
  executablePath: process.env.CONCORDIA_E2E_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});

// SHOTS=name,name takes only those (the others stay as they are in docs/screenshots/).
const only = process.env.SHOTS ? process.env.SHOTS.split(',') : null;

async function shot(name, query, { width = 1180, height = 800, wait, act } = {}) {
  if (only && !only.includes(name)) return;
  const page = await browser.newPage({ viewport: { width, height } });
  await page.goto(`${base}?demo=1&${query}`);
  if (act) await act(page);
  if (wait) await page.getByTestId(wait).first().waitFor({ timeout: 30_000 });
  const allow = page.getByTestId('permission-allow');
  if ((await allow.count()) > 0) await armed(allow.first(), `${name}: Allow enabled`);
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${out}/${name}.png` });
  await page.close();
  console.log(`${out}/${name}.png`);
}

const party = 'screen=party&history=0';
await shot('create-party-permissions', 'teammates=0', {
  wait: 'home-mode',
  act: async (p) => {
    await p.getByTestId('home-mode').waitFor();
    await p.getByTestId('home-mode').selectOption('all');
  },
});
await shot('approval-card', `${party}&approve&ask`, { wait: 'approval-send' });
await shot('approval-card-co-editing', `${party}&approve&ask&coediting`, { wait: 'approval-others-editing' });
await shot('permission-card', `${party}&ask`, { wait: 'permission-allow' });
await shot('approval-card-participant', 'screen=joined&approve&ask&history=0', { wait: 'approval-waiting' });
await shot('stop', `${party}&slow=6`, {
  act: async (p) => {
    await p.getByTestId('stop-turn').waitFor({ timeout: 30_000 });
    await p.waitForTimeout(2500);
  },
  wait: 'stop-turn',
});
await shot('stop-stopped', `${party}&slow=6`, {
  act: async (p) => {
    await p.getByTestId('stop-turn').waitFor({ timeout: 30_000 });
    await p.waitForTimeout(2500);
    await p.getByTestId('stop-turn').click();
  },
  wait: 'turn-end',
});
await shot('roles', `${party}&ask&approve`, {
  act: async (p) => {
    await p.locator('[data-testid=participant-item][data-name=carol]').waitFor({ timeout: 30_000 });
    await p.locator('[data-testid=participant-item][data-name=carol] [data-testid=member-role]').selectOption('viewer');
    await p.locator('[data-testid=participant-item][data-name=bob] [data-testid=member-kick]').click();
  },
  wait: 'kick-dialog',
});
await shot('viewer', 'screen=joined&viewer&history=0', { wait: 'prompt-disabled-reason' });
// Settings during a party: hosting defaults are for the next party, and what this one uses.
await shot('settings-in-party', `${party}&ask`, {
  act: async (p) => {
    await p.getByTestId('party-settings').click();
  },
  wait: 'settings-party-note',
});
await shot('permission-card-800x600', `${party}&ask`, { width: 800, height: 600, wait: 'permission-allow' });
await shot('create-party-800x600', 'teammates=0', { width: 800, height: 600, wait: 'home-mode' });
await shot('panel-800x600', `${party}&ask`, {
  width: 800,
  height: 600,
  act: async (p) => {
    await p.getByTestId('panel-toggle').click();
  },
  wait: 'member-role',
});
await shot('invites-confirm', party, {
  width: 1280,
  act: async (p) => {
    await p.getByTestId('invites-rotate').click();
  },
  wait: 'invites-confirm',
});
await shot('recent-parties', '', { width: 1280, height: 800, wait: 'recent-parties' });
// Resume of a party that shared the whole folder (.env included) asks first.
await shot('resume-tree-confirm', '', {
  width: 1280,
  height: 800,
  act: async (p) => {
    const row = p.locator('[data-testid=recent-party][data-workspace=tree]');
    await row.getByTestId('recent-resume').click();
  },
  wait: 'recent-tree-confirm',
});
// Resume of a party that stopped with a prompt the agent never had, and a turn cut
// short: it says who asked what before sending them on.
await shot('resume-unanswered', '', {
  width: 1280,
  height: 800,
  act: async (p) => {
    const row = p.locator('[data-testid=recent-party]').filter({ hasText: 'p-7f3a9c21' });
    await row.getByTestId('recent-resume').click();
  },
  wait: 'recent-unanswered-confirm',
});
// Settings: Close with changes not saved asks; a loopback listen address with a public
// host is explained under the network fields.
await shot('settings-unsaved', '', {
  act: async (p) => {
    await p.getByTestId('home-settings').click();
    await p.getByTestId('settings-name').fill('ann-laptop');
    await p.getByTestId('settings-cancel').click();
  },
  wait: 'settings-unsaved',
});
await shot('settings-unreachable', '', {
  act: async (p) => {
    await p.getByTestId('home-settings').click();
    await p.getByTestId('settings-listen').fill('127.0.0.1:8765');
    await p.getByTestId('settings-public-host').fill('192.0.2.2');
    await p.getByTestId('settings-unreachable').scrollIntoViewIfNeeded();
  },
  wait: 'settings-unreachable',
});
// A host changes the tool permissions of the running party; Allow everything asks first.
await shot('tool-permissions', `${party}&ask`, {
  act: async (p) => {
    await p.getByTestId('permission-mode-select').selectOption('edits');
    await p.getByText('set tool permissions to edits').first().waitFor({ timeout: 30_000 });
  },
  height: 1150,
  wait: 'permission-mode-select',
});
await shot('tool-permissions-all', `${party}&ask`, {
  act: async (p) => {
    await p.getByTestId('permission-mode-select').selectOption('all');
  },
  wait: 'permission-all-dialog',
});
// Scrolled up with the wheel while events keep arriving: the view stays where the person
// put it, and Latest brings the end back.
await shot('transcript-scrolled-up', 'screen=party&history=0&teammates=0&bench=2000', {
  act: async (p) => {
    const t = p.getByTestId('transcript');
    await t.waitFor({ timeout: 30_000 });
    for (let i = 0; i < 300 && !(Number(await t.getAttribute('data-seq')) >= 2000); i++) await p.waitForTimeout(100);
    const box = await t.boundingBox();
    await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await p.mouse.wheel(0, -1500);
    await p.evaluate(() => {
      for (const e of window.concordiaDemoBench(20)) window.concordiaDemo.inject(e);
    });
    await p.waitForTimeout(500);
  },
  wait: 'jump-latest',
});
// A history longer than the page is handed (20,000 events): the transcript opens with a
// line that says earlier events are not shown, seen here scrolled to the top.
// A lone prompt that min prompts holds, with the host's Send now beside the phase.
await shot('send-now', 'screen=party&history=0&teammates=0&min=2&say=add%20a%20test', { wait: 'send-now' });
// A turn the agent failed twice: its author can put the prompt back in the box.
await shot('failed-turn-recall', 'screen=party&history=0&teammates=0&say=fix%20the%20bug%20DEMO_CRASH', { wait: 'turn-recall' });
// A party started with sharing off: the Share menu says why it cannot share.
await shot('share-cannot', 'screen=party&history=0&teammates=0&share=off', {
  act: async (p) => {
    await p.getByTestId('changes-toggle').click();
  },
  wait: 'share-hint',
});
await shot('history-cut', 'screen=party&history=0&teammates=0&bench=25000', {
  act: async (p) => {
    const t = p.getByTestId('transcript');
    await t.waitFor({ timeout: 60_000 });
    const box = await t.boundingBox();
    await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 200; i++) {
      await p.mouse.wheel(0, -100_000);
      await p.waitForTimeout(50);
      const first = await p.getByTestId('transcript-item').first().textContent();
      if (first?.startsWith('Earlier events of this party are not shown')) return;
    }
    throw new Error('history-cut: the transcript does not open with the note');
  },
});
// Editing a prompt that waits for approval into "/clear": the card says it goes as words.
await shot('approval-slash-hint', `${party}&teammates=0&approve&say=tidy%20the%20readme`, {
  act: async (p) => {
    await p.getByTestId('approval-edit').first().click();
    await p.getByTestId('approval-text').first().fill('/clear');
  },
  wait: 'approval-slash-hint',
});
// A prompt a host edited before sending it: "edited by a host", its text "as sent".
await shot('edited-batch', `${party}&teammates=0&approve&say=tidy%20the%20readme`, {
  act: async (p) => {
    await p.getByTestId('approval-edit').first().click();
    await p.getByTestId('approval-text').first().fill('tidy the readme, and keep its first two commands');
    await p.getByTestId('approval-send-edited').first().click();
    await p.getByTestId('batch-merged-toggle').first().click();
    await p.getByTestId('batch-merger').first().scrollIntoViewIfNeeded();
  },
  wait: 'batch-merged',
});
// The Changes panel after the demo's second turn: a binary file says so, not "+0 −0".
await shot('changes-binary', `${party}&teammates=0&say=add%20a%20json%20flag`, {
  act: async (p) => {
    await p.getByTestId('changes-toggle').click();
    let sent = false;
    for (let i = 0; i < 120 && (await p.getByTestId('file-binary').count()) === 0; i++) {
      await p.waitForTimeout(1000);
      const allow = p.getByTestId('permission-allow');
      if ((await allow.count()) > 0) await allow.first().click().catch(() => {});
      if (!sent && (await p.getByTestId('turn-end').count()) > 0) {
        const box = p.getByTestId('prompt-input');
        await box.fill('now find the TODOs');
        await box.press('Enter');
        sent = true;
      }
    }
  },
  wait: 'file-binary',
});
// Always allow Bash asks first: every command, unasked, on the owner's computer.
await shot('always-bash-confirm', `${party}&ask`, {
  act: async (p) => {
    const always = p.getByTestId('permission-always').first();
    await always.waitFor({ timeout: 30_000 });
    await armed(always, 'always-bash-confirm: Always allow enabled');
    await always.click();
  },
  wait: 'permission-always-confirm',
});
// A 400 px window during a tool request: the phase has a row of its own, nothing scrolls sideways.
await shot('narrow-400-permission', `${party}&history=0&ask`, { width: 400, height: 700, wait: 'permission-allow' });
// An error while the Changes panel is open: the toast stands over the conversation, clear of
// the panel's title and "← Files".
await shot('toast-beside-changes', party, {
  width: 1600,
  height: 900,
  wait: 'notice',
  act: async (p) => {
    await p.getByTestId('changes-toggle').click();
    await p.getByTestId('changes-panel').waitFor();
    await p.getByTestId('agent-command-input').fill('oops');
    await p.getByTestId('agent-command-run').click();
  },
});
// Find in the conversation (Ctrl+F): the match in a folded tool step's output, unfolded and marked.
await shot('find', 'screen=party&teammates=0', {
  act: async (p) => {
    await p.getByTestId('prompt-input').fill('add a json flag');
    await p.getByTestId('prompt-input').press('Enter');
    for (let i = 0; i < 120 && (await p.getByText('All tests pass').count()) === 0; i++) {
      const allow = p.getByTestId('permission-allow');
      if ((await allow.count()) > 0 && (await allow.first().isEnabled())) await allow.first().click().catch(() => {});
      await p.waitForTimeout(500);
    }
    await p.keyboard.press('Control+f');
    await p.getByTestId('find-input').fill('bad_flag');
    await p.waitForTimeout(600);
  },
  wait: 'find-count',
});
// A request a host denied: its step says "denied", not "failed", as the turn's end does.
await shot('denied-step', `${party}&history=0&teammates=0&ask`, {
  act: async (p) => {
    await p.getByTestId('prompt-input').fill('run the tests please');
    await p.getByTestId('prompt-input').press('Enter');
    const deny = p.getByTestId('permission-deny').first();
    await deny.waitFor({ timeout: 30_000 });
    await armed(deny, 'denied-step: Deny enabled');
    await p.getByTestId('permission-reason').first().fill('not now');
    await deny.click();
    await p.getByTestId('turn-end').first().waitFor({ timeout: 30_000 });
    for (const g of await p.getByTestId('tool-group-toggle').all()) await g.click();
    await p.getByTestId('tool-step-denied').first().scrollIntoViewIfNeeded();
  },
  wait: 'tool-step-denied',
});
// Three requests at once, the bottom one denied: a blank keeps its place, the others' buttons stay put.
await shot('requests-kept-place', 'screen=party&teammates=0&history=0&ask&asks=3', {
  width: 1000,
  height: 700,
  act: async (p) => {
    await p.getByTestId('prompt-input').fill('add a --json flag to concordia version');
    await p.getByTestId('prompt-input').press('Enter');
    for (let i = 0; i < 100 && (await p.locator('[data-testid=permission-card][data-status=pending]').count()) < 3; i++) await p.waitForTimeout(100);
    const cards = p.getByTestId('permission-card');
    await armed(cards.nth(2).getByTestId('permission-deny'), 'requests-kept-place: Deny enabled');
    await cards.nth(2).getByTestId('permission-reason').fill('not now');
    await cards.nth(2).getByTestId('permission-deny').click();
    await p.waitForTimeout(500);
  },
});
// Create party's More options: how long an undecided tool request waits.
await shot('create-permission-timeout', 'teammates=0', {
  act: async (p) => {
    await p.getByTestId('home-more').locator('summary').click();
    await p.getByTestId('home-permission-timeout').scrollIntoViewIfNeeded();
  },
  wait: 'home-permission-timeout',
});
// Stop while a tool request waits: nobody refused it, so it says cancelled, not denied.
await shot('stop-cancelled', `${party}&teammates=0&ask`, {
  act: async (p) => {
    await p.getByTestId('prompt-input').fill('run the tests please');
    await p.getByTestId('prompt-input').press('Enter');
    await p.getByTestId('permission-allow').first().waitFor({ timeout: 30_000 });
    await p.getByTestId('stop-turn').click();
    await p.getByTestId('turn-end').first().waitFor({ timeout: 30_000 });
  },
  wait: 'turn-end',
});
// Plan mode: the agent's plan to approve, whole.
await shot('plan-card', `${party}&teammates=0&plan`, {
  act: async (p) => {
    await p.getByTestId('prompt-input').fill('add a hello script');
    await p.getByTestId('prompt-input').press('Enter');
  },
  wait: 'permission-allow',
});
// Find counts every match and marks the others in the item too.
await shot('find-count', 'screen=party&history=0&teammates=0&bench=400', {
  act: async (p) => {
    await p.getByTestId('transcript').waitFor();
    await p.keyboard.press('Control+f');
    await p.getByTestId('find-input').fill('window');
    await p.waitForTimeout(600);
    await p.keyboard.press('Enter'); // around, to the first
    await p.waitForTimeout(600);
    await p.keyboard.press('Enter'); // the reply's first, its other one marked too
    await p.waitForTimeout(600);
  },
  wait: 'find-count',
});
await browser.close();
