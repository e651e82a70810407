// Polling for a condition in integration and e2e tests: the one poll loop of the test suite
// (harnesses wrap it with their defaults). A throw inside `fn` counts as "not yet" and becomes
// the cause of the timeout error, so a test that never converges says why it last failed.
// Bounds are wall-clock on a shared machine: give them room (docs/contributing.md).

/**
 * Resolves with the first value of `fn` that is neither undefined nor false; polls every
 * `every` ms. `what` names the condition in the timeout error.
 */
export async function pollUntil<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, ms: number, every: number, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`, { cause: last });
    await new Promise((r) => setTimeout(r, every));
  }
}

/** The value of the first call of `fn` that does not throw; on timeout, the last error itself (an assertion's own message). */
export async function eventually<T>(fn: () => Promise<T> | T, ms = 5000, every = 25): Promise<T> {
  try {
    return (await pollUntil(async () => ({ value: await fn() }), ms, every)).value;
  } catch (err) {
    throw (err as Error).cause ?? err;
  }
}
