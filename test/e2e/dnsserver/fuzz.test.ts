// A shorter run of the packet fuzzer (bench/dns-server/fuzz.ts does 1,000,000).
import { describe, expect, it } from 'vitest';
import { runFuzz } from '../../../bench/dns-server/fuzz.js';

describe('DNS server fuzzing', () => {
  it('survives 60,000 UDP and 15,000 TCP random and mutated packets; every reply decodes', async () => {
    const seed = Date.now() & 0xffff;
    const r = await runFuzz(60_000, 15_000, seed);
    expect(r.udp.firstBad ?? r.tcp.firstBad, `seed ${seed}`).toBeUndefined();
    expect(r.udp.undecodable + r.tcp.undecodable).toBe(0);
    expect(r.udp.idMismatch).toBe(0);
    expect(r.internalErrors).toBe(0);
    expect(r.uncaught).toBe(0);
    expect(r.aliveAfter).toBe(true);
    // Most mutated packets still parse far enough to be answered.
    expect(r.udp.replies).toBeGreaterThan(r.udp.sent / 2);
    expect(r.tcp.replies).toBeGreaterThan(r.tcp.sent / 4);
  }, 55_000);
});
