// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { LitElement, html } from 'lit';
import { FocusReturn, ViewportController, focusedElement, heightClasses, widthClasses } from './viewport';

function resize(w: number, h: number): void {
  Object.defineProperty(window, 'innerWidth', { configurable: true, value: w });
  Object.defineProperty(window, 'innerHeight', { configurable: true, value: h });
  window.dispatchEvent(new Event('resize'));
}

let crossed = 0;
class Sized extends LitElement {
  readonly viewport = new ViewportController(this, () => crossed++);
  override render() {
    return html`<button>in the shadow</button>`;
  }
}
customElements.define('sized-test', Sized);

describe('window size classes', () => {
  it('name the breakpoints the size is below', () => {
    expect(widthClasses(1920)).toBe('');
    expect(widthClasses(1180)).toBe('lt1400 lt1200');
    expect(widthClasses(800)).toBe('lt1400 lt1200 lt1100 lt900');
    expect(widthClasses(640)).toBe('lt1400 lt1200 lt1100 lt900 lt760 lt720');
    expect(widthClasses(400)).toBe('lt1400 lt1200 lt1100 lt900 lt760 lt720 lt520');
    expect(heightClasses(720)).toBe('');
    expect(heightClasses(480)).toBe('lt600 lt560');
  });

  // WebKitGTK kept a shadow root's @media results from the size it was first shown at: the
  // attributes are read from the window as the element connects and on every resize.
  it('are the host attributes vw and vh from the start, and follow a resize', async () => {
    resize(800, 600);
    crossed = 0;
    const el = document.createElement('sized-test') as Sized;
    document.body.append(el);
    expect(el.getAttribute('vw')).toBe('lt1400 lt1200 lt1100 lt900');
    expect(el.getAttribute('vh')).toBe('');
    expect(el.viewport.below(900)).toBe(true);
    resize(810, 600); // no breakpoint crossed
    expect(crossed).toBe(0);
    resize(640, 480);
    expect(el.getAttribute('vw')).toBe('lt1400 lt1200 lt1100 lt900 lt760 lt720');
    expect(el.getAttribute('vh')).toBe('lt600 lt560');
    expect(crossed).toBe(1);
    el.remove();
    resize(1180, 720); // removed: no longer followed
    expect(el.getAttribute('vw')).toBe('lt1400 lt1200 lt1100 lt900 lt760 lt720');
    document.body.append(el);
    expect(el.getAttribute('vw')).toBe('lt1400 lt1200');
    el.remove();
  });
});

describe('FocusReturn', () => {
  it('gives the focus back to the control a dialog was opened from, inside a shadow root too', async () => {
    const el = document.createElement('sized-test') as Sized;
    document.body.append(el);
    await el.updateComplete;
    const opener = el.shadowRoot!.querySelector('button')!;
    opener.focus();
    expect(focusedElement()).toBe(opener);
    const fr = new FocusReturn();
    fr.opened();
    const inDialog = document.createElement('button');
    document.body.append(inDialog);
    inDialog.focus();
    inDialog.remove(); // the dialog closes
    fr.closed();
    expect(focusedElement()).toBe(opener);
    el.remove();
  });

  it('leaves the focus where the person put it, and gives nothing back to a control that is gone', () => {
    const a = document.createElement('button');
    const b = document.createElement('input');
    document.body.append(a, b);
    a.focus();
    const fr = new FocusReturn();
    fr.opened();
    b.focus();
    fr.closed();
    expect(document.activeElement).toBe(b);
    a.focus();
    fr.opened();
    a.remove();
    b.blur();
    fr.closed();
    expect(focusedElement()).toBeNull();
    b.remove();
  });
});
