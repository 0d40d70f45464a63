// Browser end-to-end tests of "join that explains" and "the window remembers" (issue 10,
// points 4 and 5), run by run.mjs at the end of its story, against the same dev app and page.
//
//   - a link without ?fp= to a TLS host: a warning before connecting, and after it the
//     sentence "This host uses encryption; the link is missing its ?fp= part — was it cut off?"
//   - a token of another length than ours: valid (PROTOCOL.md §2), so it may be tried, with a
//     warning before connecting that it looks cut short; the host's refusal says so again. A fp cut short: called out before
//     connecting, and no connection is attempted
//   - the dialog takes a fresh link from the clipboard each time it opens, and keeps typed text
//     (the window reads the clipboard through Go: it is seeded here with xclip on Xvfb's display)
//   - Create party: a "not found" error goes once the Claude Code path is fixed; Browse… for
//     the Claude Code path (the native GTK dialog, answered with xdotool); the values typed
//     are remembered in the settings file, across parties and across a restart of the app.

import { execFileSync } from 'node:child_process';
import { createServer as createTCPServer } from 'node:net';
import { check, ensureDir, join, test, until } from './harness.mjs';

const token = 'TgNMDR0Upfx0aYHEJt19UvIP1j7zqKBoZP_HVxfZ7ms'; // well-formed, belongs to no party
const fp = 'ab'.repeat(32);

/** Puts text on the X clipboard that the app's window reads (xclip stays as its owner). */
function setClipboard(text) {
  execFileSync('xclip', ['-selection', 'clipboard'], { input: text, stdio: ['pipe', 'ignore', 'ignore'] });
}

/**
 * Registers the tests. ctx holds run.mjs's fixtures: page(), tid, visible, textOf, attrOf,
 * shot, cli, typeInvite, tmp, fakeClaude, readSettings, restartApp.
 */
