import { describe, expect, it, vi } from 'vitest';
import { Pacer } from '../../../../providers/route53/pacer.js';

describe('route53 pacer', () => {
  it('lets a burst through, then spaces requests at the rate', async () => {
    // Fake time: a wall-clock bound here would measure the shared machine, not the pacer.
    vi.useFakeTimers();
    try {
      const pacer = new Pacer(5, 1);
      const signal = new AbortController().signal;
      const t0 = Date.now();
      await pacer.take(signal); // the burst of one
      expect(Date.now() - t0).toBe(0);
      const two = pacer.take(signal).then(() => pacer.take(signal));
      await vi.advanceTimersByTimeAsync(400);
      await two;
      expect(Date.now() - t0).toBe(400); // two more at 5/s: 2 x 200 ms
    } finally {
      vi.useRealTimers();
    }
  });

  it('off at 0 requests per second; an abort ends the wait', async () => {
    const off = new Pacer(0, 0);
    for (let i = 0; i < 100; i++) await off.take(new AbortController().signal);
    const slow = new Pacer(0.001, 1);
    const ac = new AbortController();
    await slow.take(ac.signal);
    const waiting = slow.take(ac.signal);
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});
