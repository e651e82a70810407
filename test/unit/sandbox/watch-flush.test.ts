// WatchFlusher: quiet streams flush on the next turn, busy ones at most once per window.
import { describe, expect, it } from 'vitest';
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

  it('waits out the window after a flush, then flushes what came meanwhile together', async () => {
    const f = new WatchFlusher(40);
    const calls: number[] = [];
    const a = (): number => calls.push(performance.now());
    f.add(a);
    await nextTurn();
    expect(calls).toHaveLength(1);
    const first = calls[0]!;
    // events keep coming: the next flush is due a window after the first
    f.add(a);
    await nextTurn();
    expect(calls).toHaveLength(1);
    f.add(a);
    await sleep(60);
    expect(calls).toHaveLength(2);
    expect(calls[1]! - first).toBeGreaterThanOrEqual(35);
    // quiet again for longer than the window: back to the next turn
    await sleep(60);
    f.add(a);
    await nextTurn();
    expect(calls).toHaveLength(3);
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
