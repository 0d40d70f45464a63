// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { boundOutput, OUTPUT_LINES, type ActivityGroup, type ToolStepView } from './activity-group';
import { toolSteps, type ActivityLine } from '../state/transcript';
import { ShownMore, stepKey } from '../state/shown-more';

/** What the group's turn shows more of, as the transcript view hands it: a change renders the group again. */
function showing(el: ActivityGroup, item: string, index: number): ShownMore {
  const shown = new ShownMore(() => (el.version = shown.of(item)));
  el.item = item;
  el.index = index;
  el.shown = shown;
  return shown;
}

const tool = (...texts: string[]): ActivityLine[] => texts.map((text) => ({ stream: 'tool', text }));
const own = (...texts: string[]): ActivityLine[] => texts.map((text) => ({ stream: 'tool_output', text }));

describe('toolSteps', () => {
  it('pairs each call with the result lines after it (a subagent indented)', () => {
    expect(toolSteps(tool('Bash: ls -la', '-> file-a (+2 lines)', 'Edit: x.go', '  Read: y.go', '  -> package y', '-> (error) nope'))).toEqual([
      { call: 'Bash: ls -la', output: ['file-a (+2 lines)'], full: false },
      { call: 'Edit: x.go', output: ['(error) nope'], full: false, failed: true }, // its own indentation's
      { call: '  Read: y.go', output: ['package y'], full: false },
    ]);
    // Parallel calls: call, call, result, result; each result to its own call, in order (a
    // reviewer's had both, and the first one's failure, under the second).
    expect(toolSteps(tool('Read: a.go', 'Read: b.go', '-> (error) no such file', '-> package b'))).toEqual([
      { call: 'Read: a.go', output: ['(error) no such file'], full: false, failed: true },
      { call: 'Read: b.go', output: ['package b'], full: false },
    ]);
    expect(toolSteps(tool('-> orphan result'))).toEqual([{ call: '', output: ['orphan result'], full: false }]);
  });

  it("gives a tool's own output to the step of the result line before it, in place of that summary", () => {
    expect(toolSteps([...tool('Bash: ls -la', '-> file-a (+2 lines)'), ...own('file-a', 'file-b', 'file-c'), ...tool('Edit: x.go', '-> ok')])).toEqual([
      { call: 'Bash: ls -la', output: ['file-a', 'file-b', 'file-c'], full: true },
      { call: 'Edit: x.go', output: ['ok'], full: false },
    ]);
    // A subagent's result and the outer one: each output replaces its own summary, under its
    // own call; "(error)" stays.
    expect(toolSteps([...tool('Task: look', '  Read: y.go', '  -> package y (+1 lines)'), ...own('package y', 'func Y()'), ...tool('-> (error) nope (+1 lines)'), ...own('nope', 'at y.go:1')])).toEqual([
      { call: 'Task: look', output: ['(error) nope', 'at y.go:1'], full: true, failed: true },
      { call: '  Read: y.go', output: ['package y', 'func Y()'], full: true },
    ]);
    // No result before it: a step of its own.
    expect(toolSteps(own('lone', 'output'))).toEqual([{ call: '', output: ['lone', 'output'], full: true }]);
    expect(toolSteps([...tool('Bash: ls'), ...own('x', 'y')])).toEqual([
      { call: 'Bash: ls', output: [], full: false },
      { call: '', output: ['x', 'y'], full: true },
    ]);
  });
});

describe('boundOutput', () => {
  it('shows at most OUTPUT_LINES lines and 4 KB; more counts what is left', () => {
    const many = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    const b = boundOutput(many);
    expect(b.shown.split('\n')).toHaveLength(OUTPUT_LINES);
    expect(b.more).toBe(100 - OUTPUT_LINES);
    const wide = boundOutput(['x'.repeat(10_000), 'after']);
    expect(wide.shown.length).toBe(4096 + 1);
    expect(wide.more).toBe(2);
    expect(boundOutput(['a', 'b'])).toEqual({ shown: 'a\nb', more: 0 });
  });
});

