import { describe, expect, it } from 'vitest';
import { DEFAULT_ZOOM, MAX_ZOOM, MIN_ZOOM, clampZoom, zoomKey, zoomStep } from './zoom';

describe('zoomStep', () => {
  it('steps through the sizes, and stays at the ends', () => {
    const up: number[] = [];
    for (let z: number = MIN_ZOOM; up.length < 8; ) up.push((z = zoomStep(z, 1)));
    expect(up).toEqual([90, 100, 110, 125, 150, 150, 150, 150]);
    expect(zoomStep(MIN_ZOOM, -1)).toBe(MIN_ZOOM);
    expect(zoomStep(125, -1)).toBe(110);
    // A size between steps (a hand-edited file) goes to the next one either way.
    expect(zoomStep(117, 1)).toBe(125);
    expect(zoomStep(117, -1)).toBe(110);
  });
});

describe('clampZoom', () => {
  it('keeps a size within the range Go allows, the usual size for nonsense', () => {
    expect([clampZoom(50), clampZoom(80), clampZoom(124.6), clampZoom(400), clampZoom(0), clampZoom(Number.NaN)]).toEqual([MIN_ZOOM, 80, 125, MAX_ZOOM, DEFAULT_ZOOM, DEFAULT_ZOOM]);
  });
});

describe('zoomKey', () => {
  const none = { ctrlKey: false, metaKey: false, altKey: false };
  const cases: Array<[string, Partial<KeyboardEvent>, 1 | -1 | 0 | null]> = [
    ['Ctrl+=', { key: '=', ctrlKey: true }, 1],
    ['Ctrl+Shift+= (+)', { key: '+', ctrlKey: true }, 1],
    ['Ctrl+numpad +', { key: '+', ctrlKey: true }, 1],
    ['Ctrl+-', { key: '-', ctrlKey: true }, -1],
    ['Ctrl+Shift+- (_)', { key: '_', ctrlKey: true }, -1],
    ['Ctrl+0', { key: '0', ctrlKey: true }, 0],
    ['Cmd+= (macOS)', { key: '=', metaKey: true }, 1],
    ['= alone (typing)', { key: '=' }, null],
    ['0 alone', { key: '0' }, null],
    ['Ctrl+Alt+0 (AltGr)', { key: '0', ctrlKey: true, altKey: true }, null],
    ['Ctrl+F', { key: 'f', ctrlKey: true }, null],
  ];
  for (const [name, e, want] of cases) it(name, () => expect(zoomKey({ key: '', ...none, ...e })).toBe(want));
});
