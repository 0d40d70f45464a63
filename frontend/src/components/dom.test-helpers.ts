// What jsdom lacks for the party view, for its DOM tests: matchMedia (every query answers
// "no": a wide window) and the ResizeObserver the transcript measures rows with. Import it
// before the components.

window.matchMedia ??= ((query: string) =>
  ({ matches: false, media: query, addEventListener() {}, removeEventListener() {} }) as unknown as MediaQueryList);
globalThis.ResizeObserver ??= class {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
} as unknown as typeof ResizeObserver;
