// A seeded pseudo-random source (mulberry32) for the fault soak: the same seed replays the
// same workload and the same fault schedule (timings still vary with the machine's load).

export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A fresh seed from the clock, for runs that name none. */
  static randomSeed(): number {
    return (Date.now() ^ (process.pid << 16)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('rng: pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A random non-empty subset, in the input's order. */
  subset<T>(items: readonly T[]): T[] {
    for (;;) {
      const out = items.filter(() => this.chance(0.5));
      if (out.length > 0) return out;
    }
  }

  /** Picks a key by weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((a, [, w]) => a + w, 0);
    let r = this.next() * total;
    for (const [k, w] of entries) {
      r -= w;
      if (r < 0) return k;
    }
    return entries[entries.length - 1]![0];
  }
}

/** The seed from KFED_SOAK_SEED (decimal or 0x hex) or a fresh one. */
export function seedFrom(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return Rng.randomSeed();
  const n = Number(value.trim());
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`soak seed: ${JSON.stringify(value)} is not an integer in 0..4294967295`);
  return n;
}
