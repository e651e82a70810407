// Never a crash: bodies kubectl sent, cut short or with bytes flipped (a seeded generator, so a
// failure replays), either decode or answer 400/415 as an ApiError, never another exception.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../src/sandbox/server/api-error.js';
import { decodeProtobuf } from '../../../../src/sandbox/server/protobuf/decode.js';
import type { KubectlFixture } from './capture-fixtures.js';
import { Rng } from '../../../support/soak/rng.js';

const { fixtures } = JSON.parse(readFileSync(new URL('./kubectl-bodies.json', import.meta.url), 'utf8')) as { fixtures: KubectlFixture[] };

/** mulberry32 (the soak's): small, seeded, good enough to pick bytes. */
function random(seed: number): () => number {
  const g = new Rng(seed);
  return () => g.next();
}

function outcome(body: Buffer): 'decoded' | 400 | 415 {
  try {
    decodeProtobuf(body);
    return 'decoded';
  } catch (err) {
    if (err instanceof ApiError && (err.code === 400 || err.code === 415)) return err.code;
    throw new Error(`body ${body.toString('hex')}: ${String(err)}`, { cause: err });
  }
}

describe('decodeProtobuf on damaged bodies', () => {
  it('answers every truncation of every captured body', () => {
    const seen = new Set<string>();
    for (const f of fixtures) {
      const b = Buffer.from(f.body, 'hex');
      for (let n = 0; n < b.length; n++) seen.add(String(outcome(b.subarray(0, n))));
    }
    expect(seen.has('400')).toBe(true);
  });

  it('answers 10,000 bodies with random bytes flipped, inserted or removed', () => {
    const rnd = random(20261205);
    const counts = { decoded: 0, 400: 0, 415: 0 };
    for (let i = 0; i < 10_000; i++) {
      const f = fixtures[Math.floor(rnd() * fixtures.length)]!;
      const b = [...Buffer.from(f.body, 'hex')];
      for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) {
        const at = 4 + Math.floor(rnd() * (b.length - 4));
        const op = rnd();
        if (op < 0.6) b[at] = Math.floor(rnd() * 256);
        else if (op < 0.8) b.splice(at, 0, Math.floor(rnd() * 256));
        else b.splice(at, 1);
      }
      counts[outcome(Buffer.from(b))]++;
    }
    expect(counts.decoded + counts[400] + counts[415]).toBe(10_000);
    expect(counts[400]).toBeGreaterThan(500);
  });
});
