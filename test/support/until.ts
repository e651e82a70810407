// Polling for a condition in integration and e2e tests. A throw inside `fn` counts as
// "not yet" and becomes the cause of the timeout error, so a test that never converges
// says why it last failed.

/** Resolves with the first value of `fn` that is neither undefined nor false; polls every `every` ms. */
export async function pollUntil<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, ms: number, every: number): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`, { cause: last });
    await new Promise((r) => setTimeout(r, every));
  }
}
