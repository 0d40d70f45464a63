// The window at scale (issue 9.6): the party screen with a 10,000-event transcript, in
// headless Chromium, driven through the demo backend (?demo=1&bench=N), which plays the
// same events a host sends. It measures:
//
//   load     from CreateParty's state (N events) to the first full render
//   mixed    the cost of each of 2,000 appended events of whole turns (prompt, batch, tool
//            steps, a streamed Markdown reply, turn end)
//   stream   the cost of each of 2,000 deltas appended to one growing reply (Markdown with
//            paragraphs, lists and code blocks)
//   heap     the page's JS heap after a forced GC, and its DOM node count
//
// One append's cost is: the event handed to the state module, every Lit update it causes
// (a macrotask later all microtasks have run), and a forced layout of the transcript — what
// the main thread spends before the next frame could be painted.
//
// Build first (cd frontend && npm run build), then: node e2e/perf.mjs [EVENTS] [APPENDS]
// It prints a Markdown table (and JSON with --json).

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const events = Number(args[0] ?? 10000);
const appends = Number(args[1] ?? 2000);
const asJSON = process.argv.includes('--json');

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
const server = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  try {
    const body = await readFile(join(dist, path === '/' ? 'index.html' : path));
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'text/html' });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CONCORDIA_E2E_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});

/** Runs in the page: the transcript's scroller, through the shadow roots. */
const helpers = () => {
  window.__scroller = () =>
    document.querySelector('concordia-app')?.shadowRoot?.querySelector('party-view')?.shadowRoot?.querySelector('transcript-view')?.shadowRoot?.querySelector('.scroller');
  window.__settle = () =>
    new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve(window.__scroller()?.scrollHeight ?? 0);
      ch.port2.postMessage(0);
    });
};

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
}

async function run() {
  const page = await browser.newPage({ viewport: { width: 1180, height: 800 } });
  const cdp = await page.context().newCDPSession(page);
  await page.addInitScript(helpers);
  const t0 = Date.now();
  await page.goto(`${url}?demo=1&screen=party&history=0&teammates=0&bench=${events}`);
  await page.waitForFunction(() => (window.__scroller?.()?.scrollHeight ?? 0) > 0 && document.querySelector('concordia-app')?.shadowRoot?.querySelector('party-view'), null, { timeout: 120_000 });
  await page.evaluate(() => window.__settle());
  const loadMs = Date.now() - t0;

  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    const { nodes } = await cdp.send('Memory.getDOMCounters');
    return { heapMB: usedSize / 1048576, nodes };
  };
  const loaded = await heap();

  // Whole turns appended after the history.
  const mixed = await page.evaluate(async (n) => {
    const gen = window.concordiaDemoBench(n);
    const times = [];
    for (const e of gen) {
      const t = performance.now();
      window.concordiaDemo.inject(e);
      await window.__settle();
      times.push(performance.now() - t);
    }
    return times;
  }, appends);

  // One long reply, streamed.
  const stream = await page.evaluate(async (n) => {
    const d = window.concordiaDemo;
    d.inject({ kind: 'prompt', prompt: { id: 'p-long', user: 'ann', text: 'Explain the whole pipeline.' } });
    d.inject({ kind: 'batch', batch: { id: 'b-long', prompts: ['p-long'], merged: 'Explain the whole pipeline.', merger: 'local' } });
    await window.__settle();
    const piece = (i) => {
      switch (i % 50) {
        case 0:
          return `\n\n### Part ${i / 50 + 1}\n\n`;
        case 10:
          return '\n\n```go\nfunc step(p *Party) error {\n\treturn p.run()\n}\n```\n\n';
        case 20:
          return '\n\n- one point\n- another point with `code`\n\n';
        default:
          return `word ${i} of the reply, `;
      }
    };
    const times = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      d.inject({ kind: 'output', stream: 'assistant', text: piece(i) });
      await window.__settle();
      times.push(performance.now() - t);
    }
    return times;
  }, appends);
  const after = await heap();
  await page.close();
  return { loadMs, loaded, mixed: stats(mixed), stream: stats(stream), after };
}

let result;
try {
  result = await run();
} finally {
  await browser.close();
  server.close();
}
const f = (x) => x.toFixed(2);
if (asJSON) console.log(JSON.stringify(result));
console.log(`| measure (${events.toLocaleString('en')} events, ${appends.toLocaleString('en')} appends) | value |`);
console.log('| --- | --- |');
console.log(`| first render of the transcript | ${result.loadMs} ms (page load included) |`);
console.log(`| append, whole turns: median / p95 / max | ${f(result.mixed.median)} / ${f(result.mixed.p95)} / ${f(result.mixed.max)} ms |`);
console.log(`| append, one streaming reply: median / p95 / max | ${f(result.stream.median)} / ${f(result.stream.p95)} / ${f(result.stream.max)} ms |`);
console.log(`| JS heap after load / after the appends | ${f(result.loaded.heapMB)} / ${f(result.after.heapMB)} MB |`);
console.log(`| DOM nodes after load / after the appends | ${result.loaded.nodes} / ${result.after.nodes} |`);
