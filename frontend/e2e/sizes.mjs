// The window at every size (issue 10.3): 640×480, 800×600, 1280×800 and 1920×1080.
//
// The built UI (frontend/dist) is served by a plain file server and played by the demo
// backend (?demo=1): the same components as the real window, with a scripted party, so each
// size sees the same screens. At each size the tests measure what a person would see:
//
//   - the transcript and the prompt box are in view and not covered by anything;
//   - below 900 px the side panel is a drawer: closed at first, opened by its header button,
//     over the transcript but never over the prompt box, closed by Escape and by a click
//     outside it; from 900 px it is a column beside the conversation;
//   - nothing is wider than the window (no horizontal scrollbar), the header is one row
//     with every control inside the window (two rows at 400×700, during a tool request);
//   - dialogs (settings, join, end party) fit in the window with their buttons in view;
//   - the Changes panel, a permission card and an ended party fit too; a long path in the
//     Changes list and in a turn's "Files changed" is cut, not run off the panel or the card.
//
// Screenshots: test-artifacts/size-WxH-NAME.png (the ones in docs/screenshots/ are copies).
//
// run.mjs declares these tests with sizeTests() among its own, and adds one with the real
// bindings (the live party at 640×480). Alone, against the demo only:
//   cd frontend && npm run build && node e2e/sizes.mjs

import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { armed, check, ensureDir, join, runTests, serveDir, test, until } from './harness.mjs';

/** The window sizes the issue names, smallest first. */
export const SIZES = [
  [640, 480],
  [800, 600],
  [1280, 800],
  [1920, 1080],
];

/** Below this width the side panel is a drawer (party-view.ts). */
const DRAWER_BELOW = 900;
/** Below this width the Changes panel is a drawer over the transcript. */
const CHANGES_DRAWER_BELOW = 1100;

// ---------------------------------------------------------------------------------------
// Measurements, in the page. Elements are found by test id through the open shadow roots.

/**
 * Where the element is and whether a person sees it: inside the window, and the topmost
 * element at its centre (or at the point fx, fy of its box) is the element itself or inside
 * it. Returns { box, inView, onTop, hit } (hit names what is on top instead).
 */
async function seen(loc, fx = 0.5, fy = 0.5) {
  return loc.evaluate(
    (el, [fx, fy]) => {
      const r = el.getBoundingClientRect();
      const x = r.left + r.width * fx;
      const y = r.top + r.height * fy;
      let hit = document.elementFromPoint(x, y);
      while (hit?.shadowRoot) {
        const inner = hit.shadowRoot.elementFromPoint(x, y);
        if (!inner || inner === hit) break;
        hit = inner;
      }
      let onTop = false;
      for (let n = hit; n; n = n.parentNode ?? n.host) {
        if (n === el) {
          onTop = true;
          break;
        }
      }
      const name = (n) => (n ? `${n.localName}${n.dataset?.testid ? `[${n.dataset.testid}]` : ''}${n.className && typeof n.className === 'string' ? `.${n.className.trim().split(/\s+/).join('.')}` : ''}` : 'nothing');
      return {
        box: { x: Math.round(r.left), y: Math.round(r.top), w: Math.round(r.width), h: Math.round(r.height) },
        inView: r.width > 0 && r.height > 0 && r.left >= -0.5 && r.top >= -0.5 && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5,
        onTop,
        hit: name(hit),
      };
    },
    [fx, fy],
  );
}

/** Fails unless the element with test id id is in the window and on top. */
async function mustSee(page, id, what, fx, fy) {
  const loc = page.getByTestId(id).first();
  await loc.waitFor({ state: 'visible' });
  const s = await seen(loc, fx, fy);
  check(s.inView, `${what}: [${id}] is not inside the ${page.viewportSize().width}×${page.viewportSize().height} window: ${JSON.stringify(s.box)}`);
  check(s.onTop, `${what}: [${id}] is covered by ${s.hit} at ${JSON.stringify(s.box)}`);
  return s.box;
}

/**
 * Fails when the page is wider than the window, or the party header spills or wraps (into
 * more than headerRows rows: two below 520 px, where the phase has a row of its own).
 */
async function noOverflow(page, what, headerRows = 1, textSize = 1) {
  const m = await page.evaluate(() => {
    const out = { scrollWidth: document.scrollingElement.scrollWidth, innerWidth, outside: [] };
    // The party header: one row, every control inside the window.
    const app = document.querySelector('concordia-app')?.shadowRoot;
    const top = app?.querySelector('party-view')?.shadowRoot?.querySelector('.top');
    if (top) {
      const r = top.getBoundingClientRect();
      out.header = Math.round(r.height);
      for (const c of top.children) {
        const b = c.getBoundingClientRect();
        if (b.width === 0) continue; // hidden at this width
        if (b.left < -0.5 || b.right > innerWidth + 0.5) out.outside.push(`${c.localName}.${c.className} ${Math.round(b.left)}..${Math.round(b.right)}`);
      }
    }
    return out;
  });
  check(m.scrollWidth <= m.innerWidth, `${what}: the page is ${m.scrollWidth} px wide in a ${m.innerWidth} px window (a horizontal scrollbar)`);
  check(m.outside.length === 0, `${what}: header controls outside the window: ${m.outside.join(', ')}`);
  // (Text larger than usual makes a row taller: state/zoom.ts.)
  if (m.header !== undefined) check(m.header <= (64 + 40 * (headerRows - 1)) * Math.max(1, textSize), `${what}: the header is ${m.header} px high (it wrapped)`);
}

/** The demo's changed file with a long path (src/state/demo-backend.ts, DEMO_LONG_PATH). */
const LONG_PATH = 'docs/release-notes/the-version-command/a-folder-name-long-enough-to-run-off-the-panel/json-output.md';

/**
 * A path longer than the Changes panel is wide: its row is cut inside the panel with its
 * file name and its +N −N counts in view, the full path is its tooltip, and the list does not
 * scroll sideways; its "Files changed" chip in the turn stays inside the turn's card (a tester:
 * the path ran off the panel with no ellipsis, the counts went out of view, the chip stuck out).
 */
async function longPathFits(page, what) {
  const row = page.locator(`[data-testid=changes-file][data-path="${LONG_PATH}"]`);
  await row.waitFor({ state: 'visible' });
  const m = await row.evaluate((el) => {
    const box = (n) => {
      const r = n.getBoundingClientRect();
      return { l: Math.round(r.left), r: Math.round(r.right) };
    };
    const list = el.closest('.body');
    const name = el.querySelector('.name');
    return {
      row: box(el), panel: box(el.getRootNode().host), counts: box(el.querySelector('.counts')), name: name && box(name),
      nameWhole: Boolean(name) && name.scrollWidth <= name.clientWidth, title: el.querySelector('.path')?.title,
      listScroll: list.scrollWidth - list.clientWidth,
    };
  });
  const j = JSON.stringify(m);
  check(m.listScroll <= 0, `${what}: the Changes list scrolls sideways by ${m.listScroll} px with a long path ${j}`);
  check(m.row.r <= m.panel.r + 1, `${what}: the long path's row runs past the Changes panel ${j}`);
  check(m.counts.l >= m.row.l && m.counts.r <= m.row.r + 1, `${what}: the long path's +N −N counts are out of view ${j}`);
  check(m.nameWhole && m.name?.r <= m.counts.l, `${what}: the long path's file name is cut or under its counts ${j}`);
  check(m.title === LONG_PATH, `${what}: the long path's tooltip is ${JSON.stringify(m.title)}`);

  const chip = page.locator(`[data-testid=turn-file][data-path="${LONG_PATH}"]`).first();
  await chip.waitFor({ state: 'attached' });
  const c = await chip.evaluate((el) => {
    const a = el.getBoundingClientRect();
    const card = el.closest('article').getBoundingClientRect();
    return { chip: [Math.round(a.left), Math.round(a.right)], card: [Math.round(card.left), Math.round(card.right)] };
  });
  check(c.chip[0] >= c.card[0] && c.chip[1] <= c.card[1], `${what}: the long path's "Files changed" chip sticks out of its card ${JSON.stringify(c)}`);
}

/** Fails unless the dialog with test id id and its button button fit in the window. */
async function dialogFits(page, id, button, what) {
  const box = await mustSee(page, id, what, 0.5, 0.05);
  await mustSee(page, button, `${what}: its button`);
  const vp = page.viewportSize();
  check(box.h <= vp.height && box.w <= vp.width, `${what}: the dialog (${box.w}×${box.h}) is larger than the window`);
  await buttonsWhole(page, id, what);
}

/**
 * Every button in the dialog's footer shows its whole label, inside the dialog: at 800 px the
 * Remove dialog's "Remove and make new invites" squeezed the other to "Keep b…" (a window
 * tester's). Only a name too long for a row of its own may be cut (Keep <name>).
 */
async function buttonsWhole(page, id, what) {
  const cut = await page.getByTestId(id).evaluate((dialog) => {
    const out = [];
    const d = dialog.getBoundingClientRect();
    for (const b of dialog.querySelectorAll(':scope > footer button')) {
      const r = b.getBoundingClientRect();
      if (r.width === 0) continue;
      const label = b.querySelector('.who') ?? b;
      if (label.scrollWidth > label.clientWidth + 0.5 || b.scrollWidth > b.clientWidth + 0.5) out.push(`"${b.textContent.trim()}" is cut`);
      if (r.left < d.left - 0.5 || r.right > d.right + 0.5) out.push(`"${b.textContent.trim()}" sticks out of the dialog`);
    }
    return out;
  });
  check(cut.length === 0, `${what}: ${cut.join('; ')}`);
}

/** The conversation at its most basic: the transcript and the prompt box, in view and usable. */
async function conversationVisible(page, what) {
  const t = await mustSee(page, 'transcript', `${what}: the transcript`);
  const vp = page.viewportSize();
  check(t.w >= Math.min(vp.width * 0.5, 600), `${what}: the transcript is only ${t.w} px wide in a ${vp.width} px window`);
  check(t.h >= vp.height * 0.4, `${what}: the transcript is only ${t.h} px high in a ${vp.height} px window`);
  await mustSee(page, 'prompt-input', `${what}: the prompt box`);
  await mustSee(page, 'prompt-send', `${what}: the send button`);
}

/**
 * The invite shown in the side panel, when it is in view, is whole: a box of three lines
 * and a scrollbar cut it at every size (a window tester's, even at 1920 wide).
 */
async function inviteWhole(page, what) {
  const link = page.getByTestId('invite-link');
  if (!(await link.isVisible())) return;
  const cut = await link.evaluate((el) => el.scrollHeight - el.clientHeight);
  check(cut <= 1, `${what}: the invite is cut (${cut} px of it scroll in its box)`);
}

/**
 * The side panel at this width: a drawer below DRAWER_BELOW (closed at first; opened by the
 * header button over the transcript, leaving the prompt box and part of the conversation in
 * view; closed by Escape and by a click outside), else a column beside the transcript.
 * shot(name) is called with the drawer open.
 */
