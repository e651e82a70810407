import { afterEach, describe, expect, it, vi } from 'vitest';
import { pause } from '../../../src/runtime/clock.js';

describe('pause', () => {
  afterEach(() => vi.useRealTimers());

  it('resolves after the delay and leaves no abort listener behind', async () => {
    vi.useFakeTimers();
    const ac = new AbortController();
    const remove = vi.spyOn(ac.signal, 'removeEventListener');
    let done = false;
    const p = pause(100, ac.signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
  });

  it('resolves (does not reject) as soon as the signal aborts, and clears the timer', async () => {
    vi.useFakeTimers();
    const ac = new AbortController();
    const p = pause(60_000, ac.signal);
    ac.abort();
    await expect(p).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves at once for an already aborted signal', async () => {
    vi.useFakeTimers();
    await expect(pause(60_000, AbortSignal.abort())).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });
});
