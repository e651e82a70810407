import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../../src/runtime/map-limit.js';

describe('mapLimit', () => {
  it('keeps the order of the inputs and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it('runs one at a time below a limit of 1 and returns [] for no items', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
    const seen: number[] = [];
    await mapLimit([1, 2, 3], 0, async (n) => void seen.push(n));
    expect(seen).toEqual([1, 2, 3]);
  });
});