async function sidePanel(page, what, inside, shot) {
  const vp = page.viewportSize();
  const panel = page.getByTestId('side-panel');
  const toggle = page.getByTestId('panel-toggle');
  if (vp.width >= DRAWER_BELOW) {
    check(await panel.isVisible(), `${what}: no side panel at ${vp.width} px`);
    check(!(await toggle.isVisible()), `${what}: the panel button shows though the panel is a column`);
    const p = await mustSee(page, inside, `${what}: the side panel`);
    const t = await mustSee(page, 'transcript', `${what}: the transcript beside the panel`);
    check(p.x >= t.x + t.w - 1, `${what}: the side panel (${JSON.stringify(p)}) overlaps the transcript (${JSON.stringify(t)})`);
    return;
  }
  check(!(await panel.isVisible()), `${what}: the side panel is open before anyone asked for it`);
  check((await toggle.getAttribute('aria-expanded')) === 'false', `${what}: the panel button says expanded`);
  await mustSee(page, 'panel-toggle', `${what}: the panel button`);

  // Opened by the button: over the transcript, beside a strip of it, above the prompt box.
  await toggle.click();
  await panel.waitFor({ state: 'visible' });
  check((await toggle.getAttribute('aria-expanded')) === 'true', `${what}: the open panel's button does not say expanded`);
  const d = await mustSee(page, inside, `${what}: the drawer's content`);
  const drawer = (await seen(panel)).box;
  check(drawer.x + drawer.w <= vp.width + 1 && drawer.x >= vp.width * 0.3, `${what}: the drawer (${JSON.stringify(drawer)}) is not a drawer at the right of the window`);
  await mustSee(page, 'transcript', `${what}: the conversation beside the open drawer`, 0.1, 0.5);
  await mustSee(page, 'prompt-input', `${what}: the prompt box under the open drawer`, 0.9, 0.5);
  const prompt = (await seen(page.getByTestId('prompt-input'))).box;
  check(drawer.y + drawer.h <= prompt.y, `${what}: the drawer (${JSON.stringify(drawer)}) reaches over the prompt box (${JSON.stringify(prompt)})`);
  check(d.x >= drawer.x, `${what}: the drawer's content is outside it`);
  await noOverflow(page, `${what}, drawer open`);
  await shot();

  // Escape closes it, and the button has the focus again.
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'hidden' });
  check(await toggle.evaluate((el) => el.getRootNode().activeElement === el), `${what}: Escape closed the drawer but the focus is not back on its button`);

  // A click outside (on the transcript) closes it; a click inside does not.
  await toggle.click();
  await panel.waitFor({ state: 'visible' });
  await page.getByTestId(inside).first().click({ position: { x: 4, y: 4 } });
  check(await panel.isVisible(), `${what}: a click inside the drawer closed it`);
  const t = (await seen(page.getByTestId('transcript'))).box;
  await page.mouse.click(t.x + 12, t.y + t.h / 2);
  await panel.waitFor({ state: 'hidden' });
  check((await toggle.getAttribute('aria-expanded')) === 'false', `${what}: the closed panel's button says expanded`);
}

// ---------------------------------------------------------------------------------------
// The tests.

/**
 * Declares the size tests. ctx: browser() returns the browser; artifacts is where
 * screenshots go; realPage(), when given, returns the page of run.mjs's live party (a host
 * with a CLI participant) for one check with the real bindings.
 */
