// Browser end-to-end tests of toasts and the timeline (issue 10, points 6 and 7), run by
// run.mjs at the end of its story, against the same dev app and page:
//
//   - a crash and its retry through the real host with the crashing fake agent
//     (FAKE_CRASH_ALWAYS): inside the turn, top to bottom, the discarded attempt, the error,
//     the restart, the new attempt, and the "Failed" footer last; the error once before the
//     retry and once as the outcome, never as a third notice after the turn
//   - stderr is labelled stderr, not "tool step"
//   - a tool step (FAKE_TOOL) expands to the tool's own output (tool_output: file-a, file-b,
//     file-c), in the step only; on the demo backend a long tool line
//     wraps inside its card and a long output shows its first 40 lines with "Show more"
//   - toasts: info ones go by themselves, errors stay; with a dialog open no toast covers
//     its buttons; a party's toasts are gone once it is left for home, app ones stay
//
// Toasts are raised through the window's AppState (the root element's `state`), as the
// window raises them: what is tested is how they behave and where they are drawn.

import { check, join, serveDir, test, until } from './harness.mjs';

/**
 * Registers the tests. ctx holds run.mjs's fixtures: page(), browser(), tid, visible,
 * textOf, deepText, shot, root, fakeClaude.
 */
export function timelineTests(ctx) {
  const { tid, visible, textOf, deepText, shot } = ctx;
  const page = () => ctx.page();

  /** Raises a toast as the window does (AppState.notify); scope defaults as there. */
  const notify = (kind, text, scope) =>
    page().evaluate(([k, t, s]) => document.querySelector('concordia-app').state.notify(k, t, s ?? undefined), [kind, text, scope ?? null]);
  /** The toasts on screen: [{kind, scope, text}]. */
  const toasts = () =>
    tid('notice').evaluateAll((els) => els.map((e) => ({ kind: e.dataset.kind, scope: e.dataset.scope, text: e.textContent.trim() })));

  /**
   * Checks that no toast is drawn over the buttons (the topmost element at each button's
   * centre is the button); with mustOverlap, that some toast does lie under one of them
   * (else the check would prove nothing).
   */
  async function uncovered(ids, mustOverlap) {
    const boxes = await tid('notice').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()));
    const covered = [];
    let overlapping = 0;
    for (const id of ids) {
      const b = await tid(id).boundingBox();
      if (boxes.some((t) => t.left < b.x + b.width && b.x < t.right && t.top < b.y + b.height && b.y < t.bottom)) overlapping++;
      const top = await page().evaluate(([x, y]) => {
        let el = document.elementFromPoint(x, y);
        while (el?.shadowRoot) {
          const inner = el.shadowRoot.elementFromPoint(x, y);
          if (!inner || inner === el) break;
          el = inner;
        }
        return el?.closest('[data-testid]')?.dataset.testid ?? el?.tagName;
      }, [b.x + b.width / 2, b.y + b.height / 2]);
      if (top !== id) covered.push(`${id} is covered by ${top}`);
    }
    if (mustOverlap) check(overlapping > 0, `the check proves nothing: no toast lies under ${ids} (${JSON.stringify(boxes)})`);
    check(covered.length === 0, covered.join('; '));
  }

  /** Back to home from wherever the story left the window. */
  async function home() {
    if (await tid('home').isVisible()) return;
    if (await tid('end-party').isVisible()) {
      await tid('end-party').click();
      await tid('end-party-confirm').click();
    } else if (await tid('leave-party').isVisible()) {
      await tid('leave-party').click();
    }
    await (await visible('back-home')).click();
    await visible('home');
  }

  /** Sends a prompt and waits for its turn's footer; returns the turn's locator. */
  async function run(text, status) {
    const turns = page().locator('[data-testid=transcript-item][data-kind=turn]');
    const n = await turns.count();
    const input = await visible('prompt-input');
    await input.fill(text);
    await input.press('Enter');
    await until(`a turn for ${JSON.stringify(text)}`, async () => (await turns.count()) > n, 30_000);
    const turn = turns.nth(n);
    await until(`the turn of ${JSON.stringify(text)} to end ${status}`, async () => (await turn.getByTestId('turn-end').getAttribute('data-status', { timeout: 1000 }).catch(() => null)) === status, 60_000);
    return turn;
  }

  test('timeline: a crash and its retry read in order inside the turn, the error once before the retry and once as the outcome', async () => {
    await home();
    await notify('error', 'An app-level error raised on home (it outlives parties)');
    await tid('home-name').fill('tess');
    if (await tid('home-approve').isChecked()) await tid('home-approve').uncheck();
    await tid('home-mode').selectOption('ask');
    await tid('home-create').click();
    await visible('party-view');
    await textOf('transcript', 'claude started');

    const turn = await run('crashy FAKE_CRASH_ALWAYS please', 'error');
    // Top to bottom, as it happened.
    const order = await turn
      .locator('[data-testid=void-output], [data-testid=turn-notice], [data-testid=reply], [data-testid=stderr-group], [data-testid=turn-end]')
      .evaluateAll((els) =>
        els
          .filter((e) => !e.parentElement?.closest('[data-testid=void-output]')) // a void block counts once
          .map((e) => ({ id: e.dataset.testid, level: e.dataset.level ?? '', y: e.getBoundingClientRect().top, text: e.textContent.trim().slice(0, 60) })),
      );
    const seq = order.map((o) => (o.level ? `${o.id}:${o.level}` : o.id));
    const at = (name) => seq.indexOf(name);
    check(at('void-output') === 0, `the discarded attempt is not first: ${JSON.stringify(seq)}`);
    check(at('void-output') < at('turn-notice:error') && at('turn-notice:error') < at('turn-notice:system') && at('turn-notice:system') < at('turn-end'), `out of order: ${JSON.stringify(seq)}`);
    check(seq[seq.length - 1] === 'turn-end', `the footer is not last: ${JSON.stringify(seq)}`);
    check(order.every((o, i) => i === 0 || o.y >= order[i - 1].y), `not top to bottom on screen: ${JSON.stringify(order)}`);
    check(/claude stopped unexpectedly/.test(order[at('turn-notice:error')].text), `the error: ${order[at('turn-notice:error')].text}`);
    check(/restarting claude and retrying/.test(order[at('turn-notice:system')].text), `the restart: ${order[at('turn-notice:system')].text}`);
    // The reason reads twice (the first failure, the outcome), not three times.
    const all = await deepText(tid('transcript'));
    const times = all.split('claude exited').length - 1;
    check(times === 2, `"claude exited" reads ${times} times in the transcript`);
    check((await page().locator('[data-testid=transcript-item][data-kind=error]').count()) === 0, 'an error notice outside the turn');
    // stderr is labelled as such, never as a tool step.
    const stderr = await deepText(turn.getByTestId('stderr-group').last());
    check(/stderr/.test(stderr) && /simulated crash|fake claude/.test(stderr) && !/tool step/.test(stderr), `the stderr group: ${stderr}`);
    check((await turn.getByTestId('tool-group').count()) === 0, 'stderr shown as tool steps');
    await turn.scrollIntoViewIfNeeded();
    await shot('timeline-crash-retry');
  });

  test('timeline: a tool step expands to its output (real host); long lines wrap, long output has Show more (demo)', async () => {
    const turn = await run('tooly FAKE_TOOL please', 'done');
    const group = turn.getByTestId('tool-group');
    check((await group.getAttribute('data-steps')) === '1', `steps: ${await group.getAttribute('data-steps')}`);
    await group.getByTestId('tool-group-toggle').click();
    await textOf('tool-step-call', 'Bash: ls -la');
    await turn.getByTestId('tool-step-toggle').click();
    // The tool's own output (tool_output), not the summary line "file-a (+2 lines)" alone.
    await until('the step output', async () => (await deepText(turn.getByTestId('tool-step-output'))).includes('file-a'));
    const stepOut = await deepText(turn.getByTestId('tool-step-output'));
    check(stepOut.split('\n').map((l) => l.trim()).join('|') === 'file-a|file-b|file-c', `the opened step shows ${JSON.stringify(stepOut)}, not the tool's output`);
    check((await turn.getByTestId('tool-step').getAttribute('data-full')) === '1', 'the step has no tool output');
    // Never as reply text or a stray line: file-b reads once in the turn, in the step.
    const whole = await deepText(turn);
    check(whole.split('file-b').length - 1 === 1, `file-b reads ${whole.split('file-b').length - 1} times in the turn: ${whole}`);
    check((await turn.locator('[data-testid=stderr-group]').count()) === 0, 'tool output shown as a group of its own');
    check((await turn.getByTestId('tool-step').count()) === 1, 'tool output shown as a step of its own');
    await turn.getByTestId('tool-step').scrollIntoViewIfNeeded();
    await shot('timeline-tool-step-real');

    // The demo backend takes any event: a long call line and 120 lines of output.
    const dist = join(ctx.root, 'frontend', 'dist');
    const files = await serveDir(dist);
    const demo = await ctx.browser().newPage({ viewport: { width: 1000, height: 760 } });
    try {
      await demo.goto(`${files.url}?demo=1&screen=party&history=0&teammates=0`);
      await demo.getByTestId('transcript').waitFor();
      const long = 'Bash: ' + 'find . -name "*.go" -path "./internal/very/long/path/segment/' + 'x'.repeat(260) + '" -exec grep -n TODO {} +';
      const output = Array.from({ length: 120 }, (_, i) => `-> ./internal/pkg${i}/file.go:${i + 1}: // TODO <b>not HTML</b> ${'y'.repeat(i < 3 ? 300 : 10)}`);
      await demo.evaluate(([call, out]) => {
        const d = window.concordiaDemo;
        d.inject({ kind: 'batch', batch: { id: 'bx', prompts: [], merged: '/todo', merger: 'command' } });
        d.inject({ kind: 'output', stream: 'assistant', text: 'Looking for TODOs.' });
        d.inject({ kind: 'output', stream: 'tool', text: call + '\n' + out.join('\n') + '\n' });
        d.inject({ kind: 'output', stream: 'stderr', text: 'warning: ' + 'z'.repeat(400) + '\n' });
        d.inject({ kind: 'turn', turn: { batch: 'bx', status: 'done', duration_ms: 4200 } });
      }, [long, output]);
      const dturn = demo.locator('[data-testid=transcript-item][data-kind=turn]').last();
      await dturn.getByTestId('tool-group-toggle').click();
      const step = dturn.getByTestId('tool-step').first();
      await step.getByTestId('tool-step-toggle').click();
      const out = step.getByTestId('tool-step-output');
      await out.waitFor();
      const card = await dturn.boundingBox();
      const callBox = await step.getByTestId('tool-step-call').boundingBox();
      const outBox = await out.boundingBox();
      check(callBox.x + callBox.width <= card.x + card.width + 0.5 && callBox.height > 30, `the long call line does not wrap inside its card: ${JSON.stringify({ card, callBox })}`);
      check(outBox.x + outBox.width <= card.x + card.width + 0.5, `the output overflows its card: ${JSON.stringify({ card, outBox })}`);
      const shown = (await out.textContent()).split('\n');
      check(shown.length === 40, `the output shows ${shown.length} lines before Show more`);
      check((await out.locator('b').count()) === 0 && shown[0].includes('<b>not HTML</b>'), 'agent output became HTML');
      const more = step.getByTestId('tool-step-more');
      check(/Show more \(80 more lines\)/.test(await more.textContent()), `the Show more button: ${await more.textContent()}`);
      await dturn.getByTestId('stderr-group-toggle').click();
      const stderrBox = await dturn.getByTestId('stderr-lines').boundingBox();
      check(stderrBox.x + stderrBox.width <= card.x + card.width + 0.5, 'the stderr line overflows its card');
      await step.scrollIntoViewIfNeeded();
      await demo.screenshot({ path: join(ctx.artifacts, 'browser-timeline-tool-step-expanded.png') });
      await more.click();
      await until('all 120 lines', async () => (await out.textContent()).split('\n').length === 120);
    } finally {
      await demo.close();
      await files.close();
    }
  });

  test('toasts: info ones go by themselves, errors stay, and none covers a dialog’s buttons', async () => {
    await page().mouse.move(1, 790); // not resting on a toast (that holds it)
    await notify('info', 'Copied the invite (this one goes by itself)');
    for (let i = 1; i <= 5; i++) await notify('error', `Could not do thing ${i}: the host said no, and this error stays until it is read and dismissed`);
    const before = await toasts();
    check(before.filter((t) => t.scope === 'party').length === 6, `party toasts: ${JSON.stringify(before)}`);
    await until('the info toast to go by itself', async () => !(await toasts()).some((t) => t.kind === 'info'), 12_000);
    check((await toasts()).filter((t) => t.kind === 'error').length === 6, 'an error toast went away by itself');

    // A dialog over the toasts: its buttons stay on top of every toast. Settings at 800×540
    // (its Save sits where the toasts are: the dialog fits the window, its footer at the
    // bottom), then End party at the full size.
    await page().setViewportSize({ width: 800, height: 540 });
    await tid('party-settings').click();
    await visible('settings-panel');
    await uncovered(['settings-save', 'settings-cancel'], true);
    await shot('toast-under-dialog');
    await page().keyboard.press('Escape');
    await tid('settings-panel').waitFor({ state: 'detached' });
    await page().setViewportSize({ width: 1180, height: 800 });
    await tid('end-party').click();
    await visible('end-party-dialog');
    await uncovered(['end-party-confirm', 'end-party-cancel'], false);
    await tid('end-party-cancel').click();
    await tid('end-party-dialog').waitFor({ state: 'detached' });
    await shot('toast-errors-stay');
  });

  test('toasts: a party’s toasts are gone once it is left for home; app ones stay', async () => {
    await tid('end-party').click();
    await tid('end-party-confirm').click();
    await visible('party-ended');
    await (await visible('back-home')).click();
    await visible('home');
    const left = await toasts();
    check(left.every((t) => t.scope === 'app') && left.length === 1 && /app-level error/.test(left[0].text), `after the party: ${JSON.stringify(left)}`);
    await shot('toast-after-party');
    await tid('notice-dismiss').first().click();
    await until('no toasts', async () => (await toasts()).length === 0);
  });
}
