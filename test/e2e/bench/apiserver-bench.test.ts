// The apiserver benchmark's harness still runs end to end (sandbox process, floor server, client-node
// caller threads, watchers, list) and reports every figure. Small counts and no timing assertions:
// the figures themselves are the benchmark's business (`npm run bench -- apiserver`).
import { describe, expect, it } from 'vitest';
import { runApiServerBench } from '../../../bench/apiserver.js';

describe('bench/apiserver (smoke)', () => {
  it('runs every phase with small counts and reports its figures', { timeout: 180_000 }, async () => {
    const out = await runApiServerBench({ writes: 300, writeRounds: 1, singleThreadWrites: 200, listObjects: 1_000, watchers: 3, watchEvents: 300 });
    for (const key of [
      'createPerSecond', 'updatePerSecond', 'createP99Ms', 'floorCreatePerSecond', 'floorUpdatePerSecond',
      'createServerCpuSecondsPer1000', 'floorServerCpuSecondsPer1000', 'singleThreadCreatePerSecond',
      'leanCreatePerSecond', 'watchReplayEventsPerSecond', 'watchEventsPerSecond', 'watchLeanEventsPerSecond',
      'list100kSeconds', 'list100kLastByteSeconds', 'bytesPerObject',
    ]) {
      expect(out[key], key).toBeGreaterThan(0);
      expect(Number.isFinite(out[key]), key).toBe(true);
    }
  });
});
