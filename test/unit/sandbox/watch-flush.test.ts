// WatchFlusher: quiet streams flush on the next turn, busy ones at most once per window.
import { describe, expect, it, vi } from 'vitest';
import { WatchFlusher } from '../../../src/sandbox/server/watch-flush.js';

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('WatchFlusher', () => {
  it('flushes on the next turn when quiet, once per stream however often it is added', async () => {
    const f = new WatchFlusher(50);
    const calls: string[] = [];
    const a = (): number => calls.push('a');
    const b = (): number => calls.push('b');
    f.add(a);
    f.add(b);
    f.add(a);
    expect(calls).toEqual([]);
    await nextTurn();
    expect(calls).toEqual(['a', 'b']);
  });

  it('waits out the window after a flush, then flushes what came meanwhile together', () => {
    // Fake clock: with real timers a stall of the test process longer than the window between
    // two adds (a loaded machine) would make the second add flush on the next turn.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] });
    try {
      const f = new WatchFlusher(40);
      const calls: number[] = [];
      const a = (): number => calls.push(performance.now());
      f.add(a);
      vi.advanceTimersToNextTimer();
      expect(calls).toHaveLength(1);
      const first = calls[0]!;
      // events keep coming: the next flush is due a window after the first
      vi.advanceTimersByTime(5);
      f.add(a);
      vi.advanceTimersByTime(1);
      expect(calls).toHaveLength(1);
      f.add(a);
      vi.advanceTimersByTime(30);
      expect(calls).toHaveLength(1);
      vi.advanceTimersByTime(10);
      expect(calls).toHaveLength(2);
      expect(calls[1]! - first).toBe(40);
      // quiet again for longer than the window: back to the next turn
      vi.advanceTimersByTime(60);
      const addedAt = performance.now();
      f.add(a);
      vi.advanceTimersToNextTimer();
      expect(calls).toHaveLength(3);
      expect(calls[2]).toBe(addedAt);
    } finally {
      vi.useRealTimers();
    }
  });

  it('forgets a removed stream', async () => {
    const f = new WatchFlusher(10);
    const calls: string[] = [];
    const a = (): number => calls.push('a');
    f.add(a);
    f.remove(a);
    await sleep(20);
    expect(calls).toEqual([]);
  });
});