export function joinTests(ctx) {
  const { tid, visible, textOf, attrOf, shot, cli, typeInvite, deepText, tmp, fakeClaude, readSettings } = ctx;

  /** Opens the join dialog from home. */
  async function openJoin() {
    await (await visible('home-join')).click();
    await visible('join-dialog');
  }

  async function closeJoin() {
    await ctx.page().keyboard.press('Escape');
    await tid('join-dialog').waitFor({ state: 'hidden' });
  }

  /** The command line of a CLI host with TLS and the fake agent, nobody at its terminal: label names its data directory, name is the host's. */
  function tlsHostArgs(label, name) {
    return [
      'host', '--listen', '127.0.0.1:0', '--claude', fakeClaude, '--data-dir', join(tmp, `${label}-data`),
      // A folder of its own: the suite's, which other programs write into all along, was
      // listed as changed on the host's terminal (a CI run's list had a name with "joined").
      '--workdir', ensureDir(join(tmp, `${label}-work`)), '--merge', 'local', '--name', name, '--no-local-repl',
    ];
  }

  /** That host, started (label also names its log). */
  function tlsHost(label, name) {
    return cli(label, tlsHostArgs(label, name));
  }

  test('join: a link without ?fp= is a warning before connecting, and explained after', async () => {
    const host = tlsHost('tls-host', 'tess');
    try {
      const [, inv] = await host.expect(/^invite code: (concordia:\/\/\S+)$/);
      const cut = inv.replace(/\?fp=[0-9a-f]{64}$/, '');
      check(cut !== inv, `the CLI host's invite has no fp: ${inv}`);
      setClipboard('not an invite');
      await openJoin();
      await typeInvite(cut);
      await attrOf('join-invite-status', 'data-check', 'valid');
      await textOf('join-invite-warning', 'Not encrypted: this link has no ?fp= part');
      const status = await ctx.deepText(tid('join-invite-status'));
      check(!status.includes('Valid invite'), `a link without fp reads as valid: ${status}`);
      await shot('join-no-fp-warning');
      await tid('join-submit').click();
      await textOf('join-error', 'This host uses encryption; the link is missing its ?fp= part — was it cut off?');
      const err = await ctx.deepText(tid('join-error'));
      check(!/firewall|Cannot reach/.test(err), `the error still blames the network: ${err}`);
      await shot('join-tls-host-no-fp');
      check(!host.lines.some((l) => /^\[party\] .* joined/.test(l)), 'the link without fp reached the party');
    } finally {
      await host.stop();
    }
  });

  test('join: a token cut short is tried and its refusal explained; a fp cut short is called out before connecting', async () => {
    const host = tlsHost('short-token-host', 'sol');
    try {
      const [, inv] = await host.expect(/^invite code: (concordia:\/\/\S+)$/);
      const short = inv.replace(/\/([A-Za-z0-9_-]{43})\?/, (_, t) => `/${t.slice(0, 30)}?`);
      check(short !== inv, `the CLI host's invite has no 43-character token: ${inv}`);
      await typeInvite(short);
      await attrOf('join-invite-status', 'data-check', 'valid'); // any token of 128 bits or more (§2)
      // Said before connecting, not "Valid" (a window tester's), and it may still be tried.
      await textOf('join-invite-warning', 'The link looks cut short: its token has 30 characters, but a Concordia invite');
      await tid('join-submit').click();
      await textOf('join-error', 'The host refused this invite; the link looks cut short: its token has 30 characters');
      await shot('join-token-cut-short');
      check(!host.lines.some((l) => /^\[party\] .* joined/.test(l)), 'the cut-short link joined the party');
    } finally {
      await host.stop();
    }
    let connections = 0;
    const listener = createTCPServer((sock) => {
      connections++;
      sock.destroy();
    });
    await new Promise((r) => listener.listen(0, '127.0.0.1', r));
    try {
      const port = listener.address().port;
      // A fp cut short is called out before connecting.
      await typeInvite(`concordia://127.0.0.1:${port}/${token}?fp=${fp.slice(0, 20)}`);
      await textOf('join-invite-error', 'was the link cut off?');
      await tid('join-invite').press('Enter');
      await new Promise((r) => setTimeout(r, 500));
      check(connections === 0, `${connections} connection(s) were made for a link cut short`);
    } finally {
      listener.close();
    }
    await closeJoin();
  });

  test('a host killed and resumed: the window reconnects, and Retry now reaches it at once', async () => {
    const args = tlsHostArgs('retry-host', 'rita');
    let host = cli('retry-host', args);
    try {
      const [, inv] = await host.expect(/^invite code: (concordia:\/\/\S+)$/);
      await openJoin();
      await typeInvite(inv);
      await tid('join-name').fill('hazel');
      await tid('join-submit').click();
      await visible('party-view');
      await attrOf('party-connection', 'data-status', 'connected');
      // A batch on the agent when the host dies runs again after the resume.
      await tid('prompt-input').fill('slow work FAKE_SLOW=60000');
      await tid('prompt-input').press('Enter');
      await until('the first words of the reply', async () => (await tid('reply').count()) > 0 && (await deepText(tid('reply').last())).startsWith('echo: s'));
      host.child.kill('SIGKILL'); // a crash: no goodbye to anyone
      await host.exited;
      await visible('retry-now');
      // Wait for the 5th attempt: its next try is 15 s away, so reaching the host sooner is
      // Retry now's doing.
      await textOf('reconnect-banner', /attempt ([5-9]|\d\d)/);
      const fifth = Date.now();
      await shot('reconnecting-retry-now');
      host = cli('retry-host-resumed', [...args, '--resume']);
      const [, again] = await host.expect(/^invite code: (concordia:\/\/\S+)$/);
      check(again === inv, `the resumed host has another invite: ${again}`);
      // The scheduled try comes 15 s after the 5th attempt's banner: until then, only
      // Retry now can connect.
      check((await tid('party-connection').getAttribute('data-status')) === 'reconnecting', 'connected before Retry now was clicked');
      check(Date.now() - fifth < 9000, `the host took ${Date.now() - fifth} ms to come back: too slow to tell Retry now from the scheduled try`);
      await tid('retry-now').click();
      await until('connected again within 5 s of Retry now', async () => (await tid('party-connection').getAttribute('data-status')) === 'connected', 5000);
      await tid('reconnect-banner').waitFor({ state: 'detached' });
      // Read top to bottom: she was disconnected (not "left"; "you", her own window), the party was resumed, and
      // then the batch runs again in a card of its own (a tester saw its reply above them).
      const items = ctx.page().locator('[data-testid=transcript-item]');
      await until('the batch run again, in a card below the resume', async () => {
        const seen = [];
        for (let i = 0; i < (await items.count()); i++) {
          seen.push({ kind: await items.nth(i).getAttribute('data-kind'), again: await items.nth(i).getAttribute('data-again'), text: await deepText(items.nth(i)) });
        }
        const resumed = seen.findIndex((it) => it.kind === 'system' && it.text.includes('the party was resumed'));
        const gone = seen.findIndex((it) => it.kind === 'participants' && it.text.includes('you were disconnected when the host stopped'));
        // The agent is told its turn was cut off: the fake agent echoes the note it got.
        const again = seen.findIndex((it) => it.kind === 'turn' && it.again === 'true' && it.text.includes('echo: [Concordia: the host stopped and was resumed'));
        const first = seen.findIndex((it) => it.kind === 'turn' && it.text.includes('The host stopped during this turn; it runs again below'));
        return first >= 0 && gone > first && resumed > gone && again > resumed;
      });
      check(!(await deepText(tid('transcript'))).includes('hazel left'), 'the resumed party says hazel left');
      // Its card shows the agent at work (the card was drawn while still reconnecting).
      await visible('turn-working');
      await shot('resumed-batch-again');
      await tid('leave-party').click();
      await textOf('party-ended-reason', "You left rita's party");
      await tid('back-home').click();
      await visible('home');
    } finally {
      await host.stop();
    }
  });

  test('join with a host invite: the window is a host, and offers the party\'s invites, the host link apart', async () => {
    const host = tlsHost('host-invite-host', 'olga');
    try {
      const [, inv] = await host.expect(/^invite code: (concordia:\/\/\S+)$/);
      const [, viewerInv] = await host.expect(/^viewer invite: (concordia:\/\/\S+)$/);
      const [, hostInv] = await host.expect(/^host invite: (concordia:\/\/\S+)$/);
      await openJoin();
      await typeInvite(hostInv);
      await tid('join-name').fill('ops');
      await tid('join-submit').click();
      await visible('party-view');
      await visible('approval-toggle'); // host controls
      // It used to show the host link under "To take part": whoever got it was a host.
      await until('the party\'s invite', async () => (await tid('invite-link').count()) === 1 && (await ctx.deepText(tid('invite-link'))).trim() === inv);
      check((await ctx.deepText(tid('viewer-invite-link'))).trim() === viewerInv, 'the viewer link is not the party\'s');
      check((await ctx.deepText(tid('host-invite-link'))).trim() === hostInv, 'the host link is not shown apart');
      // olga hosts with --no-local-repl: not in the list, and the list says why (a tester
      // looked for her there).
      await textOf('host-not-in-party', 'olga hosts this party without taking part in it.');
      await shot('joined-with-host-invite');
      // Leave with a prompt typed and not sent asks first (it was simply lost).
      await tid('prompt-input').fill('half a thought');
      await tid('leave-party').click();
      await visible('leave-draft');
      await new Promise((r) => setTimeout(r, 400)); // the dialog's fade-in, for the screenshot
      await shot('leave-confirm');
      await tid('leave-cancel').click();
      await tid('leave-dialog').waitFor({ state: 'detached' });
      check((await tid('prompt-input').inputValue()) === 'half a thought', 'Stay lost the draft');
      await tid('leave-party').click();
      await tid('leave-confirm').click();
      await textOf('party-ended-reason', "You left olga's party");
      await tid('back-home').click();
      await visible('home');
    } finally {
      await host.stop();
    }
  });

  test('join: a fresh link from the clipboard each time the dialog opens; typed text is kept', async () => {
    const a = `concordia://127.0.0.1:1111/${token}?fp=${fp}`;
    const b = `concordia://127.0.0.1:2222/${token}?fp=${fp}`;
    const typed = `concordia://127.0.0.1:3333/${token}?fp=${fp}`;
    // The field still holds what was typed in the last test: the person empties it.
    await openJoin();
    await (await visible('join-invite')).fill('');
    await closeJoin();
    setClipboard(a);
    await openJoin();
    await until('the clipboard link in the field', async () => (await tid('join-invite').inputValue()) === a);
    await attrOf('join-invite-status', 'data-check', 'valid');
    await textOf('join-invite-status', 'Valid invite to 127.0.0.1:1111');
    await shot('join-from-clipboard');
    await closeJoin();

    setClipboard(b); // a new invite was copied
    await openJoin();
    await until('the new clipboard link to replace the old one', async () => (await tid('join-invite').inputValue()) === b);
    await closeJoin();

    await openJoin();
    await ctx.typeInvite(typed); // typed by the person
    await closeJoin();
    setClipboard(a);
    await openJoin();
    await new Promise((r) => setTimeout(r, 500)); // the clipboard has been read by now
    check((await tid('join-invite').inputValue()) === typed, 'the typed link was replaced by the clipboard');
    await closeJoin();
    setClipboard('nothing to join');
  });

  const claudeDir = ensureDir(join(tmp, 'tools'));

  test('Create party: a "not found" error goes once the Claude Code path is fixed', async () => {
    await visible('home');
    await tid('home-name').fill('ivy');
    if (!(await tid('home-claude-path').isVisible())) await tid('home-more').locator('summary').click();
    await tid('home-claude-path').fill(join(claudeDir, 'no-such-claude'));
    await tid('home-create').click();
    await textOf('home-create-error', 'Claude Code was not found');
    await tid('home-name').fill('ivy2'); // another field: the cause is still there
    await new Promise((r) => setTimeout(r, 800));
    check((await tid('home-create-error').count()) === 1, 'the error went away though its cause is still there');
    await tid('home-name').fill('ivy');
    await shot('create-claude-not-found');
    await tid('home-claude-path').fill(fakeClaude);
    await tid('home-create-error').waitFor({ state: 'hidden' });
    await shot('create-error-cleared');
  });

  test('Create party: a failed Create at 800×600 brings its error and field into view', async () => {
    // The form is taller than the window, its error under the sticky button: a failed
    // Create looked like a dead button (a tester).
    const p = ctx.page();
    const before = p.viewportSize();
    await p.setViewportSize({ width: 800, height: 600 });
    try {
      await visible('home');
      const workdir = await tid('home-workdir').inputValue();
      await tid('home-workdir').fill(join(tmp, 'does-not-exist'));
      await tid('home-name').scrollIntoViewIfNeeded(); // the top of the form, as on a fresh start
      check(!(await tid('home-create-error').count()), 'an error is already shown');
      await tid('home-create').click();
      await textOf('home-create-error', 'does not exist');
      await until('the error in view', async () => {
        const box = await tid('home-create-error').boundingBox();
        return box && box.y >= 0 && box.y + box.height <= 600 ? true : null;
      });
      await attrOf('home-workdir', 'aria-invalid', 'true');
      check(await tid('home-workdir').evaluate((el) => el.matches(':focus')), 'the folder field does not have the focus');
      await shot('create-error-in-view-800');
      await tid('home-workdir').fill(workdir);
      await tid('home-create-error').waitFor({ state: 'hidden' });
    } finally {
      if (before) await p.setViewportSize(before);
    }
  });

  test('Create party: Browse… for the Claude Code path opens the native file dialog', async () => {
    // The dialog is GTK's, in the dev app's (hidden) window: answered as a person would.
    await tid('home-claude-browse').click();
    const wid = await until('the Claude Code file dialog', () => {
      try {
        return execFileSync('xdotool', ['search', '--onlyvisible', '--name', 'Choose the Claude Code program'], { encoding: 'utf8' }).trim().split('\n')[0];
      } catch {
        return null;
      }
    });
    execFileSync('xdotool', ['windowfocus', '--sync', wid]);
    execFileSync('xdotool', ['key', 'ctrl+l']);
    execFileSync('xdotool', ['type', '--delay', '5', fakeClaude]);
    execFileSync('xdotool', ['key', 'Return']);
    await until('the chosen program in the field', async () => (await tid('home-claude-path').inputValue()) === fakeClaude);
  });

  const chosenWork = ensureDir(join(tmp, 'work-remembered'));

  test('Create party: the values typed are remembered, across parties and a restart', async () => {
    await tid('home-name').fill('ivy');
    await tid('home-workdir').fill(chosenWork);
    await tid('home-mode').selectOption('edits');
    await tid('home-approve').check();
    // The whole folder warns on the form, and is never remembered (settings.Remember):
    // the remembered choice checked below is "off".
    await tid('home-share').selectOption('tree');
    await visible('home-share-warning');
    await tid('home-share').selectOption('off');
    check(!(await tid('home-share-warning').isVisible()), 'the whole-folder warning stays after choosing off');
    await tid('home-window').fill('2');
    await tid('home-merger').selectOption('local');
    await shot('create-filled');
    await tid('home-create').click();
    await visible('party-view');
    const saved = await until('the settings file to hold the Create party values', () => {
      const s = readSettings();
      return s.name === 'ivy' && s.workdir === chosenWork && s.claude_path === fakeClaude ? s : null;
    });
    check(saved.permission_mode === 'edits' && saved.approve === true && saved.share_workspace === 'off' && saved.window_ms === 2000 && saved.merger === 'local',
      `settings file: ${JSON.stringify(saved)}`);
    await tid('end-party').click();
    await tid('end-party-confirm').click();
    await visible('party-ended');
    await tid('back-home').click();
    await visible('home');

    const expectForm = async (when) => {
      await until(`the remembered name ${when}`, async () => (await tid('home-name').inputValue()) === 'ivy');
      check((await tid('home-workdir').inputValue()) === chosenWork, `the folder is not remembered ${when}`);
      if (!(await tid('home-claude-path').isVisible())) await tid('home-more').locator('summary').click();
      check((await tid('home-claude-path').inputValue()) === fakeClaude, `the Claude Code path is not remembered ${when}`);
      check((await tid('home-mode').inputValue()) === 'edits', `the permission mode is not remembered ${when}`);
      check(await tid('home-approve').isChecked(), `approval is not remembered ${when}`);
      check((await tid('home-share').inputValue()) === 'off', `the sharing level is not remembered ${when}`);
      check((await tid('home-window').inputValue()) === '2', `the batching window is not remembered ${when}`);
      check((await tid('home-merger').inputValue()) === 'local', `the merger is not remembered ${when}`);
    };
    await expectForm('after the party');
    await ctx.restartApp();
    await visible('home');
    await expectForm('after a restart');
    await shot('create-remembered-after-restart');
  });
}
