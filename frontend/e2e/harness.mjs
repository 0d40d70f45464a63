// A small test runner and process helpers for the browser end-to-end tests.
//
// Tests run one after another, in the order they were declared, because they walk one real
// app through one story (home → settings → join dialog → party → home). A failed test is
// reported with a screenshot of the page and the run goes on; the last line printed is
// "browser: N passed, N failed".

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createServer as createHTTPServer } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Waits no longer than this for any one condition; the machine is shared and slow at times. */
export const TIMEOUT_MS = 45_000;

const tests = [];

/** Declares a test. */
export function test(name, fn) {
  tests.push({ name, fn });
}

/** Fails the current test with message unless ok. */
export function check(ok, message) {
  if (!ok) throw new Error(message);
}

/**
 * Waits until a button takes clicks: a permission card's Allow and Always allow are
 * disabled for a moment after the card shows a request (cards.ts ARM_MS).
 */
export function armed(button, what = 'the button enabled') {
  return until(what, async () => !(await button.isDisabled()));
}

/**
 * Clicks a card's button until what it decides is done (done() true). Allow, Always allow,
 * Deny and Send are disabled for a moment when their card appears or moves by itself
 * (cards.ts Arming): a click that lands in the instant after Playwright found the button
 * enabled is ignored, as a person's would be, and a loaded run once left a tool request
 * waiting so (and the tests after it with it). Clicks again only while done() is false.
 */
export function decide(button, done, what) {
  return until(what, async () => {
    if (await done()) return true;
    if (!(await button.isDisabled())) await button.click({ timeout: 2_000 }).catch(() => {});
    return done();
  });
}

/**
 * Polls fn (sync or async) until it returns a truthy value, which it returns; fails with
 * what (a description of the condition) after timeoutMs. A throwing fn counts as "not yet".
 */
export async function until(what, fn, timeoutMs = TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Runs the declared tests. hooks.screenshot(name) saves a picture of the page (called after a
 * failure); hooks.afterAll() releases everything. Returns the number of failures.
 * CONCORDIA_E2E_ONLY=REGEXP runs only the tests whose name it matches (while working on
 * one: `CONCORDIA_E2E_ONLY='find brings' node e2e/sizes.mjs`); a story's later tests may
 * need its earlier ones.
 */
export async function runTests(hooks) {
  let passed = 0;
  let failed = 0;
  const only = process.env.CONCORDIA_E2E_ONLY ? new RegExp(process.env.CONCORDIA_E2E_ONLY) : null;
  for (const [i, t] of tests.entries()) {
    if (only && !only.test(t.name)) continue;
    const started = Date.now();
    try {
      await t.fn();
      passed++;
      console.log(`ok   ${i + 1} - ${t.name} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${i + 1} - ${t.name} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
      console.log(indent(e instanceof Error ? (e.stack ?? e.message) : String(e)));
      try {
        const path = await hooks.screenshot(`failed-${String(i + 1).padStart(2, '0')}`);
        console.log(indent(`screenshot: ${path}`));
      } catch (se) {
        console.log(indent(`(no screenshot: ${se.message})`));
      }
    }
  }
  try {
    await hooks.afterAll();
  } catch (e) {
    failed++;
    console.log(`FAIL cleanup: ${e.message}`);
  }
  console.log(`browser: ${passed} passed, ${failed} failed`);
  return failed;
}

function indent(s) {
  return s
    .split('\n')
    .map((l) => `     ${l}`)
    .join('\n');
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Makes dir (and its parents) and returns it. */
export function ensureDir(dir) {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Every process started here, so that cleanup can stop what a failed test left running. */
const running = new Set();

/**
 * A started program with its stdout kept line by line. env, when given, is its whole
 * environment. stop() ends it: SIGTERM, then SIGKILL after a grace period; it resolves once
 * the program has exited.
 */
export class Proc {
  constructor(name, bin, args, { env = process.env, cwd } = {}) {
    this.name = name;
    this.lines = [];
    this.stderr = '';
    this.exitCode = undefined;
    this.child = spawn(bin, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(this);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitCode = code ?? signal;
        running.delete(this);
        resolve(this.exitCode);
      });
      this.child.on('error', (e) => {
        this.stderr += `\nspawn: ${e.message}`;
        this.exitCode = 'error';
        running.delete(this);
        resolve(this.exitCode);
      });
    });
    let partial = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk) => {
      this.stderr += chunk;
    });
    this.child.stdin.on('error', () => {}); // a closed pipe is reported through exit
  }

  /** Waits for a stdout line matching re and returns its match. */
  async expect(re, timeoutMs = TIMEOUT_MS) {
    return until(`${this.name} to print a line matching ${re}`, () => {
      for (const l of this.lines) {
        const m = re.exec(l);
        if (m) return m;
      }
      if (this.exitCode !== undefined) {
        throw new Error(`${this.name} exited (${this.exitCode}); stdout:\n${this.lines.join('\n')}\nstderr:\n${this.stderr}`);
      }
      return null;
    }, timeoutMs);
  }

  /** Writes a line to the program's stdin. */
  send(line) {
    this.child.stdin.write(`${line}\n`);
  }

  async stop(graceMs = 15_000) {
    if (this.exitCode !== undefined) return this.exitCode;
    this.child.stdin.end();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Stops every program still running. */
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.html': 'text/html' };

/** Serves dir (the built frontend) over HTTP on 127.0.0.1; returns { url, close }. */
export async function serveDir(dir) {
  const server = createHTTPServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    try {
      const body = readFileSync(join(dir, path === '/' ? 'index.html' : path));
      res.writeHead(200, { 'content-type': TYPES[path.slice(path.lastIndexOf('.'))] ?? 'text/html' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  // A port of one's own when asked for (CONCORDIA_E2E_FILES_PORT), for a machine whose tests share ports.
  await new Promise((r) => server.listen(Number(process.env.CONCORDIA_E2E_FILES_PORT) || 0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) };
}

export async function stopAll() {
  await Promise.all([...running].map((p) => p.stop()));
}

/** Joins path parts (re-exported so the tests need one import for paths). */
export { join };