describe('<activity-group>', () => {
  it('labels stderr as stderr, not as tool steps', async () => {
    const el = document.createElement('activity-group') as ActivityGroup;
    el.segment = { kind: 'activity', stream: 'stderr', lines: [{ stream: 'stderr', text: 'fake claude: simulated crash' }] };
    document.body.append(el);
    await el.updateComplete;
    const root = el.shadowRoot!;
    expect(root.querySelector('[data-testid=tool-group]')).toBeNull();
    expect(root.querySelector('[data-testid=stderr-group]')?.textContent).toMatch(/stderr\s+1 line\s+— fake claude: simulated crash/);
    el.remove();
  });

  it('says on the collapsed row how many steps failed, and marks each failed step', async () => {
    const el = document.createElement('activity-group') as ActivityGroup;
    el.segment = { kind: 'activity', stream: 'tool', lines: tool('Bash: go test', '-> (error) exit status 1', 'Read: x.go', '-> package x', 'Bash: make', '-> (error) make: *** no rule') };
    document.body.append(el);
    await el.updateComplete;
    const root = el.shadowRoot!;
    expect(root.querySelector('[data-testid=tool-group-toggle]')?.textContent).toMatch(/3 tool steps\s+2 failed\s+— Bash: make/);
    const steps = [...root.querySelectorAll('tool-step')] as ToolStepView[];
    await Promise.all(steps.map((st) => st.updateComplete));
    expect(steps.map((st) => st.shadowRoot!.querySelector('[data-testid=tool-step-failed]') !== null)).toEqual([true, false, true]);
    // One step: "failed", no count; none failed: no label.
    el.segment = { kind: 'activity', stream: 'tool', lines: tool('Bash: false', '-> (error) exit status 1') };
    await el.updateComplete;
    expect(root.querySelector('[data-testid=tool-group-failed]')?.textContent).toBe('failed');
    el.segment = { kind: 'activity', stream: 'tool', lines: tool('Bash: true', '-> (no output)') };
    await el.updateComplete;
    expect(root.querySelector('[data-testid=tool-group-failed]')).toBeNull();
    el.remove();
  });

  // A user tester's denied step said "failed" while the turn's end said "1 denied".
  it('marks a step whose request was denied as denied, not failed', async () => {
    expect(toolSteps(tool('Bash: rm x', '-> (denied) hana (a host of this party) denied this tool use.'))).toEqual([
      { call: 'Bash: rm x', output: ['(denied) hana (a host of this party) denied this tool use.'], full: false, denied: true },
    ]);
    // Failed, its text kept back: a failure, as Go's transcript.IsFailedResult says; a
    // tool's own words that look like a mark come with one more space, and are none.
    expect(toolSteps(tool('Read: .env', '-> (error; its text is not shown: this file usually holds secrets)'))[0]!.failed).toBe(true);
    expect(toolSteps(tool('Bash: echo', '->  (denied) carol denied this tool use.'))[0]).toEqual({ call: 'Bash: echo', output: [' (denied) carol denied this tool use.'], full: false });
    // A long denial comes whole as the result's own output: its mark stays.
    expect(toolSteps([...tool('Bash: rm x', '-> (denied) hana denied this. Reason: (+1 lines)'), ...own('hana denied this. Reason:', 'not today')])).toEqual([
      { call: 'Bash: rm x', output: ['(denied) hana denied this. Reason:', 'not today'], full: true, denied: true },
    ]);
    const el = document.createElement('activity-group') as ActivityGroup;
    el.segment = { kind: 'activity', stream: 'tool', lines: tool('Bash: rm x', '-> (denied) hana denied this tool use.', 'Bash: false', '-> (error) exit status 1', 'Bash: rm y', '-> (denied) hana denied this tool use.') };
    document.body.append(el);
    await el.updateComplete;
    const root = el.shadowRoot!;
    expect(root.querySelector('[data-testid=tool-group-toggle]')?.textContent).toMatch(/3 tool steps\s+1 failed\s+2 denied\s+— Bash: rm y/);
    const steps = [...root.querySelectorAll('tool-step')] as ToolStepView[];
    await Promise.all(steps.map((st) => st.updateComplete));
    const marks = steps.map((st) => st.shadowRoot!.querySelector('[data-testid=tool-step-failed], [data-testid=tool-step-denied]')?.textContent);
    expect(marks).toEqual(['denied', 'failed', 'denied']);
    el.remove();
  });

  // A user tester's stopped turn said "1 tool step failed" of a request the stop cancelled:
  // Claude Code writes its own error result for it, which the host marks "(cancelled)".
  it('marks a step whose request a stop cancelled as cancelled, not failed', async () => {
    const rejected = "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file).";
    expect(toolSteps([...tool('Bash: touch x', '-> (cancelled) The user doesn\'t want to proceed with this tool use. The tool use was…'), ...own(rejected)])).toEqual([
      { call: 'Bash: touch x', output: [`(cancelled) ${rejected}`], full: true, cancelled: true },
    ]);
    // An older host's words for it still read as a cancellation; a tool's own "(cancelled)" is none.
    expect(toolSteps(tool('Bash: rm x', '-> (denied) The turn was stopped before anyone decided.'))[0]!.cancelled).toBe(true);
    expect(toolSteps(tool('Bash: echo', '->  (cancelled) by hand'))[0]).toEqual({ call: 'Bash: echo', output: [' (cancelled) by hand'], full: false });
    const el = document.createElement('activity-group') as ActivityGroup;
    el.segment = { kind: 'activity', stream: 'tool', lines: tool('Bash: touch x', '-> (cancelled) The user doesn\'t want to proceed…') };
    document.body.append(el);
    await el.updateComplete;
    const root = el.shadowRoot!;
    expect(root.querySelector('[data-testid=tool-group-failed]')).toBeNull();
    expect(root.querySelector('[data-testid=tool-group-cancelled]')?.textContent).toBe('cancelled');
    const step = root.querySelector('tool-step') as ToolStepView;
    await step.updateComplete;
    expect(step.shadowRoot!.querySelector('[data-testid=tool-step-cancelled]')?.textContent).toBe('cancelled');
    el.remove();
  });

  it('names on the collapsed row the call under way while the turn works, else the last', async () => {
    // A window tester's row named the third of three Writes while the card asked about the first.
    const el = document.createElement('activity-group') as ActivityGroup;
    el.segment = { kind: 'activity', stream: 'tool', lines: tool('Write: w1.txt', 'Write: docs/w2.md', 'Write: w3.py', '-> File created successfully at: w1.txt') };
    el.live = true;
    document.body.append(el);
    await el.updateComplete;
    const row = () => el.shadowRoot!.querySelector('[data-testid=tool-group-toggle]')?.textContent ?? '';
    expect(row()).toMatch(/3 tool steps\s+— Write: docs\/w2\.md/);
    el.live = false; // the turn is over: what it did last
    await el.updateComplete;
    expect(row()).toMatch(/3 tool steps\s+— Write: w3\.py/);
    el.remove();
  });

  it('a tool step expands to its output as text, bounded, with Show more', async () => {
    const el = document.createElement('activity-group') as ActivityGroup;
    const out = Array.from({ length: 50 }, (_, i) => `-> <img src=x onerror="window.__pwned=1"> ${i}`);
    el.segment = { kind: 'activity', stream: 'tool', lines: tool('Bash: cat big', ...out, 'Edit: x.go') };
    const shown = showing(el, '7', 2);
    document.body.append(el);
    await el.updateComplete;
    const root = el.shadowRoot!;
    expect(root.querySelector('[data-testid=tool-group]')?.getAttribute('data-steps')).toBe('2');
    const step = root.querySelector('tool-step') as ToolStepView;
    await step.updateComplete;
    const sr = step.shadowRoot!;
    expect(sr.querySelector('[data-testid=tool-step-call]')?.textContent).toBe('Bash: cat big');
    expect(sr.querySelectorAll('img').length).toBe(0);
    expect(sr.querySelector('[data-testid=tool-step-output]')?.textContent?.split('\n')).toHaveLength(OUTPUT_LINES);
    (sr.querySelector('[data-testid=tool-step-more]') as HTMLButtonElement).click();
    expect(shown.outputAll(stepKey('7', 2, 0))).toBe(true); // the state's: find counts it
    expect(shown.outputAll(stepKey('7', 2, 1))).toBe(false);
    await el.updateComplete;
    await step.updateComplete;
    expect(sr.querySelector('[data-testid=tool-step-output]')?.textContent?.split('\n')).toHaveLength(50);
    expect(sr.querySelector('[data-testid=tool-step-more]')).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
    el.remove();
  });

  it("a step opens to the tool's own output, as text, bounded with Show more; without it, to the summary line", async () => {
    const el = document.createElement('activity-group') as ActivityGroup;
    const own = Array.from({ length: 60 }, (_, i) => ({ stream: 'tool_output', text: `<img src=x onerror="window.__pwned2=1"> row ${i}` }));
    el.segment = { kind: 'activity', stream: 'tool', lines: [...tool('Bash: ls -la', '-> row 0 (+59 lines)'), ...own, ...tool('Bash: true', '-> done')] };
    showing(el, '3', 0);
    document.body.append(el);
    await el.updateComplete;
    const root = el.shadowRoot!;
    expect(root.querySelector('[data-testid=tool-group]')?.getAttribute('data-steps')).toBe('2');
    const [first, second] = [...root.querySelectorAll('tool-step')] as ToolStepView[];
    await first!.updateComplete;
    await second!.updateComplete;
    const sr = first!.shadowRoot!;
    expect(sr.querySelector('[data-testid=tool-step]')?.getAttribute('data-full')).toBe('1');
    const pre = () => sr.querySelector('[data-testid=tool-step-output]')!.textContent!.split('\n');
    expect(pre()).toHaveLength(OUTPUT_LINES);
    expect(pre()[1]).toBe('<img src=x onerror="window.__pwned2=1"> row 1');
    expect(pre().join('\n')).not.toContain('(+59 lines)');
    expect(sr.querySelectorAll('img').length).toBe(0);
    expect(sr.querySelector('[data-testid=tool-step-more]')?.textContent).toMatch(/Show more \(20 more lines\)/);
    (sr.querySelector('[data-testid=tool-step-more]') as HTMLButtonElement).click();
    await el.updateComplete;
    await first!.updateComplete;
    expect(pre()).toHaveLength(60);
    const s2 = second!.shadowRoot!;
    expect(s2.querySelector('[data-testid=tool-step]')?.getAttribute('data-full')).toBe('0');
    expect(s2.querySelector('[data-testid=tool-step-output]')?.textContent).toBe('done');
    expect((window as unknown as { __pwned2?: number }).__pwned2).toBeUndefined();
    el.remove();
  });
});
