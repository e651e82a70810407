// withTimeout: a per-operation timeout under a long-lived parent that leaves nothing on it.
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { withTimeout } from '../../../src/runtime/clock.js';
import { trackSignalAttachments, type SignalAttachments } from '../../support/signal-attachments.js';

let tracked: SignalAttachments | undefined;
afterEach(() => tracked?.stop());

describe('withTimeout', () => {
  it('leaves no listener or dependant on the parent after 200 operations, finished or failed', async () => {
    tracked = trackSignalAttachments();
    const parent = new AbortController();
    for (let i = 0; i < 200; i++) {
      const op = withTimeout(parent.signal, 60_000, async (signal) => {
        expect(signal.aborted).toBe(false);
        if (i % 2) throw new Error(`op ${i}`);
        return i;
      });
      if (i % 2) await expect(op).rejects.toThrow(`op ${i}`);
      else await expect(op).resolves.toBe(i);
    }
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    expect(tracked.maxDependants()).toBe(0);
  });

  it('aborts the operation with a TimeoutError after the timeout', async () => {
    const parent = new AbortController();
    const reason = await withTimeout(parent.signal, 20, (signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true })));
    expect((reason as Error).name).toBe('TimeoutError');
    expect(parent.signal.aborted).toBe(false);
  });

  it('aborts the operation with the parent\'s reason when the parent aborts', async () => {
    const parent = new AbortController();
    const op = withTimeout(parent.signal, 60_000, (signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true })));
    parent.abort(new Error('stopping'));
    expect(((await op) as Error).message).toBe('stopping');
  });
});
