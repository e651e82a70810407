// Cache of whole UDP answers keyed by the query's bytes after the ID. Resolvers repeat
// the same questions (same name, type, flags, EDNS size and client subnet), and an
// answer that depends only on those bytes and the snapshot can be replayed with the
// new ID instead of being rebuilt. The Responder decides what may be cached (not
// weighted picks, not round-robin rotations, not answers located by the source
// address); the cache empties itself when the snapshot changes.

export interface CachedAnswer {
  /** The query's bytes from offset 2 (everything but the ID). */
  readonly key: Buffer;
  readonly answer: Buffer;
  readonly qtype: number;
  readonly rcode: number;
}

/** FNV-1a over the query after its ID. */
function hashQuery(msg: Buffer): number {
  let h = 0x811c9dc5;
  for (let i = 2; i < msg.length; i++) h = Math.imul(h ^ (msg[i] ?? 0), 0x01000193);
  return h >>> 0;
}

function sameQuery(key: Buffer, msg: Buffer): boolean {
  if (key.length !== msg.length - 2) return false;
  for (let i = 0; i < key.length; i++) if (key[i] !== msg[i + 2]) return false;
  return true;
}

export class AnswerCache {
  private readonly entries = new Map<number, CachedAnswer>();
  private generation: unknown;
  private readonly max: number;

  /** `max` bounds the entries; a full cache starts over (a flood of distinct names cannot grow it). */
  constructor(max = 16_384) {
    this.max = max;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The answer cached for `msg` under `generation` (the snapshot), if any. */
  lookup(msg: Buffer, generation: unknown): CachedAnswer | undefined {
    if (generation !== this.generation) {
      this.entries.clear();
      this.generation = generation;
      return undefined;
    }
    if (msg.length < 12) return undefined;
    const e = this.entries.get(hashQuery(msg));
    return e && sameQuery(e.key, msg) ? e : undefined;
  }

  /** Remembers the `len` bytes of `out` as the answer to `msg` under `generation`. */
  store(msg: Buffer, generation: unknown, out: Buffer, len: number, qtype: number, rcode: number): void {
    if (generation !== this.generation) {
      this.entries.clear();
      this.generation = generation;
    }
    if (this.entries.size >= this.max) this.entries.clear();
    const key = Buffer.allocUnsafe(msg.length - 2);
    msg.copy(key, 0, 2);
    const answer = Buffer.allocUnsafe(len);
    out.copy(answer, 0, 0, len);
    this.entries.set(hashQuery(msg), { key, answer, qtype, rcode });
  }
}
