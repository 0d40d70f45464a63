import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Ticker } from './ticker';

/** A component stand-in: counts re-renders and runs the controller's hooks as Lit would. */
function fakeHost() {
  let controller: ReactiveController | undefined;
  const host = {
    renders: 0,
    addController(c: ReactiveController) {
      controller = c;
    },
    removeController() {},
    requestUpdate() {
      host.renders++;
      controller?.hostUpdated?.();
    },
    updateComplete: Promise.resolve(true),
  };
  return { host: host as typeof host & ReactiveControllerHost, controller: () => controller! };
}

describe('Ticker', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('re-renders on its interval only while active, and stops when the component leaves', () => {
    const { host, controller } = fakeHost();
    let active = false;
    new Ticker(host, 1000, () => active);
    controller().hostConnected?.();
    vi.advanceTimersByTime(5000);
    expect(host.renders).toBe(0); // not active: no timer
    active = true;
    controller().hostUpdated?.();
    vi.advanceTimersByTime(3000);
    expect(host.renders).toBe(3);
    active = false; // e.g. the countdown reached 0:00: the next render stops it
    vi.advanceTimersByTime(5000);
    expect(host.renders).toBe(4);
    active = true;
    controller().hostUpdated?.();
    vi.advanceTimersByTime(2000);
    expect(host.renders).toBe(6);
    controller().hostDisconnected?.();
    vi.advanceTimersByTime(5000);
    expect(host.renders).toBe(6);
  });
});