export function sizeTests({ browser, artifacts, realPage }) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  let files = null;
  let page = null;

  /** A fresh demo page at width×height, showing query, once the test id wait is visible (in browser b, or the suite's). */
  async function open(width, height, query, wait, b = browser()) {
    if (!files) files = await serveDir(join(root, 'dist'));
    await page?.close();
    page = await b.newPage({ viewport: { width, height } });
    page.setDefaultTimeout(30_000);
    await page.goto(`${files.url}?demo=1&${query}`);
    await page.getByTestId(wait).first().waitFor({ state: 'visible' });
    await page.waitForTimeout(300); // the opening animations
    return page;
  }

  const shot = async (p, name) => p.screenshot({ path: join(artifacts, `size-${name}.png`) });

  /** Runs fn; on failure keeps a screenshot of the demo page (the runner's is of run.mjs's). */
  const withShot = (label, fn) => async () => {
    try {
      await fn();
    } catch (e) {
      if (page && !page.isClosed()) await shot(page, `failed-${label}`).catch(() => {});
      throw e;
    }
  };

  for (const [w, h] of SIZES) {
    const size = `${w}x${h}`;

    test(`${w}×${h}: the home screen, Settings and the join dialog fit`, withShot(`${size}-home`, async () => {
      let p = await open(w, h, 'teammates=0', 'home');
      await mustSee(p, 'home-create', `home at ${size}: Create party`);
      await noOverflow(p, `home at ${size}`);
      // One column: a joiner finds Join at the top, with nothing scrolled (its card is under the form).
      if (w < 760) await mustSee(p, 'home-join-top', `home at ${size}: Join, unscrolled`);
      else check(!(await p.getByTestId('home-join-top').isVisible()), `home at ${size}: the one-column Join strip shows beside the Join card`);
      await shot(p, `${size}-home`);
      await p.getByTestId('home-join').scrollIntoViewIfNeeded(); // one column below 760 px: the page scrolls
      await mustSee(p, 'home-join', `home at ${size}: Join`);

      p = await open(w, h, 'screen=settings', 'settings-panel');
      await dialogFits(p, 'settings-panel', 'settings-save', `Settings at ${size}`);
      await mustSee(p, 'settings-cancel', `Settings at ${size}: Close`);
      await noOverflow(p, `Settings at ${size}`);
      // The body scrolls when it is taller than the window: its last field can be reached.
      await p.getByTestId('settings-public-host').scrollIntoViewIfNeeded();
      await mustSee(p, 'settings-public-host', `Settings at ${size}: the last field, scrolled to`);
      await dialogFits(p, 'settings-panel', 'settings-save', `Settings at ${size}, scrolled`);
      await shot(p, `${size}-settings`);
      await p.keyboard.press('Escape');
      await p.getByTestId('settings-panel').waitFor({ state: 'detached' });

      p = await open(w, h, 'screen=join', 'join-dialog');
      await dialogFits(p, 'join-dialog', 'join-submit', `the join dialog at ${size}`);
      await mustSee(p, 'join-invite', `the join dialog at ${size}: the invite field`);
      // A whole pinned invite is read at once, with no scrollbar (a window tester's field of
      // two rows scrolled its third line).
      const field = p.getByTestId('join-invite');
      await field.fill(`concordia://192.168.1.20:8765/TgNMDR0Upfx0aYHEJt19UvIP1j7zqKBoZP_HVxfZ7ms?fp=${'9f86d081884c7d65'.repeat(4)}`);
      const scrolls = await field.evaluate((el) => el.scrollHeight - el.clientHeight);
      check(scrolls <= 1, `the join dialog at ${size}: a whole invite scrolls its field by ${scrolls} px`);
      await noOverflow(p, `the join dialog at ${size}`);
      await shot(p, `${size}-join`);
    }));

    test(`${w}×${h}: the host's party — conversation, side panel, Changes, a permission card, the end`, withShot(`${size}-host`, async () => {
      const p = await open(w, h, 'screen=party&ask', 'transcript-item');
      const what = `the host at ${size}`;
      await p.getByTestId('participant-item').nth(2).waitFor({ state: 'attached' }); // bob and carol joined
      await conversationVisible(p, what);
      await noOverflow(p, what);
      await shot(p, `${size}-host`);
      await sidePanel(p, what, 'participants-list', async () => {
        await inviteWhole(p, what);
        await shot(p, `${size}-host-panel`);
      });
      await inviteWhole(p, what);
      if (w < DRAWER_BELOW) {
        // A dialog opened from the drawer: Escape closes the dialog, not the drawer under it.
        await p.getByTestId('panel-toggle').click();
        await p.locator('[data-testid=participant-item][data-name=bob] [data-testid=member-kick]').click();
        await dialogFits(p, 'kick-dialog', 'kick-confirm', `${what}: Remove bob?`);
        await p.getByTestId('kick-rotate').check();
        await dialogFits(p, 'kick-dialog', 'kick-confirm', `${what}: Remove bob? with new invites`);
        await shot(p, `${size}-kick-rotate`);
        await p.keyboard.press('Escape');
        await p.getByTestId('kick-dialog').waitFor({ state: 'detached' });
        check(await p.getByTestId('side-panel').isVisible(), `${what}: Escape in the Remove dialog closed the drawer too`);
        await p.keyboard.press('Escape');
        await p.getByTestId('side-panel').waitFor({ state: 'hidden' });
      }

      // A permission card (the agent asks before its first tool): its buttons fit the transcript.
      const allow = p.getByTestId('permission-allow').first();
      await allow.waitFor({ state: 'visible', timeout: 45_000 });
      await allow.scrollIntoViewIfNeeded();
      for (const id of ['permission-allow', 'permission-deny']) await mustSee(p, id, `${what}: the permission card`);
      const t = (await seen(p.getByTestId('transcript'))).box;
      const deny = (await seen(p.getByTestId('permission-deny').first())).box;
      check(deny.x + deny.w <= t.x + t.w, `${what}: the permission card's Deny (${JSON.stringify(deny)}) sticks out of the transcript (${JSON.stringify(t)})`);
      await noOverflow(p, `${what}, a permission card`);
      // Allow takes clicks (and looks it) a moment after the card shows (cards.ts ARM_MS).
      await armed(allow, `${what}: Allow enabled`);
      await shot(p, `${size}-permission`);
      await allow.click();

      // The Changes panel: a drawer over the transcript (not the prompt box) below 1100 px,
      // a column beside it from there; Escape closes the drawer.
      await p.getByTestId('changes-toggle').click();
      const changes = p.getByTestId('changes-panel');
      await changes.waitFor({ state: 'visible' });
      await mustSee(p, 'changes-close', `${what}: the Changes panel's close button`);
      const c = (await seen(changes)).box;
      await mustSee(p, 'prompt-input', `${what}: the prompt box with Changes open`, 0.9, 0.5);
      await mustSee(p, 'transcript', `${what}: the transcript with Changes open`, 0.05, 0.5);
      await noOverflow(p, `${what}, Changes open`);
      await longPathFits(p, what);
      if (h < 560) {
        // A low window keeps the list's room: the level's hint is the menu's tooltip (at
        // 640×480 a tester's drawer showed two and a half files under the share section).
        const share = await changes.evaluate((el) => el.shadowRoot.querySelector('.share')?.getBoundingClientRect().height ?? 0);
        check(share > 0 && share <= 90, `${what}: the share section takes ${Math.round(share)} px of the Changes panel`);
      }
      await shot(p, `${size}-changes`);
      if (w < CHANGES_DRAWER_BELOW) {
        const prompt = (await seen(p.getByTestId('prompt-input'))).box;
        check(c.y + c.h <= prompt.y, `${what}: the Changes drawer (${JSON.stringify(c)}) reaches over the prompt box`);
        await p.keyboard.press('Escape');
        await changes.waitFor({ state: 'detached' });
      } else {
        const tr = (await seen(p.getByTestId('transcript'))).box;
        check(c.x >= tr.x + tr.w - 1 && tr.w >= 480, `${what}: the Changes column (${JSON.stringify(c)}) leaves the transcript ${JSON.stringify(tr)}`);
        await p.getByTestId('changes-close').click();
        await changes.waitFor({ state: 'detached' });
      }

      // The end: the confirmation fits, then the ended party with its way home.
      if (w < DRAWER_BELOW) await p.getByTestId('panel-toggle').click();
      await p.getByTestId('end-party').click();
      await dialogFits(p, 'end-party-dialog', 'end-party-confirm', `${what}: End the party?`);
      await p.getByTestId('end-party-confirm').click();
      await p.getByTestId('party-ended').waitFor({ state: 'visible' });
      if (w < DRAWER_BELOW && (await p.getByTestId('side-panel').isVisible())) await p.keyboard.press('Escape');
      for (const id of ['save-transcript', 'back-home']) await mustSee(p, id, `${what}: the ended party`);
      await conversationVisible(p, `${what}, ended`);
      await noOverflow(p, `${what}, ended`);
      await shot(p, `${size}-ended`);
    }));

    test(`${w}×${h}: a participant's party — conversation and side panel`, withShot(`${size}-participant`, async () => {
      const p = await open(w, h, 'screen=joined', 'transcript-item');
      const what = `a participant at ${size}`;
      await conversationVisible(p, what);
      await noOverflow(p, what);
      await shot(p, `${size}-participant`);
      await sidePanel(p, what, 'participants-list', async () => {
        await mustSee(p, 'leave-party', `${what}: Leave in the drawer`);
        await shot(p, `${size}-participant-panel`);
      });
      // Settings in a party opens at its top: the note that its values are the next party's
      // defaults in view (a tester's, at 640×480, read them as the running party's). With the
      // keyring unavailable the keyboard is on Close, not on a text field: a window tester's
      // pasted key went into the display name, and Enter saved it.
      const q = await open(w, h, 'screen=joined&keyring=0', 'transcript-item');
      await q.getByTestId('party-settings').click();
      await q.getByTestId('settings-party-note').waitFor({ state: 'visible' });
      await q.waitForFunction(() => {
        const panel = document.querySelector('concordia-app').shadowRoot.querySelector('settings-panel');
        return panel?.shadowRoot?.activeElement?.matches('[data-testid=settings-close]');
      });
      const seenThere = await q.evaluate(() => {
        const root = document.querySelector('concordia-app').shadowRoot.querySelector('settings-panel').shadowRoot;
        const body = root.querySelector('.body').getBoundingClientRect();
        const note = root.querySelector('[data-testid=settings-party-note]').getBoundingClientRect();
        const inBody = (top, bottom) => top >= body.top - 0.5 && bottom <= body.bottom + 0.5;
        const keyring = root.querySelector('[data-testid=settings-keyring-unavailable]').getBoundingClientRect();
        return { note: inBody(note.top, note.top + 24), keyring: inBody(keyring.top, keyring.bottom) };
      });
      check(seenThere.note, `Settings in a party at ${size}, the keyring unavailable: the note's first line in view (${JSON.stringify(seenThere)})`);
      // Where the panel shows it with them, the Gemini section's word on the keyring too: it
      // opened scrolled past it (a window tester's, at 1280×800).
      if (h >= 800) check(seenThere.keyring, `Settings in a party at ${size}, the keyring unavailable: its note in view (${JSON.stringify(seenThere)})`);
      await shot(q, `${size}-participant-settings`);
    }));
  }

  // A tester's 400 px window scrolled sideways while a tool request waited ("Waiting for a tool
  // decision" and Stop in the header), People and Settings out of view.
  test('400×700: during a tool request nothing is wider than the window; the header is two rows, every control in it', withShot('400x700-permission', async () => {
    const p = await open(400, 700, 'screen=party&history=0&ask', 'transcript-item');
    await p.getByTestId('permission-allow').first().waitFor({ state: 'visible', timeout: 45_000 });
    await p.getByTestId('stop-turn').waitFor({ state: 'visible' });
    await noOverflow(p, 'the host at 400×700, a tool request waiting', 2);
    for (const id of ['party-settings', 'panel-toggle', 'changes-toggle', 'stop-turn', 'phase-pill']) await mustSee(p, id, `the host at 400×700: [${id}]`);
    await shot(p, '400x700-permission');
    // The phase's row is there whatever its length: the header does not jump as it changes
    // (a reviewer's was one row while idle, two during a request).
    const height = () => p.evaluate(() => Math.round(document.querySelector('concordia-app').shadowRoot.querySelector('party-view').shadowRoot.querySelector('.top').getBoundingClientRect().height));
    const during = await height();
    const idle = await open(400, 700, 'screen=party&history=0&teammates=0', 'transcript-item');
    const idleHeight = await idle.evaluate(() => Math.round(document.querySelector('concordia-app').shadowRoot.querySelector('party-view').shadowRoot.querySelector('.top').getBoundingClientRect().height));
    check(idleHeight === during, `the header at 400×700 is ${idleHeight} px high while idle, ${during} px during a tool request`);
  }));

  // A window tester tabbed from the prompt box into the side panel at 1280×800: Copy viewer
  // link showed 10 px of its focus ring above the sticky End party bar, and the next stop
  // was hidden under it. Every stop the keyboard reaches there is in view, clear of the bar.
  test('1280×800: every control Tab reaches in the side panel is in view, not under End party', withShot('tab-aside', async () => {
    const p = await open(1280, 800, 'screen=party&history=0', 'transcript-item');
    await p.getByTestId('participant-item').nth(2).waitFor({ state: 'attached' });
    await p.getByTestId('prompt-input').click();
    let inAside = 0;
    for (let i = 0; i < 40; i++) {
      await p.keyboard.press('Tab');
      await p.waitForTimeout(60); // a focus scroll
      const f = await p.evaluate(() => {
        let el = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        let aside = null;
        for (let n = el; n; n = n.parentNode ?? n.host) if (n.localName === 'aside') aside = n;
        if (!el || !aside) return { aside: false };
        const r = el.getBoundingClientRect();
        const bar = aside.querySelector('.leave')?.getBoundingClientRect();
        const name = `${el.localName}[${el.dataset?.testid ?? el.textContent.trim().slice(0, 30)}]`;
        const inBar = bar && r.top >= bar.top - 0.5 && r.bottom <= bar.bottom + 0.5;
        return { aside: true, name, clear: inBar || !bar || r.bottom <= bar.top + 0.5, top: r.top >= aside.getBoundingClientRect().top - 0.5, box: [Math.round(r.top), Math.round(r.bottom)], bar: bar && Math.round(bar.top) };
      });
      if (!f.aside) continue;
      inAside++;
      check(f.clear && f.top, `Tab to ${f.name} in the side panel: at ${JSON.stringify(f.box)}, under the End party bar from ${f.bar}`);
    }
    check(inAside >= 4, `Tab reached only ${inAside} controls in the side panel`);
  }));

  test('400×700: the home screen header keeps Join and Settings inside the window', withShot('400x700-home', async () => {
    const p = await open(400, 700, 'teammates=0', 'home');
    for (const id of ['home-join-top', 'home-settings', 'home-create']) await mustSee(p, id, `home at 400×700: [${id}]`);
    await noOverflow(p, 'home at 400×700');
  }));

  // A window tester's People list showed "member2" as "mem…" beside its role select and
  // Remove: a name they would cut gets a row of its own, and they go on the next, at its right.
  for (const [w, h] of [[1180, 800], [400, 700]]) {
    test(`${w}×${h}: People keeps a host's controls from cutting a short name`, withShot(`${w}x${h}-people`, async () => {
      const long = 'helpdesk-infrastructure-teams-and-their-friends-on-call';
      const p = await open(w, h, `screen=party&names=member2,${long}`, 'transcript-item');
      await p.getByTestId('participant-item').nth(2).waitFor({ state: 'attached' });
      if (w < DRAWER_BELOW) {
        await p.getByTestId('panel-toggle').click();
        await p.getByTestId('side-panel').waitFor({ state: 'visible' });
      }
      const aside = (await seen(p.getByTestId('side-panel'))).box;
      for (const name of ['member2', long]) {
        const row = p.locator(`[data-testid=participant-item][data-name="${name}"]`);
        const label = row.locator('.name');
        const [shown, whole] = await label.evaluate((el) => [el.clientWidth, el.scrollWidth]);
        if (name === 'member2') check(whole <= shown, `${w}×${h}: "member2" is cut (${shown} of ${whole} px) beside its controls`);
        for (const id of ['member-role', 'member-kick']) {
          const b = (await seen(row.getByTestId(id))).box;
          check(b.x >= aside.x && b.x + b.w <= aside.x + aside.w + 1, `${w}×${h}: ${name}'s [${id}] (${JSON.stringify(b)}) is outside the panel (${JSON.stringify(aside)})`);
        }
      }
      await noOverflow(p, `the People list at ${w}×${h}`, w < 520 ? 2 : 1);
      await shot(p, `${w}x${h}-people`);
    }));
  }
  // A window tester's tooltip on Remove (a native title) ran past the window's right edge:
  // the button is at the panel's right. The window's own tooltip says it, inside the panel
  // and the window, on hover and on the keyboard's focus, and is the button's description.
  for (const [w, h] of [[1280, 800], [640, 480]]) {
    test(`${w}×${h}: Remove's explanation shows inside the window, on hover and on focus`, withShot(`${w}x${h}-remove-tip`, async () => {
      const p = await open(w, h, 'screen=party', 'transcript-item');
      await p.getByTestId('participant-item').nth(2).waitFor({ state: 'attached' });
      if (w < DRAWER_BELOW) {
        await p.getByTestId('panel-toggle').click();
        await p.getByTestId('side-panel').waitFor({ state: 'visible' });
      }
      const row = p.locator('[data-testid=participant-item][data-name=bob]');
      const kick = row.getByTestId('member-kick');
      const tip = row.getByTestId('member-kick-tip');
      check((await kick.getAttribute('title')) === null, `${w}×${h}: Remove still has a native tooltip`);
      const described = await kick.evaluate((el) => el.getRootNode().getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? null);
      check(described === 'Remove bob from the party', `${w}×${h}: Remove is described as ${JSON.stringify(described)}`);
      const fits = async (how) => {
        await tip.waitFor({ state: 'visible' });
        // It takes no clicks (pointer-events: none), which elementFromPoint passes through:
        // measured taking them, the mouse where it was.
        await tip.evaluate((el) => { el.style.pointerEvents = 'auto'; });
        const t = await seen(tip);
        await tip.evaluate((el) => { el.style.pointerEvents = ''; });
        const aside = (await seen(p.getByTestId('side-panel'))).box;
        check(t.inView, `${w}×${h}, ${how}: Remove's tooltip (${JSON.stringify(t.box)}) runs out of the window`);
        check(t.box.x >= aside.x && t.box.x + t.box.w <= aside.x + aside.w + 1, `${w}×${h}, ${how}: Remove's tooltip (${JSON.stringify(t.box)}) runs out of the panel (${JSON.stringify(aside)})`);
        check(t.onTop, `${w}×${h}, ${how}: Remove's tooltip is covered by ${t.hit}`);
      };
      await kick.hover();
      await fits('hovered');
      await shot(p, `${w}x${h}-remove-tip`);
      await p.mouse.move(2, 2);
      await tip.waitFor({ state: 'hidden' });
      // The keyboard: Tab from the role select beside it.
      await row.getByTestId('member-role').focus();
      await p.keyboard.press('Tab');
      check(await kick.evaluate((el) => el.getRootNode().activeElement === el), `${w}×${h}: Tab from bob's role did not reach Remove`);
      await fits('focused');
    }));
  }
  // A window tester clicked Changes, and People appeared where Changes had been: a second
  // click on the same spot opened People instead of closing Changes.
  test('1180×800: Changes stays where it was clicked, and a second click there closes it', withShot('changes-stays', async () => {
    const p = await open(1180, 800, 'screen=party', 'transcript-item');
    const button = p.getByTestId('changes-toggle');
    const before = (await seen(button)).box;
    await button.click();
    await p.getByTestId('changes-panel').waitFor({ state: 'visible' });
    await mustSee(p, 'panel-toggle', 'People beside an open Changes at 1180×800');
    const after = (await seen(button)).box;
    check(Math.abs(after.x - before.x) <= 1, `Changes moved from x ${before.x} to ${after.x} when it opened`);
    await p.mouse.click(before.x + before.w / 2, before.y + before.h / 2);
    await p.getByTestId('changes-panel').waitFor({ state: 'detached' });
    check(!(await p.getByTestId('side-panel').isVisible()) || (await p.getByTestId('panel-toggle').getAttribute('aria-expanded')) === 'false', 'the second click opened People');
  }));
  // A short name keeps its controls on its row.
  // A window tester clicked ✕ beside a member: the Remove dialog opened and the ✕'s tooltip
  // stayed, under the dimmed backdrop. The dialog's focus ends the click's tip-off (blur),
  // and WebKitGTK keeps :hover on the button until the pointer moves: held here through
  // the DevTools protocol (Chromium moves :hover to the backdrop by itself).
  // A window tester's Create form at 1180×720 (a banner above it, 40 px): the sticky Create
  // party bar covered the approval checkbox's hint at first view. At first view and scrolled
  // to the end, that hint and the form's last line before the bar are wholly above it.
  test('1180×720 and 1180×680: Create party\'s sticky bar covers no line of the approval checkbox or the form\'s end', withShot('create-bar', async () => {
    for (const h of [720, 680]) {
      const p = await open(1180, h, '', 'home-name');
      const measure = () => p.evaluate(() => {
        const hs = document.querySelector('concordia-app').shadowRoot.querySelector('home-screen').shadowRoot;
        const bar = hs.querySelector('.actions').getBoundingClientRect();
        const approve = [...hs.querySelectorAll('form .hint')].find((e) => /reject it first/.test(e.textContent));
        const lines = [...approve.getClientRects()];
        const last = hs.querySelector('details.more > summary').getBoundingClientRect();
        return { barTop: Math.round(bar.top), hintBottom: Math.round(Math.max(...lines.map((r) => r.bottom))), lastBottom: Math.round(last.bottom) };
      });
      const first = await measure();
      await shot(p, `1180x${h}-create-bar`);
      check(first.hintBottom <= first.barTop, `1180×${h} at first view: the bar covers the approval checkbox's hint ${JSON.stringify(first)}`);
      await p.evaluate(() => {
        const home = document.querySelector('concordia-app').shadowRoot.querySelector('home-screen');
        home.scrollTop = home.scrollHeight;
      });
      await p.waitForTimeout(200);
      const end = await measure();
      check(end.lastBottom <= end.barTop, `1180×${h} scrolled to the end: the bar covers the form's last line ${JSON.stringify(end)}`);
    }
  }));

  // A window tester tabbed through the Create form: the focused approval checkbox's caption
  // went under the sticky Create party bar (1180×720), and at 800 px the "What may the agent
  // do" select was half under it. Each control Tab reaches in the form, with its whole field
  // (label, caption), is above the bar once focused.
  test('1180×720 and 800×600: Tab brings each field of the Create form whole into view above its sticky bar', withShot('create-tab', async () => {
    for (const [w, h] of [[1180, 720], [800, 600]]) {
      const p = await open(w, h, '', 'home-name');
      await p.getByTestId('home-name').focus();
      const seenFields = [];
      for (let i = 0; i < 14; i++) {
        await p.keyboard.press('Tab');
        await p.waitForTimeout(120);
        const m = await p.evaluate(() => {
          const hs = document.querySelector('concordia-app').shadowRoot.querySelector('home-screen').shadowRoot;
          const el = hs.activeElement;
          if (!el || !el.closest('form') || el.closest('.actions')) return null;
          const field = el.closest('label.check, .field') ?? el;
          const r = field.getBoundingClientRect();
          const bar = hs.querySelector('.actions').getBoundingClientRect();
          return { what: el.dataset.testid || el.localName, top: Math.round(r.top), bottom: Math.round(r.bottom), barTop: Math.round(bar.top) };
        });
        if (!m) continue;
        seenFields.push(m.what);
        check(m.top >= 0 && m.bottom <= m.barTop, `${w}×${h}: the focused ${m.what}'s field is not whole above the Create party bar ${JSON.stringify(m)}`);
        if (m.what === 'home-approve') await shot(p, `${w}x${h}-create-tab-approve`);
      }
      check(seenFields.includes('home-mode') && seenFields.includes('home-approve'), `${w}×${h}: Tab did not reach the mode and the approval checkbox: ${JSON.stringify(seenFields)}`);
    }
  }));

  test('1280×800: a member\'s ✕ tooltip is gone while the Remove dialog is open', withShot('kick-tip', async () => {
    const p = await open(1280, 800, 'screen=party', 'member-kick');
    const kick = p.getByTestId('member-kick').first();
    await kick.hover();
    await p.getByTestId('member-kick-tip').first().waitFor({ state: 'visible' });
    await kick.click();
    await p.getByTestId('kick-dialog').waitFor({ state: 'visible' });
    const cdp = await p.context().newCDPSession(p);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    await cdp.send('DOM.getDocument', { depth: -1, pierce: true }); // the shadow roots' nodes get ids
    const { result } = await cdp.send('Runtime.evaluate', {
      expression: "document.querySelector('concordia-app').shadowRoot.querySelector('party-view').shadowRoot.querySelector('[data-testid=member-kick]')",
    });
    const { nodeId } = await cdp.send('DOM.requestNode', { objectId: result.objectId });
    await cdp.send('CSS.forcePseudoState', { nodeId, forcedPseudoClasses: ['hover'] });
    check(await kick.evaluate((b) => b.matches(':hover') && !b.classList.contains('tip-off')), 'the ✕ is not hovered with its tooltip armed: the test holds nothing');
    const tip = await p.getByTestId('member-kick-tip').first().evaluate((t) => getComputedStyle(t).display);
    await shot(p, '1280x800-kick-dialog');
    check(tip === 'none', `the ✕'s tooltip shows under the Remove dialog (display ${tip})`);
    await cdp.detach();
    await p.getByTestId('kick-cancel').click();
  }));

  // A window tester made "root" a co-host: root jumped to the top of People (hosts first),
  // and the select under the pointer, with the focus, was another member's. The list keeps
  // its order while the pointer or the focus is in it, and takes the host's once both leave.
  test("1280×800: a role changed in People leaves the row under the pointer, the focus in it", withShot('people-role-change', async () => {
    const p = await open(1280, 800, `screen=party&names=${encodeURIComponent('bob,root')}`, 'transcript-item');
    const rows = () => p.getByTestId('participant-item').evaluateAll((els) => els.map((e) => e.dataset.name));
    await until('bob and root in People', async () => (await rows()).join() === 'ann,bob,root');
    const select = p.locator('[data-testid=participant-item][data-name=root] [data-testid=member-role]');
    const box = (await seen(select)).box;
    await p.mouse.move(box.x + box.w / 2, box.y + box.h / 2);
    await select.focus(); // as a click on it does (selectOption alone does not focus)
    await select.selectOption('host');
    await until("root's role is host", async () => (await p.locator('[data-testid=participant-item][data-name=root]').getAttribute('data-role')) === 'host');
    await p.waitForTimeout(200);
    check((await rows()).join() === 'ann,bob,root', `People reordered under the pointer: ${(await rows()).join()}`);
    const under = await p.evaluate(([x, y]) => {
      let hit = document.elementFromPoint(x, y);
      while (hit?.shadowRoot?.elementFromPoint(x, y) && hit.shadowRoot.elementFromPoint(x, y) !== hit) hit = hit.shadowRoot.elementFromPoint(x, y);
      let a = document.activeElement;
      while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
      return { hit: hit?.closest('[data-testid=participant-item]')?.dataset.name, focus: a?.closest('[data-testid=participant-item]')?.dataset.name };
    }, [box.x + box.w / 2, box.y + box.h / 2]);
    check(under.hit === 'root' && under.focus === 'root', `after the change, the row under the pointer and the focus are not root's: ${JSON.stringify(under)}`);
    await p.mouse.move(5, 400);
    await p.getByTestId('prompt-input').focus();
    await until('People in the host\'s order once the pointer and the focus left', async () => (await rows()).join() === 'ann,root,bob');
  }));

  // A window tester's People list had the role beside a short name and under a long one
  // (ragged), and long names cut to one prefix: the role is under the name in every row, at
  // its left edge, and a long name has the row's width on two lines before it is cut.
  for (const who of ['host', 'participant']) {
    test(`1180×800: People puts the role under the name in every row (a ${who}'s view)`, withShot(`people-role-place-${who}`, async () => {
      const long = 'member number 3 of the night shift crew';
      const p = await open(1180, 800, `screen=${who === 'host' ? 'party' : 'joined'}&names=${encodeURIComponent(`bob,${long}`)}`, 'transcript-item');
      for (const name of ['bob', long]) {
        const row = p.locator(`[data-testid=participant-item][data-name="${name}"]`);
        await row.waitFor({ state: 'attached' });
        const n = (await seen(row.locator('.name'))).box;
        const r = (await seen(row.getByTestId(who === 'host' ? 'member-role' : 'member-role-tag'))).box;
        const [lines, cut] = await row.locator('.name').evaluate((el) => [Math.round(el.clientHeight / parseFloat(getComputedStyle(el).lineHeight)), el.scrollHeight > el.clientHeight + 1]);
        check(r.y >= n.y + n.h - 1 && Math.abs(r.x - n.x) <= 1, `${name}'s role (${JSON.stringify(r)}) is not under its name (${JSON.stringify(n)})`);
        if (name === long) check(lines === 2 && !cut, `"${long}" shows on ${lines} lines${cut ? ', cut' : ''}`);
      }
      await shot(p, `1180x800-people-${who}`);
    }));
  }

  test('the side panel drawer starts closed again after the window crosses the breakpoint', withShot('resize', async () => {
    const p = await open(640, 480, 'screen=party&teammates=0', 'transcript-item');
    await p.getByTestId('panel-toggle').click();
    await p.getByTestId('side-panel').waitFor({ state: 'visible' });
    await p.setViewportSize({ width: 1280, height: 800 });
    await mustSee(p, 'participants-list', 'at 1280×800 after the drawer was open');
    await p.setViewportSize({ width: 640, height: 480 });
    await until('the drawer closed at 640×480 again', async () => !(await p.getByTestId('side-panel').isVisible()));
    await conversationVisible(p, 'back at 640×480');
  }));

  // A window tester's conversation, followed at its end, went off it under Latest at each
  // key of a prompt of several lines: the box measured itself by shrinking to one row.
  test('1000×600: typing a prompt of several lines keeps the conversation at its end', withShot('multiline', async () => {
    const p = await open(1000, 600, 'screen=party&teammates=0&history=0', 'prompt-input');
    const input = p.getByTestId('prompt-input');
    for (let i = 0; i < 12; i++) {
      await input.fill(`hello number ${i}`);
      await input.press('Enter');
    }
    const scroller = () => p.evaluate(() => {
      const sc = document.querySelector('concordia-app')?.shadowRoot?.querySelector('party-view')?.shadowRoot?.querySelector('transcript-view')?.shadowRoot?.querySelector('.scroller');
      return sc ? sc.scrollHeight - sc.clientHeight : 0;
    });
    await until('the conversation longer than the window', async () => (await scroller()) > 200);
    await p.waitForTimeout(1500); // the demo's turn
    check((await p.getByTestId('jump-latest').count()) === 0, 'Latest shows before typing');
    await input.click();
    for (const line of ['one', 'two', 'three']) {
      await p.keyboard.type(line);
      await p.keyboard.press('Shift+Enter');
    }
    await p.keyboard.type('x');
    await p.waitForTimeout(300);
    check((await p.getByTestId('jump-latest').count()) === 0, 'the conversation left its end while a prompt of four lines was typed');
    for (let i = 0; i < 14; i++) await p.keyboard.press('Backspace');
    await p.waitForTimeout(300);
    check((await p.getByTestId('jump-latest').count()) === 0, 'the conversation left its end while the prompt was deleted');
  }));

  // A user tester denied the bottom one of three tool requests, then clicked where the
  // middle one's Deny had been: the decided card had shrunk, the view kept to the end, and
  // the middle card's buttons were 110 px lower, the click on other text (cards.ts,
  // #keepPlace). The cards still waiting stay put; one out of view comes into view once no
  // card in view waits.
  test('1000×700: deciding one of three tool requests leaves the others\' buttons where they were', withShot('three-requests', async () => {
    const p = await open(1000, 700, 'screen=party&teammates=0&history=0&ask&asks=3', 'prompt-input');
    await p.getByTestId('prompt-input').fill('add a --json flag to concordia version');
    await p.getByTestId('prompt-input').press('Enter');
    const cards = p.getByTestId('permission-card');
    await until('three tool requests waiting', async () => (await p.locator('[data-testid=permission-card][data-status=pending]').count()) === 3);
    await p.waitForTimeout(800); // armed, and the view settled at the end
    const where = async (k) => {
      const card = cards.nth(k);
      const box = async (id) => {
        const b = await card.getByTestId(id).boundingBox();
        return b && { x: Math.round(b.x), y: Math.round(b.y) };
      };
      return { allow: await box('permission-allow'), always: await box('permission-always'), deny: await box('permission-deny') };
    };
    const deny = async (k, why) => {
      const card = cards.nth(k);
      await card.getByTestId('permission-reason').fill(why);
      await card.getByTestId('permission-deny').click();
      await until(`request ${k + 1} denied`, async () => (await card.getAttribute('data-status')) === 'denied');
      await p.waitForTimeout(400); // laid out, and any scroll done
    };
    const middle = await where(1);
    for (const k of [1, 2]) {
      const s = await seen(cards.nth(k).getByTestId('permission-deny'));
      check(s.inView && s.onTop, `request ${k + 1}'s Deny is not in view to begin with: ${JSON.stringify(s)}`);
    }
    await shot(p, 'three-requests-before');
    await deny(2, 'not now');
    await shot(p, 'three-requests-after');
    const after = await where(1);
    check(JSON.stringify(after) === JSON.stringify(middle), `the middle request's buttons moved when the bottom one was denied: ${JSON.stringify(middle)} → ${JSON.stringify(after)}`);
    check((await p.getByTestId('jump-latest').count()) === 0, 'the view left the end when the bottom request was denied');

    // A smaller window can take every waiting card out of view: the kept space then goes (a
    // reviewer's stayed, blank, with the two waiting cards above the view).
    await p.setViewportSize({ width: 1000, height: 420 });
    await p.waitForTimeout(500);
    const kept = await p.locator('permission-card').evaluateAll((els) => els.filter((e) => e.style.minHeight !== '').length);
    let waitingInView = false;
    for (const k of [0, 1]) waitingInView ||= (await seen(cards.nth(k).getByTestId('permission-deny'))).inView;
    check(kept === 0 || waitingInView, `at 1000×420 a decided card keeps its place with no waiting card in view (${kept} kept)`);
    await shot(p, 'three-requests-smaller');
    await p.setViewportSize({ width: 1000, height: 700 });
    await p.waitForTimeout(500);

    // The middle one, where it was; then the top one, out of view above, comes into view.
    await deny(1, 'not that either');
    const top = cards.nth(0).getByTestId('permission-deny');
    const t = await seen(top);
    check(t.inView && t.onTop, `the last request waiting is not in view once the others are decided: ${JSON.stringify(t)}`);
    await shot(p, 'three-requests-last');
  }));

  // A re-tester in a 480 px high window clicked "A tool request waits for you" and landed at
  // the end, under the decided cards that filled the view: the waiting card was above it,
  // still unseen, and the pill gone. The pill brings the first waiting card into view, with
  // the keyboard on it (transcript-view.ts, #jump).
  test('640×480: "A tool request waits for you" brings the waiting card into view, not the end below it', withShot('waits-pill', async () => {
    const p = await open(640, 480, 'screen=party&teammates=0&ask&asks=4', 'prompt-input');
    await p.getByTestId('prompt-input').fill('add a --json flag to concordia version');
    await p.getByTestId('prompt-input').press('Enter');
    const cards = p.getByTestId('permission-card');
    await until('four tool requests waiting', async () => (await p.locator('[data-testid=permission-card][data-status=pending]').count()) === 4);
    // The later three decided (Deny takes clicks at once), from the bottom: the first waits.
    for (const k of [3, 2, 1]) {
      await cards.nth(k).getByTestId('permission-deny').click();
      await until(`request ${k + 1} denied`, async () => (await cards.nth(k).getAttribute('data-status')) === 'denied');
      await p.waitForTimeout(300);
    }
    // Away from it, with the wheel: up to the party's start.
    const t = (await seen(p.getByTestId('transcript'))).box;
    await p.mouse.move(t.x + t.w / 2, t.y + t.h / 2);
    for (let i = 0; i < 12; i++) {
      await p.mouse.wheel(0, -1200);
      await p.waitForTimeout(40);
    }
    const pill = p.getByTestId('jump-latest');
    await until('the pill saying a tool request waits', async () => ((await pill.textContent()) ?? '').includes('A tool request waits for you'));
    const waiting = p.locator('[data-testid=permission-card][data-status=pending]');
    await shot(p, 'waits-pill-before');
    await pill.click();
    await p.waitForTimeout(700); // rendered, measured, scrolled
    await shot(p, 'waits-pill-after');
    for (const id of ['permission-allow', 'permission-deny']) {
      const s = await seen(waiting.getByTestId(id));
      check(s.inView && s.onTop, `after the pill, the waiting request's [${id}] is not in view: ${JSON.stringify(s)}`);
    }
    // The keyboard is on the waiting card (not on the prompt box below it).
    const focus = await p.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      for (let n = el; n; n = n.parentNode ?? n.host) if (n.localName === 'permission-card') return n.permission?.status ?? 'no request';
      return el ? `${el.localName}[${el.dataset?.testid ?? ''}]` : 'nothing';
    });
    check(focus === 'pending', `after the pill, the focus is on ${focus}, not on the waiting card`);
  }));

  // "Always allow Bash" asks first, in the card: the question made the card taller, and with
  // the view following the end the card's buttons went up under the pointer, so a second
  // click could land on another button (a tester's). Whether the view follows the end or
  // not, the buttons stay where they were clicked, and the question is in view.
  for (const [w, h, follows] of [[640, 480, true], [1000, 700, false]]) {
    test(`${w}×${h}: "Always allow Bash" asks without moving the card's buttons (the view ${follows ? 'following the end' : 'scrolled up'})`, withShot(`always-${w}x${h}`, async () => {
      const p = await open(w, h, 'screen=party&teammates=0&ask', 'prompt-input');
      await p.getByTestId('prompt-input').fill('add a --json flag to concordia version');
      await p.getByTestId('prompt-input').press('Enter');
      const card = p.locator('[data-testid=permission-card][data-status=pending]').first();
      const always = card.getByTestId('permission-always');
      await always.waitFor({ state: 'visible' });
      await armed(always, 'Always allow Bash enabled');
      await p.waitForTimeout(400); // the view settled at the end
      if (!follows) {
        const t = (await seen(p.getByTestId('transcript'))).box;
        await p.mouse.move(t.x + t.w / 2, t.y + t.h / 2);
        await p.mouse.wheel(0, -120);
        await p.getByTestId('jump-latest').waitFor({ state: 'visible' });
        await p.waitForTimeout(300);
      } else {
        check((await p.getByTestId('jump-latest').count()) === 0, 'the view does not follow the end to begin with');
      }
      const where = async () => {
        const out = {};
        for (const id of ['permission-allow', 'permission-always', 'permission-deny']) {
          const b = await card.getByTestId(id).boundingBox();
          out[id] = b && [Math.round(b.x), Math.round(b.y)];
        }
        return out;
      };
      // Where they were, give or take the pixel a fractional height leaves (the scroll
      // position is whole pixels): nothing a second click could miss by.
      const same = (a, b) => Object.keys(a).every((id) => a[id] && b[id] && Math.abs(a[id][0] - b[id][0]) <= 1 && Math.abs(a[id][1] - b[id][1]) <= 1);
      const s = await seen(always);
      check(s.inView && s.onTop, `Always allow Bash is not in view to begin with: ${JSON.stringify(s)}`);
      const before = await where();
      await always.click();
      await card.getByTestId('permission-always-confirm').waitFor({ state: 'visible' });
      await p.waitForTimeout(400); // laid out, and any scroll done
      await shot(p, `always-${w}x${h}-asking`);
      const asking = await where();
      check(same(before, asking), `the card's buttons moved when Always allow Bash asked: ${JSON.stringify(before)} → ${JSON.stringify(asking)}`);
      // Under the pointer, still the button it clicked (a second click asks again, no more).
      const under = await seen(always);
      check(under.onTop, `Always allow Bash is no longer under the pointer: ${under.hit} is`);
      for (const id of ['permission-always-yes', 'permission-always-no']) await mustSee(p, id, `the question of Always allow Bash at ${w}×${h}`);
      // Cancel: the question goes, the buttons stay.
      await card.getByTestId('permission-always-no').click();
      await card.getByTestId('permission-always-confirm').waitFor({ state: 'detached' });
      await p.waitForTimeout(400);
      const after = await where();
      check(same(before, after), `the card's buttons moved when the question went: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
    }));
  }

  // A window tester's party at 640×480 scrolled sideways by 125 px, onto an empty strip: the
  // prompt box's hidden measuring copy kept the width the box had in the wider window.
  test('1180×720 then 640×480: a prompt typed in the wider window leaves no sideways scroll', withShot('typed-then-narrow', async () => {
    const p = await open(1180, 720, 'screen=party&teammates=0&history=0', 'prompt-input');
    await p.getByTestId('prompt-input').fill('a prompt typed while the window was wider');
    await p.setViewportSize({ width: 640, height: 480 });
    await p.waitForTimeout(300);
    await noOverflow(p, 'at 640×480 after typing at 1180×720');
  }));

  if (realPage) {
    test('640×480 with the real bindings: the live party keeps its conversation; the side panel is a drawer', async () => {
      const p = realPage();
      const before = p.viewportSize();
      try {
        await p.setViewportSize({ width: 640, height: 480 });
        await conversationVisible(p, 'the live party at 640×480');
        await noOverflow(p, 'the live party at 640×480');
        await p.screenshot({ path: join(artifacts, 'size-640x480-live-party.png') });
        await sidePanel(p, 'the live party at 640×480', 'participants-list', () => p.screenshot({ path: join(artifacts, 'size-640x480-live-panel.png') }));
      } finally {
        await p.setViewportSize(before);
      }
    });
  }

  // A window tester's find bar covered the transcript's first line, and the outline of the
  // match shown crossed the next item's first line. The transcript starts below the open bar,
  // and what outlines the match (the row's outline, or its ::after box) ends above the next item.
  test('1280×720: the find bar covers no line, and the match\'s outline stays off the next item', withShot('find-room', async () => {
    const p = await open(1280, 720, 'screen=party', 'transcript-item');
    await p.getByTestId('find-open').click();
    await p.getByTestId('find-input').fill('joined');
    await until('a match shown', async () => /^\d+ of \d+$/.test((await p.getByTestId('find-count').textContent())?.trim() ?? ''), 10_000);
    await p.waitForTimeout(500); // the reveal settles
    const m = await p.evaluate(async () => {
      const tv = document.querySelector('concordia-app').shadowRoot.querySelector('party-view').shadowRoot.querySelector('transcript-view').shadowRoot;
      const scroller = tv.querySelector('.scroller');
      scroller.scrollTop = 0;
      await new Promise((r) => setTimeout(r, 300));
      const bar = tv.querySelector('transcript-find').getBoundingClientRect();
      const rows = [...tv.querySelectorAll('.item-row')];
      const first = rows[0].firstElementChild.getBoundingClientRect();
      const hit = tv.querySelector('.item-row.hit');
      const box = hit.getBoundingClientRect();
      const after = getComputedStyle(hit, '::after');
      const st = getComputedStyle(hit);
      const markBottom = after.content !== 'none' && after.content !== 'normal'
        ? box.bottom - parseFloat(after.bottom)
        : st.outlineStyle !== 'none' ? box.bottom + parseFloat(st.outlineOffset) + parseFloat(st.outlineWidth) : box.bottom;
      const next = hit.nextElementSibling?.firstElementChild?.getBoundingClientRect();
      return { barBottom: Math.round(bar.bottom), firstTop: Math.round(first.top), markBottom: Math.round(markBottom), nextTop: next ? Math.round(next.top) : null };
    });
    await shot(p, '1280x720-find-room');
    check(m.firstTop >= m.barBottom, `the find bar covers the transcript's first line ${JSON.stringify(m)}`);
    check(m.nextTop !== null, `no item after the match to measure ${JSON.stringify(m)}`);
    check(m.markBottom <= m.nextTop, `the match's outline crosses the next item ${JSON.stringify(m)}`);
  }));

  test('1180×720: find brings a match in a long party into view and marks it', withShot('find-long', async () => {
    // A user tester's long party: find said "1 of 2" and showed a reply two turns away, with
    // nothing marked. The rows around the match were measured after the view was brought to
    // it, and moved it away again.
    const demo = await open(1180, 720, 'screen=party&history=0&teammates=0&bench=6000', 'transcript');
    const t = demo.getByTestId('transcript');
    await until('6,000 events loaded', async () => Number(await t.getAttribute('data-seq')) >= 6_000, 60_000);
    await t.click({ position: { x: 10, y: 10 } });
    await demo.keyboard.press('Control+f');
    await demo.getByTestId('find-input').waitFor();
    await demo.keyboard.type('turn 123: make', { delay: 10 }); // typed fast, as a person does
    const shown = () => shownIn(demo);
    /** What find shows in page p: its count, the text marked, whether the mark is in view, and the outlined item. */
    const shownIn = (p) =>
      p.evaluate(() => {
        const tv = document.querySelector('concordia-app').shadowRoot.querySelector('party-view').shadowRoot.querySelector('transcript-view').shadowRoot;
        const bar = tv.querySelector('transcript-find').shadowRoot;
        const view = tv.querySelector('.scroller').getBoundingClientRect();
        const marks = [...(CSS.highlights.get('concordia-find') ?? [])];
        const box = marks[0]?.getBoundingClientRect();
        return {
          value: bar.querySelector('input').value,
          count: bar.querySelector('[data-testid=find-count]').textContent,
          marked: marks[0] ? `${marks[0]}` : '',
          inView: Boolean(box && box.height > 0 && box.top >= view.top && box.bottom <= view.bottom),
          hit: tv.querySelector('.item-row.hit')?.textContent.replace(/\s+/g, ' ').trim() ?? '',
        };
      });
    let last;
    await until('the match typed, in view and marked', async () => {
      last = await shown();
      return last.count === '1 of 1' && last.marked.toLowerCase() === 'turn 123: make' && last.inView && last.hit.includes('Turn 123: make');
    }, 10_000).catch(() => check(false, `the match typed, in view and marked: ${JSON.stringify(last)}`));
    check((await shown()).value === 'turn 123: make', 'what was typed is all in the box');
    // Stepping between matches far apart.
    await demo.getByTestId('find-input').fill('always close');
    await until('all found', async () => /^\d+ of \d{3}$/.test((await shown()).count), 10_000);
    for (const key of ['Shift+Enter', 'Shift+Enter', 'Enter', 'Enter']) {
      await demo.keyboard.press(key);
      await until(`after ${key}`, async () => {
        last = await shown();
        return last.marked.toLowerCase() === 'always close' && last.inView && last.hit.includes('always close');
      }, 10_000).catch(() => check(false, `after ${key}: ${JSON.stringify(last)}`));
    }
    // Replies far taller than the window estimates an item (40 lines each, a user tester's
    // party): rendered, the rows above took the match out of those rendered, and the view
    // stopped three turns short of it, nothing marked.
    const long = await open(1180, 720, 'screen=party&history=0&teammates=0&bench=3000&benchlong', 'transcript');
    await until('3,000 events loaded', async () => Number(await long.getByTestId('transcript').getAttribute('data-seq')) >= 3_000, 60_000);
    await long.getByTestId('transcript').click({ position: { x: 10, y: 10 } });
    await long.keyboard.press('Control+f');
    await long.getByTestId('find-input').waitFor();
    await long.keyboard.type('turn 23: make', { delay: 10 });
    const longShown = () => shownIn(long);
    await until('the match in a party of long replies, in view and marked', async () => {
      last = await longShown();
      return last.count === '1 of 1' && last.marked.toLowerCase() === 'turn 23: make' && last.inView && last.hit.includes('Turn 23: make');
    }, 10_000).catch(() => check(false, `the match in a party of long replies: ${JSON.stringify(last)}`));
  }));

  // A window tester's 800×600 header had lost its words: the connection was an unlabelled
  // green dot, Changes a folder and a number. Idle, the words stay down to 720 px (Changes'
  // to 760), on one row; narrower, the dot is named.
  test('800×600 and 640×480: the header says the connection and Changes in words where it has room', withShot('header-words', async () => {
    const words = async (p) => p.evaluate(() => {
      const pv = document.querySelector('concordia-app').shadowRoot.querySelector('party-view').shadowRoot;
      const text = (id) => {
        const el = pv.querySelector(`[data-testid=${id}]`);
        return el && el.getBoundingClientRect().width > 0 ? el.innerText.replace(/\s+/g, ' ').trim() : '';
      };
      const conn = pv.querySelector('[data-testid=party-connection]');
      return { conn: text('party-connection'), connName: conn?.getAttribute('aria-label') ?? '', changes: text('changes-toggle'), you: text('party-you') };
    });
    let p = await open(800, 600, 'screen=party&teammates=0&history=0&ask', 'prompt-input');
    let m = await words(p);
    check(m.conn === 'Connected', `800×600: the connection says ${JSON.stringify(m.conn)}, not "Connected" ${JSON.stringify(m)}`);
    check(/^Changes \d+$/.test(m.changes), `800×600: the Changes button says ${JSON.stringify(m.changes)} ${JSON.stringify(m)}`);
    check(m.you === 'ann', `800×600: your place in the header says ${JSON.stringify(m.you)}, not your name ${JSON.stringify(m)}`);
    await noOverflow(p, 'the header at 800×600');
    await shot(p, '800x600-header');
    // Narrower, the dot alone is named for a screen reader and in its tooltip.
    p = await open(640, 480, 'screen=party&teammates=0&history=0', 'prompt-input');
    m = await words(p);
    check(m.connName === 'Connected', `640×480: the connection's dot is named ${JSON.stringify(m.connName)} ${JSON.stringify(m)}`);
  }));

  // A window tester's 800 px header during a tool request: Stop was a red square with no
  // word, your own name and avatar were gone, and the role (HOST, CO-HOST) stayed; a
  // co-host's party name was cut to "Hana's …". What gives way first is the role and other
  // decoration (party-view.ts, "What the header gives up"): from 720 px Stop says Stop and
  // your name is there, with Find, on one row.
  test('720 to 899 px during a tool request: Stop keeps its word and you your name; the role gives way first', withShot('header-priorities', async () => {
    const parts = async (p) => p.evaluate(() => {
      const pv = document.querySelector('concordia-app').shadowRoot.querySelector('party-view').shadowRoot;
      const text = (id) => {
        const el = pv.querySelector(`[data-testid=${id}]`);
        return el && el.getBoundingClientRect().width > 0 ? el.innerText.replace(/\s+/g, ' ').trim() : '';
      };
      const name = pv.querySelector('[data-testid=party-host]');
      return { stop: text('stop-turn'), you: text('party-you'), role: text('party-you-role'), party: { shown: name.clientWidth, whole: name.scrollWidth } };
    });
    for (const [q, who, me] of [['screen=party&teammates=0&history=0&ask', 'host', 'ann'], ['screen=party&teammates=0&history=0&ask&me=Hana', 'host', 'Hana']]) {
      const p = await open(800, 700, q, 'prompt-input');
      await p.getByTestId('prompt-input').fill('add a --json flag to concordia version');
      await p.getByTestId('prompt-input').press('Enter');
      await p.getByTestId('permission-allow').first().waitFor({ state: 'visible', timeout: 45_000 });
      await p.getByTestId('stop-turn').waitFor({ state: 'visible' });
      for (const w of [899, 800, 760, 720]) {
        await p.setViewportSize({ width: w, height: 700 });
        await p.waitForTimeout(150);
        const what = `the ${who} ${me}'s header at ${w}×700 during a tool request`;
        const m = await parts(p);
        const j = JSON.stringify(m);
        check(m.stop === 'Stop', `${what}: Stop says ${JSON.stringify(m.stop)} ${j}`);
        check(m.you === me, `${what}: your name shows as ${JSON.stringify(m.you)} ${j}`);
        check(m.role === '', `${what}: the role ${JSON.stringify(m.role)} stays while the rest gives way ${j}`);
        check(m.party.shown >= Math.min(m.party.whole, 88), `${what}: the party's name has only ${m.party.shown} px ${j}`);
        await noOverflow(p, what);
        for (const id of ['stop-turn', 'party-you', 'find-open', 'panel-toggle', 'changes-toggle', 'party-settings']) await mustSee(p, id, `${what}: [${id}]`);
        if (w === 800) await shot(p, `800x700-header-priorities-${me}`);
      }
    }
  }));

  // A co-host's header has what the owner's has (Stop, Send now) and more: the role's word
  // is CO-HOST, the party's name is another's, so both names can be long, and a party
  // joined without TLS has its "not encrypted" mark beside the connection's dot. Only the
  // owner's header was measured: a co-host's with long names pushed Settings out of the
  // window at 520–560 px, wrapped to a third row at 400 px, and cut the party's name to
  // 49 px at 720–800 px during a tool request. At 800 px and at 400 px (the narrowest the
  // header is measured at), idle and during a tool request: nothing leaves the window, the
  // header is one row (two below 520 px), the party's name keeps a first name's worth from
  // 720 px, and Find, Settings, People, Changes, Stop and the mark stay.
  test("a co-host's header at 800 and 400 px, idle and during a tool request, with short and long names", withShot('cohost-header', async () => {
    const parts = async (p) => p.evaluate(() => {
      const pv = document.querySelector('concordia-app').shadowRoot.querySelector('party-view').shadowRoot;
      const text = (id) => {
        const el = pv.querySelector(`[data-testid=${id}]`);
        return el && el.getBoundingClientRect().width > 0 ? el.innerText.replace(/\s+/g, ' ').trim() : '';
      };
      const name = pv.querySelector('[data-testid=party-host]');
      return {
        stop: text('stop-turn'), you: text('party-you'), role: text('party-you-role'), conn: pv.querySelector('[data-testid=party-connection]')?.dataset.status ?? '',
        party: { shown: name.clientWidth, whole: name.scrollWidth, text: name.textContent },
      };
    });
    const cases = [
      ['screen=joined&cohost&history=0&ask', 'ann', "dana's party", false],
      ['screen=joined&cohost&history=0&ask&insecure&host=Bartholomew-Alexander&me=Maximiliana', 'Maximiliana', "Bartholomew-Alexander's party", true],
    ];
    for (const [q, me, party, insecure] of cases) {
      const p = await open(800, 700, q, 'prompt-input');
      const look = async (w, phase) => {
        await p.setViewportSize({ width: w, height: 700 });
        await p.waitForTimeout(150);
        const what = `the co-host ${me}'s header in ${party} at ${w}×700${phase === 'ask' ? ' during a tool request' : ''}`;
        const m = await parts(p);
        const j = JSON.stringify(m);
        check(m.party.text === party, `${what}: the party is ${JSON.stringify(m.party.text)} ${j}`);
        check(m.conn === 'connected', `${what}: the connection is ${JSON.stringify(m.conn)}, not connected ${j}`);
        check(m.role === '', `${what}: the role ${JSON.stringify(m.role)} stays while the rest gives way ${j}`);
        if (w >= 720) {
          check(m.party.shown >= Math.min(m.party.whole, 88), `${what}: the party's name has only ${m.party.shown} px ${j}`);
          check(m.you !== '' && me.startsWith(m.you.replace(/…$/, '')), `${what}: your name shows as ${JSON.stringify(m.you)} ${j}`);
        }
        if (phase === 'ask') check(w < 720 || m.stop === 'Stop', `${what}: Stop says ${JSON.stringify(m.stop)} ${j}`);
        await noOverflow(p, what, w < 520 ? 2 : 1);
        const keep = ['find-open', 'panel-toggle', 'changes-toggle', 'party-settings', 'party-connection', ...(phase === 'ask' ? ['stop-turn'] : []), ...(w >= 720 ? ['party-you'] : []), ...(insecure ? ['party-unencrypted'] : [])];
        for (const id of keep) await mustSee(p, id, `${what}: [${id}]`);
        if (w === 800 || w === 400) await shot(p, `${w}x700-cohost-header-${phase}${insecure ? '-long' : ''}`);
      };
      for (const w of [800, 640, 560, 520, 400]) await look(w, 'idle');
      await p.setViewportSize({ width: 800, height: 700 });
      await p.getByTestId('prompt-input').fill('add a --json flag to concordia version');
      await p.getByTestId('prompt-input').press('Enter');
      await p.getByTestId('permission-allow').first().waitFor({ state: 'visible', timeout: 45_000 });
      await p.getByTestId('stop-turn').waitFor({ state: 'visible' });
      for (const w of [899, 800, 760, 720, 640, 520, 400]) await look(w, 'ask');
    }
  }));

  // A window tester's header cut your own name with half of it empty: "<img src=x onerror=al…"
  // at 1920 px, "root" to "ro…" in a co-host's at 960 px. Your name takes the room there
  // is (whole, beside the empty spacer); where there is none it is cut, whole in its tooltip.
  test('your own name in the header takes the room there is, and is cut only where there is none', withShot('header-own-name', async () => {
    const you = (p) => p.evaluate(() => {
      const pv = document.querySelector('concordia-app').shadowRoot.querySelector('party-view').shadowRoot;
      const b = pv.querySelector('[data-testid=party-you] b');
      return { shown: b.clientWidth, whole: b.scrollWidth, spacer: pv.querySelector('.top > .grow').getBoundingClientRect().width, tip: pv.querySelector('[data-testid=party-you]').title };
    });
    const long = '<img src=x onerror=alert(1)> and a longer tail';
    const cases = [
      [1920, `screen=party&teammates=0&history=0&me=${encodeURIComponent(long)}`, long, true],
      [1280, `screen=party&teammates=0&history=0&me=${encodeURIComponent(long)}`, long, false], // beside its own party's name
      [960, 'screen=joined&cohost&history=0&me=root', 'root', true],
      [960, 'screen=joined&cohost&history=0&insecure&host=Bartholomew-Alexander&me=Maximiliana-Bartholomew', 'Maximiliana-Bartholomew', null], // as the room goes
      [760, `screen=party&teammates=0&history=0&me=${encodeURIComponent(long)}`, long, false],
    ];
    for (const [w, q, me, whole] of cases) {
      const p = await open(w, 700, q, 'prompt-input');
      const m = await you(p);
      const what = `${JSON.stringify(me)} at ${w}×700 ${JSON.stringify(m)}`;
      check(m.tip.includes(me), `${what}: the tooltip has the whole name`);
      check(m.shown >= m.whole || m.spacer < 1, `${what}: the name is cut beside ${Math.round(m.spacer)} px of empty header`);
      if (whole === true) check(m.shown >= m.whole, `${what}: the name is cut`);
      if (whole === false) check(m.shown < m.whole, `${what}: a name too long for the header is not cut`);
      await noOverflow(p, what);
      if (w === 1920 || w === 960) await shot(p, `${w}x700-own-name-${me.length > 10 ? 'long' : me}`);
    }
  }));

  // A window tester's code block with a long line: no scrollbar showed until it was
  // scrolled (the line looked cut off), and scrolled, the language label ("GO") moved with
  // the text. The code scrolls inside the box with a scrollbar of its own, drawn at all times
  // (room under the last line), and the label stays at the box's top right.
  test('480×700: a code block with a long line shows its scrollbar, and its language label stays put as it scrolls', withShot('code-scroll', async () => {
    // Playwright's headless Chromium hides scrollbars (--hide-scrollbars): this test's browser draws them, as the window does.
    const withBars = await chromium.launch({
      executablePath: process.env.CONCORDIA_E2E_CHROMIUM || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
      ignoreDefaultArgs: ['--hide-scrollbars'],
    });
    try {
      const p = await open(480, 700, 'screen=party&teammates=0&history=0', 'prompt-input', withBars);
      await p.getByTestId('prompt-input').fill('add a --json flag to concordia version');
      await p.getByTestId('prompt-input').press('Enter');
      const measure = (scroll) => p.evaluate((scroll) => {
        const all = (root, sel, out = []) => {
          out.push(...root.querySelectorAll(sel));
          for (const el of root.querySelectorAll('*')) if (el.shadowRoot) all(el.shadowRoot, sel, out);
          return out;
        };
        const pre = all(document, 'pre.code').find((el) => el.querySelector('.code-lang') && (el.scrollWidth > el.clientWidth || el.querySelector('code').scrollWidth > el.querySelector('code').clientWidth));
        if (!pre) return null;
        const code = pre.querySelector('code');
        // Whichever of the two scrolls (the box, before).
        const scroller = code.scrollWidth > code.clientWidth ? code : pre;
        if (scroll) scroller.scrollLeft = scroll;
        const lab = pre.querySelector('.code-lang').getBoundingClientRect();
        const box = pre.getBoundingClientRect();
        const cs = getComputedStyle(scroller);
        const borders = parseFloat(cs.borderTopWidth) + parseFloat(cs.borderBottomWidth);
        return {
          scrollLeft: scroller.scrollLeft, bar: scroller.offsetHeight - scroller.clientHeight - borders,
          label: { right: Math.round(box.right - lab.right), top: Math.round(lab.top - box.top) },
        };
      }, scroll);
      let before = null;
      await until('a code block with a long line and a language label', async () => (before = await measure(0)) !== null, 45_000);
      check(before.bar > 0, `a long line's code block has no scrollbar until it is scrolled ${JSON.stringify(before)}`);
      const after = await measure(120);
      const j = JSON.stringify({ before, after });
      check(after.scrollLeft > 0, `the code block did not scroll ${j}`);
      check(after.label.right === before.label.right && after.label.top === before.label.top, `the language label moved as the code scrolled ${j}`);
      await shot(p, '480x700-code-scrolled');
    } finally {
      await page?.close().catch(() => {});
      page = null;
      await withBars.close();
    }
  }));

  // A user tester's 800 px header hid Find (the transcript search) below 900 px with room
  // to spare; a window tester's lost Find and the role at 800 px while the agent waited for
  // a tool decision. Find shows at every width and in every phase, a host's and a
  // participant's, in the window and not covered, and Ctrl+F opens the find bar too.
  test('400 to 899 px: the header shows Find at every width, idle and during a tool request, and Ctrl+F finds', withShot('find-button', async () => {
    const ctrlF = async (p, what) => {
      await p.getByTestId('transcript').click({ position: { x: 10, y: 10 } });
      await p.keyboard.press('Control+f');
      await p.getByTestId('find-input').waitFor({ state: 'visible' }).catch(() => check(false, `${what}: Ctrl+F opened no find bar`));
      await p.keyboard.press('Escape');
      await p.getByTestId('find-input').waitFor({ state: 'hidden' });
    };
    for (const [w, who] of [[400, 'host'], [480, 'host'], [560, 'host'], [640, 'host'], [700, 'host'], [720, 'host'], [760, 'host'], [800, 'host'], [899, 'host'], [640, 'participant'], [760, 'participant'], [800, 'participant']]) {
      const what = `the ${who}'s header at ${w}×700`;
      const p = await open(w, 700, who === 'host' ? 'screen=party&teammates=0&history=0' : 'screen=joined&history=0', 'prompt-input');
      if (who === 'host') await shot(p, `${w}x700-find`);
      check(await p.getByTestId('find-open').isVisible(), `${what}: Find is hidden`);
      await noOverflow(p, what, w < 520 ? 2 : 1);
      await mustSee(p, 'find-open', `${what}: Find`);
      for (const id of ['panel-toggle', 'changes-toggle', 'party-settings']) await mustSee(p, id, `${what}: [${id}]`);
      await p.getByTestId('find-open').click();
      await p.getByTestId('find-input').waitFor({ state: 'visible' });
      await p.keyboard.press('Escape');
      await p.getByTestId('find-input').waitFor({ state: 'hidden' });
      await ctrlF(p, what);
    }
    // During a tool request, beside Stop and the longest phase: Find stays, and from 720 px your name.
    for (const w of [400, 640, 720, 800]) {
      const what = `the header at ${w}×700 during a tool request`;
      const p = await open(w, 700, 'screen=party&history=0&ask', 'transcript-item');
      await p.getByTestId('permission-allow').first().waitFor({ state: 'visible', timeout: 45_000 });
      await p.getByTestId('stop-turn').waitFor({ state: 'visible' });
      if (w === 800) await shot(p, '800x700-find-permission');
      await noOverflow(p, what, w < 520 ? 2 : 1);
      for (const id of ['find-open', 'stop-turn', 'panel-toggle', 'changes-toggle', 'party-settings', ...(w >= 720 ? ['party-you'] : [])]) await mustSee(p, id, `${what}: [${id}]`);
      await p.getByTestId('find-open').click();
      await p.getByTestId('find-input').waitFor({ state: 'visible' });
      await p.keyboard.press('Escape');
      await p.getByTestId('find-input').waitFor({ state: 'hidden' });
      await ctrlF(p, what);
    }
  }));

  // A window tester's 900 px header, while Stop showed during a tool request: the party's
  // name was cut to "Mar…", the agent's name under it wrapped, and Settings was pushed out
  // of the window. With Stop and the longest phase the name has room (whole from 900 px, at
  // least a first name's worth below), on one row, every control in the window.
  // From 1100 to 1399 px with Changes open, People comes back to the header: the name was
  // cut to "Margar…" there (a builder's look), and the connection gives way to its dot.
  test('800, 900, 1024 and 1280 px, and 1100 and 1280 px with Changes open: while Stop shows during a tool request, the party\'s name has room', withShot('name-stop', async () => {
    for (const [w, changes] of [[800, false], [900, false], [1024, false], [1280, false], [1100, true], [1280, true]]) {
      const p = await open(w, 700, 'screen=party&teammates=0&history=0&ask&me=Margaret', 'prompt-input');
      await p.getByTestId('prompt-input').fill('add a --json flag to concordia version');
      await p.getByTestId('prompt-input').press('Enter');
      await p.getByTestId('permission-allow').first().waitFor({ state: 'visible', timeout: 45_000 });
      await p.getByTestId('stop-turn').waitFor({ state: 'visible' });
      if (changes) {
        await p.getByTestId('changes-toggle').click();
        await p.getByTestId('changes-panel').waitFor({ state: 'visible' });
        const conn = await p.getByTestId('party-connection').getAttribute('aria-label');
        check(conn === 'Connected', `${w} px with Changes open: the connection is named ${JSON.stringify(conn)}`);
      }
      await p.waitForTimeout(300);
      const m = await p.getByTestId('party-host').evaluate((el) => ({ text: el.textContent, shown: el.clientWidth, whole: el.scrollWidth }));
      const j = JSON.stringify(m);
      check(m.text === "Margaret's party", `${w} px: the party is named ${JSON.stringify(m.text)}`);
      if (w >= DRAWER_BELOW) check(m.shown >= m.whole, `${w} px with Stop: the party's name is cut ${j}`);
      else check(m.shown >= Math.min(m.whole, 88), `${w} px with Stop: the party's name has only ${m.shown} px ${j}`);
      await noOverflow(p, `the header at ${w} px with Stop`);
      for (const id of ['stop-turn', 'phase-pill', 'changes-toggle', 'party-settings']) await mustSee(p, id, `the header at ${w} px with Stop: [${id}]`);
      await shot(p, `${w}x700-name-stop${changes ? '-changes' : ''}`);
    }
  }));

  // A colleague's look at the header of a host with a button for the turn: while Send now
  // showed (prompts waiting for more, with --min-prompts), Settings, the role and at some
  // widths Changes were pushed out of the window from 520 to 900 px (and beside a long name of
  // yours, up to 1150 px with Changes open); while Stop showed, Settings at 520 px; and a long
  // party name with Stop wrapped the header to three rows from 400 to 519 px. In each state,
  // at every width from 400 px (and with Changes open where it is a column), the header is one
  // row (two below 520 px), every control in it inside the window and not covered, and the
  // party's name keeps its least (cut with …, whole in its tooltip).
  const HEADER_WIDTHS = [400, 440, 480, 519, 520, 560, 600, 640, 680, 719, 720, 759, 760, 800, 850, 899, 900, 960, 1024, 1050, 1099, 1100, 1150, 1280, 1399, 1400];

  /** The header's controls that show (with a test id), each inside the window and on top; the name's room. */
  async function headerWhole(p, what) {
    const w = p.viewportSize().width;
    await noOverflow(p, what, w < 520 ? 2 : 1);
    const ids = await p.evaluate(() => {
      const top = document.querySelector('concordia-app').shadowRoot.querySelector('party-view').shadowRoot.querySelector('.top');
      return [...top.querySelectorAll('[data-testid]')].filter((el) => el.getBoundingClientRect().width > 0).map((el) => el.dataset.testid);
    });
    check(ids.includes('party-settings'), `${what}: Settings is not in the header ${JSON.stringify(ids)}`);
    for (const id of ids) await mustSee(p, id, `${what}: [${id}]`);
    const m = await p.getByTestId('party-host').evaluate((el) => ({ text: el.textContent, title: el.title, shown: el.clientWidth, whole: el.scrollWidth }));
    check(m.shown >= Math.min(m.whole, 48), `${what}: the party's name has only ${m.shown} px ${JSON.stringify(m)}`);
    check(m.shown >= m.whole || m.title === m.text, `${what}: the party's name is cut with no tooltip ${JSON.stringify(m)}`);
    return m;
  }

  /** The header at each width of HEADER_WIDTHS (those from 1100 px with Changes open too), resized in place. */
  async function headerAcross(p, what, { changes = true, each } = {}) {
    for (const w of HEADER_WIDTHS) {
      await p.setViewportSize({ width: w, height: 700 });
      await p.waitForTimeout(120);
      const m = await headerWhole(p, `${what} at ${w}×700`);
      await each?.(w, m);
    }
    if (!changes) return;
    await p.setViewportSize({ width: 1280, height: 700 });
    await p.getByTestId('changes-toggle').click();
    await p.getByTestId('changes-panel').waitFor({ state: 'visible' });
    for (const w of HEADER_WIDTHS.filter((n) => n >= CHANGES_DRAWER_BELOW)) {
      await p.setViewportSize({ width: w, height: 700 });
      await p.waitForTimeout(120);
      await headerWhole(p, `${what} at ${w}×700 with Changes open`);
    }
  }

  /** A host's party (?me=name) with one prompt sent: Send now (min 3 prompts) or Stop (a tool request). */
  async function hostWith(action, me = '') {
    const p = await open(800, 700, `screen=party&teammates=0&history=0${action === 'send-now' ? '&min=3' : '&ask'}${me ? `&me=${me}` : ''}`, 'prompt-input');
    await p.getByTestId('prompt-input').fill('add a --json flag to concordia version');
    await p.getByTestId('prompt-input').press('Enter');
    if (action === 'stop-turn') await p.getByTestId('permission-allow').first().waitFor({ state: 'visible', timeout: 45_000 });
    await p.getByTestId(action).waitFor({ state: 'visible' });
    return p;
  }

  test('400 to 1400 px: while Send now shows, every control of the header is in the window', withShot('header-send-now', async () => {
    for (const me of ['', 'Bartholomew-Alexander']) {
      const p = await hostWith('send-now', me);
      await headerAcross(p, `the header with Send now${me ? ' and a long name' : ''}`, {
        each: async (w) => {
          if (!me && [400, 520, 720, 800].includes(w)) await shot(p, `${w}x700-header-send-now`);
        },
      });
    }
  }));

  test('400 to 1400 px: while Stop shows, every control of the header is in the window', withShot('header-stop', async () => {
    const p = await hostWith('stop-turn');
    await headerAcross(p, 'the header with Stop', {
      each: async (w) => {
        if ([520, 720].includes(w)) await shot(p, `${w}x700-header-stop`);
      },
    });
  }));

  test('400 to 1400 px: a long party name with Stop is cut, the header stays two rows below 520 px', withShot('header-long-name', async () => {
    const p = await hostWith('stop-turn', 'Bartholomew-Alexander');
    await headerAcross(p, "the header with Stop and Bartholomew-Alexander's party", {
      each: async (w, m) => {
        check(m.text === "Bartholomew-Alexander's party", `${w} px: the party is named ${JSON.stringify(m.text)}`);
        // Below 520 px the first row has room for more than the name's least (the phase has the second).
        if (w < 520) check(m.shown >= 88, `${w} px: the party's name has only ${m.shown} px beside the buttons ${JSON.stringify(m)}`);
        if ([400, 480].includes(w)) await shot(p, `${w}x700-header-long-name`);
      },
    });
  }));

  // A window tester's plan card ("leave plan mode: 1. Create hello.py 2. Add a test") cut
  // its last line at the bottom of the plan's box: the box had no room below its text. The
  // plan's last line is whole inside the box, with room under it, and nothing of it scrolls.
  test('800×600: the plan card shows the plan\'s last line whole inside its box', withShot('plan', async () => {
    const p = await open(800, 600, 'screen=party&teammates=0&history=0&plan', 'prompt-input');
    await p.getByTestId('prompt-input').fill('make hello.py, with a test');
    await p.getByTestId('prompt-input').press('Enter');
    const detail = p.locator('[data-testid=permission-card][data-status=pending] [data-testid=permission-detail]').first();
    await detail.waitFor({ state: 'visible' });
    await p.waitForTimeout(400); // rendered, and the view settled at the end
    const m = await detail.evaluate((el) => {
      const md = el.querySelector('markdown-view')?.shadowRoot;
      const walk = md && document.createTreeWalker(md, NodeFilter.SHOW_TEXT, (n) => (n.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP));
      let last = null;
      while (walk?.nextNode()) last = walk.currentNode;
      const range = document.createRange();
      if (last) range.selectNodeContents(last);
      const t = range.getBoundingClientRect();
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      const inner = r.bottom - parseFloat(cs.borderBottomWidth);
      return { text: last?.textContent.trim(), lineBottom: Math.round(t.bottom * 10) / 10, boxBottom: Math.round(inner * 10) / 10, scrolls: el.scrollHeight - el.clientHeight };
    });
    const j = JSON.stringify(m);
    check(m.text === 'Add a test', `the plan's last line is ${JSON.stringify(m.text)}, not "Add a test" ${j}`);
    check(m.scrolls <= 0, `the plan's box scrolls by ${m.scrolls} px: its end is cut ${j}`);
    check(m.lineBottom <= m.boxBottom - 4, `the plan's last line ends at ${m.lineBottom}, on or below its box's bottom (${m.boxBottom}) ${j}`);
    await shot(p, 'plan');
  }));

  test('1180×720: a toast shows below the open find bar, not over it', withShot('find-toast', async () => {
    // A tester's rejoin toast covered the find field and its count for seconds.
    const p = await open(1180, 720, 'screen=party&history=0&teammates=0', 'agent-command-input');
    await p.getByTestId('transcript').click({ position: { x: 10, y: 10 } });
    await p.keyboard.press('Control+f');
    await p.getByTestId('find-input').waitFor();
    await p.getByTestId('agent-command-input').fill('oops'); // no such command: an error toast
    await p.getByTestId('agent-command-run').click();
    const toast = p.getByTestId('notice').first();
    await toast.waitFor();
    await p.waitForTimeout(300); // its rise
    const t = await toast.boundingBox();
    const f = await p.getByTestId('find-bar').boundingBox();
    check(t && f, 'the toast and the find bar are on screen');
    const overlap = t.x < f.x + f.width && f.x < t.x + t.width && t.y < f.y + f.height && f.y < t.y + t.height;
    check(!overlap, `the toast (${JSON.stringify(t)}) covers the find bar (${JSON.stringify(f)})`);
    await shot(p, 'find-toast');
  }));

  // A window tester's reply: a table with a 200-character cell squeezed "Col A" and "row 0"
  // onto two lines each and pushed its centred column out of view; raw HTML blocks (a
  // <style>, an <iframe>), shown as text, ran into the next paragraph with no gap.
  for (const [w, h] of [[800, 600], [640, 480]]) {
    test(`${w}×${h}: a table with a very long cell keeps its short columns whole and in view; a wide one scrolls in its own box; raw HTML is a paragraph of its own`, withShot(`table-${w}`, async () => {
      const p = await open(w, h, 'screen=party&teammates=0&history=0', 'prompt-input');
      const columns = Array.from({ length: 14 }, (_, i) => `Column ${i}`);
      const reply = [
        'The table:', '',
        '| Col A | Col B | Col C |', '| --- | --- | :-: |',
        `| row 0 | ${'x'.repeat(200)} | centred |`, '| row 1 | short | ok |', '', 'A wide one:', '',
        `| ${columns.join(' | ')} |`, `|${' --- |'.repeat(columns.length)}`, `| ${columns.map((_, i) => `value ${i}`).join(' | ')} |`, '',
        '<style>', 'body { display: none }', '</style>', 'After the style.', '',
        '<iframe src="https://evil.example/"></iframe>', '', 'After the frame.',
      ].join('\n');
      await p.evaluate((text) => {
        const d = window.concordiaDemo;
        d.inject({ kind: 'prompt', prompt: { id: 'p-table', user: 'ann', text: 'A table.' } });
        d.inject({ kind: 'batch', batch: { id: 'b-table', prompts: ['p-table'], merged: 'A table.', merger: 'local' } });
        d.inject({ kind: 'output', stream: 'assistant', text });
        d.inject({ kind: 'turn', turn: { batch: 'b-table', status: 'done', duration_ms: 1000 } });
      }, reply);
      const measure = () => p.evaluate(() => {
        const tv = document.querySelector('concordia-app').shadowRoot.querySelector('party-view').shadowRoot.querySelector('transcript-view').shadowRoot;
        const md = [...tv.querySelectorAll('markdown-view')].map((m) => m.shadowRoot).find((r) => r.querySelectorAll('table').length === 2);
        if (!md) return null;
        const [t1, t2] = md.querySelectorAll('table');
        /** How many lines a cell's text takes. */
        const lines = (cell) => {
          const r = document.createRange();
          r.selectNodeContents(cell);
          return new Set([...r.getClientRects()].filter((b) => b.width > 0).map((b) => Math.round(b.top))).size;
        };
        const box = t1.getBoundingClientRect();
        const cells = [...t1.querySelectorAll('th, td')].map((c) => ({ text: c.textContent.trim().slice(0, 8), lines: lines(c), right: Math.round(c.getBoundingClientRect().right) }));
        const gaps = [...md.querySelectorAll('p.md-html')].map((el) => {
          const next = el.nextElementSibling;
          return next ? Math.round(next.getBoundingClientRect().top - el.getBoundingClientRect().bottom) : -1;
        });
        return {
          cells, boxRight: Math.round(box.right), scroll1: [t1.scrollWidth, t1.clientWidth], scroll2: [t2.scrollWidth, t2.clientWidth],
          wide2: Math.round(t2.getBoundingClientRect().width), text2: t2.querySelector('td').textContent, gaps,
        };
      });
      let m = null;
      await until('the reply with its tables rendered', async () => (m = await measure()) !== null, 20_000);
      const j = JSON.stringify(m);
      for (const c of m.cells) {
        if (c.text !== 'xxxxxxxx') check(c.lines === 1, `${w}×${h}: the short cell "${c.text}" takes ${c.lines} lines ${j}`);
        check(c.right <= m.boxRight + 1, `${w}×${h}: the cell "${c.text}" is out of the table's view ${j}`);
      }
      check(m.scroll1[0] <= m.scroll1[1], `${w}×${h}: the table with a long cell scrolls sideways ${j}`);
      check(m.scroll2[0] > m.scroll2[1], `${w}×${h}: the table of 14 columns does not scroll in its box ${j}`);
      check(m.gaps.length === 2 && m.gaps.every((g) => g >= 8), `${w}×${h}: a raw HTML block has no gap before the next paragraph ${j}`);
      await noOverflow(p, `${w}×${h} with the tables`);
      await shot(p, `table-${w}`);
    }));
  }

  // A window tester: no zoom at all (Ctrl-+ / Ctrl-= / Ctrl-- / Ctrl-0 did nothing), for
  // poor eyesight and HiDPI. At the largest and the smallest text size, set with the keys,
  // the home screen, Settings (which shows the size), a host's party during a tool request
  // and a participant's fit an 800×600 and a 640×480 window: nothing wider than the window,
  // the header's controls inside it (a second row below 520 px of layout, as at 150 % in
  // 640 px), the conversation in view, the dialog whole.
  for (const [w, h] of [[800, 600], [640, 480]]) for (const [zoom, keys] of [[150, ['Control+=', 'Control+=', 'Control+=']], [80, ['Control+-', 'Control+-']]]) {
    test(`${w}×${h} at ${zoom} % text (Ctrl and + or -): home, Settings, a host's and a participant's party fit`, withShot(`zoom-${zoom}-${w}`, async () => {
      const size = `${w}×${h} at ${zoom} %`;
      const rows = w / (zoom / 100) < 520 ? 2 : 1;
      const zoomed = async (p) => {
        for (const k of keys) await p.keyboard.press(k);
        await until(`the text at ${zoom} %`, async () => (await p.evaluate(() => document.documentElement.style.getPropertyValue('--zoom'))) === String(zoom / 100), 5_000);
        await p.waitForTimeout(200);
        return p;
      };
      let p = await zoomed(await open(w, h, 'teammates=0', 'home'));
      await p.getByTestId('home-create').scrollIntoViewIfNeeded(); // not sticky in a low window (README)
      await mustSee(p, 'home-create', `home at ${size}: Create party`);
      await noOverflow(p, `home at ${size}`, 1, zoom / 100);
      await shot(p, `zoom-${zoom}-${w}-home`);

      p = await zoomed(await open(w, h, 'screen=settings', 'settings-panel'));
      await dialogFits(p, 'settings-panel', 'settings-save', `Settings at ${size}`);
      await p.getByTestId('settings-zoom').scrollIntoViewIfNeeded();
      await mustSee(p, 'settings-zoom-reset', `Settings at ${size}: Reset`);
      check((await p.getByTestId('settings-zoom').textContent()) === `${zoom}%`, `Settings at ${size} says ${await p.getByTestId('settings-zoom').textContent()}`);
      await noOverflow(p, `Settings at ${size}`, 1, zoom / 100);
      await shot(p, `zoom-${zoom}-${w}-settings`);

      p = await zoomed(await open(w, h, 'screen=party&ask', 'transcript-item'));
      await until(`a tool request at ${size}`, async () => (await p.getByTestId('permission-allow').count()) > 0, 30_000);
      await conversationVisible(p, `the host at ${size}`);
      await noOverflow(p, `the host at ${size}, a tool request waiting`, rows, zoom / 100);
      await shot(p, `zoom-${zoom}-${w}-host`);

      p = await zoomed(await open(w, h, 'screen=joined', 'transcript-item'));
      await conversationVisible(p, `a participant at ${size}`);
      await noOverflow(p, `a participant at ${size}`, rows, zoom / 100);
      await shot(p, `zoom-${zoom}-${w}-participant`);
    }));
  }

  test('window sizes: done (the file server is stopped)', async () => {
    await page?.close();
    page = null;
    await files?.close();
    files = null;
  });
}

// Alone: the demo tests only, in a browser of our own.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const artifacts = ensureDir(process.env.CONCORDIA_E2E_ARTIFACTS || join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'test-artifacts'));
  const b = await chromium.launch({
    executablePath: process.env.CONCORDIA_E2E_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  sizeTests({ browser: () => b, artifacts });
  const failed = await runTests({
    screenshot: async (name) => join(artifacts, `size-${name}.png (see the size-failed-* shots)`),
    afterAll: () => b.close(),
  });
  process.exit(failed > 0 ? 1 : 0);
}
