/**
 * Source text that calls `fn(...args)` in a page, for `page.evaluate` and
 * `page.addInitScript`. Functions travel to the browser as text, so `fn` must
 * be self-contained and `args` JSON. Transpilers that keep function names
 * (tsx, vite with keepNames) wrap inner functions in a `__name()` helper that
 * exists only in Node; it is stubbed here so the text runs anywhere.
 * @example await page.evaluate(pageSource(readMarker, { size: 64 }));
 */
export function pageSource<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): string {
  const list = args.map((arg) => JSON.stringify(arg)).join(', ');
  return `(() => { const __name = (f) => f; return (${fn.toString()})(${list}); })()`;
}
