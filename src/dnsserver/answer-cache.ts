// Cache of whole UDP answers keyed by the query's bytes after the ID, less the address
// bytes of its EDNS Client Subnet option. Resolvers repeat the same questions (same
// name, type, flags, EDNS size) for many client subnets; an answer that depends only on
// those bytes and the snapshot is replayed with the new ID and the new subnet echoed.
// An answer that depends on the client's location is kept per location class (what the
// routing policies of the snapshot can tell apart, see ecs-locations.ts), so a million
// subnets in a few classes share a handful of answers. The Responder decides what may be
// cached (not weighted picks, not round-robin rotations, not answers located by the
// source address); the cache empties itself when the snapshot changes.

export interface CachedAnswer {
  readonly answer: Buffer;
  /** Offset of the echoed ECS address in `answer` (its SCOPE byte is just before), -1 without ECS. */
  readonly ecsAt: number;
  readonly qtype: number;
  readonly rcode: number;
}

export interface CacheEntry {
  /** The query's bytes from offset 2, without the ECS address. */
  readonly key: Buffer;
  /** The answer when it does not depend on the client's location. */
  plain: CachedAnswer | undefined;
  /** Answers by location class when it does. */
  byClass: Map<number, CachedAnswer> | undefined;
}

/** Location classes kept per question; past this the question's located answers start over. */
const MAX_CLASSES = 256;

/** FNV-1a over the query after its ID, skipping [skipFrom, skipTo). */
function hashQuery(msg: Buffer, skipFrom: number, skipTo: number): number {
  let h = 0x811c9dc5;
  for (let i = 2; i < skipFrom; i++) h = Math.imul(h ^ (msg[i] ?? 0), 0x01000193);
  for (let i = skipTo; i < msg.length; i++) h = Math.imul(h ^ (msg[i] ?? 0), 0x01000193);
  return h >>> 0;
}

function sameQuery(key: Buffer, msg: Buffer, skipFrom: number, skipTo: number): boolean {
  if (key.length !== msg.length - 2 - (skipTo - skipFrom)) return false;
  let k = 0;
  for (let i = 2; i < skipFrom; i++, k++) if (key[k] !== msg[i]) return false;
  for (let i = skipTo; i < msg.length; i++, k++) if (key[k] !== msg[i]) return false;
  return true;
}

export class AnswerCache {
  private readonly entries = new Map<number, CacheEntry>();
  private generation: unknown;
  private readonly max: number;

  /** `max` bounds the questions; a full cache starts over (a flood of distinct names cannot grow it). */
  constructor(max = 16_384) {
    this.max = max;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The entry for `msg` under `generation` (the snapshot), if any. [skipFrom, skipTo) is
   * the ECS address (empty, at the end, without ECS).
   */
  lookup(msg: Buffer, generation: unknown, skipFrom: number, skipTo: number): CacheEntry | undefined {
    if (generation !== this.generation) {
      this.entries.clear();
      this.generation = generation;
      return undefined;
    }
    if (msg.length < 12) return undefined;
    const e = this.entries.get(hashQuery(msg, skipFrom, skipTo));
    return e && sameQuery(e.key, msg, skipFrom, skipTo) ? e : undefined;
  }

  /**
   * Remembers the `len` bytes of `out` as the answer to `msg` under `generation`, for
   * every client (`locationClass` -1) or for one location class.
   */
  store(msg: Buffer, generation: unknown, skipFrom: number, skipTo: number, locationClass: number, out: Buffer, len: number, ecsAt: number, qtype: number, rcode: number): void {
    if (generation !== this.generation) {
      this.entries.clear();
      this.generation = generation;
    }
    const h = hashQuery(msg, skipFrom, skipTo);
    let e = this.entries.get(h);
    if (!e || !sameQuery(e.key, msg, skipFrom, skipTo)) {
      if (this.entries.size >= this.max) this.entries.clear();
      const key = Buffer.allocUnsafe(msg.length - 2 - (skipTo - skipFrom));
      msg.copy(key, 0, 2, skipFrom);
      msg.copy(key, skipFrom - 2, skipTo);
      e = { key, plain: undefined, byClass: undefined };
      this.entries.set(h, e);
    }
    const answer = Buffer.allocUnsafe(len);
    out.copy(answer, 0, 0, len);
    const cached: CachedAnswer = { answer, ecsAt, qtype, rcode };
    if (locationClass < 0) {
      e.plain = cached;
      return;
    }
    e.byClass ??= new Map();
    if (e.byClass.size >= MAX_CLASSES) e.byClass.clear();
    e.byClass.set(locationClass, cached);
  }
}
