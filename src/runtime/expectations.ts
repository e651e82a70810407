// What kfed just wrote and its caches have not shown yet. A reconcile that runs before
// the watch event of its own previous write arrives would otherwise compare against the
// stale cached copy and write the same thing again. Watches deliver events in order, so
// an expectation is met when the cache shows the written resourceVersion or a later one
// (or, for a delete, the object gone or terminating); an unmet one expires after `ttlMs`.
// "Later" compares resourceVersions as integers when both are (etcd's and the sandbox's
// are); a server may also change the object in the same write (a controller's status in
// one revision), so waiting for exact equality could wait for an event that never comes.
// The one write-expectations helper: every controller that writes what it also watches
// (sync, RSP, the DNS record, DNSEndpoint and Domain controllers) uses it.

/** What expectations need of an object (any Kubernetes object has it). */
export interface Versioned {
  metadata: { resourceVersion?: string | undefined; deletionTimestamp?: string | undefined };
}

type Expected<T> = { obj: T; rv: string; at: number } | { deleted: true; at: number };

export class Expectations<T extends Versioned = Versioned> {
  private readonly pending = new Map<string, Expected<T>>();

  constructor(private readonly ttlMs = 30_000) {}

  wrote(key: string, obj: T): void {
    const rv = obj.metadata.resourceVersion;
    if (rv) this.pending.set(key, { obj, rv, at: Date.now() });
  }

  deleted(key: string): void {
    this.pending.set(key, { deleted: true, at: Date.now() });
  }

  /** A watch event (or relist) showed `obj` for `key`, or its deletion when `gone`. */
  observe(key: string, obj: Versioned | undefined, gone = false): void {
    const e = this.pending.get(key);
    if (!e) return;
    if ('deleted' in e) {
      if (gone || obj?.metadata.deletionTimestamp) this.pending.delete(key);
    } else if (gone || atLeast(obj?.metadata.resourceVersion, e.rv)) {
      this.pending.delete(key);
    }
  }

  /**
   * The state to reconcile against: the written object while its event is outstanding,
   * a terminating copy while a delete is outstanding, else the cache.
   */
  current(key: string, cached: T): T;
  current(key: string, cached: T | undefined): T | undefined;
  current(key: string, cached: T | undefined): T | undefined {
    const e = this.pending.get(key);
    if (!e) return cached;
    if (Date.now() - e.at > this.ttlMs) {
      this.pending.delete(key);
      return cached;
    }
    if ('deleted' in e) return cached && !cached.metadata.deletionTimestamp ? withDeletion(cached) : cached;
    // The event may have arrived before the write's response did.
    if (atLeast(cached?.metadata.resourceVersion, e.rv)) {
      this.pending.delete(key);
      return cached;
    }
    return e.obj;
  }

  forget(key: string): void {
    this.pending.delete(key);
  }

  get size(): number {
    return this.pending.size;
  }
}

/** A cached object whose delete was accepted: treat it as terminating until the event arrives. */
function withDeletion<T extends Versioned>(obj: T): T {
  return { ...obj, metadata: { ...obj.metadata, deletionTimestamp: obj.metadata.deletionTimestamp ?? new Date().toISOString() } };
}

function atLeast(rv: string | undefined, expected: string): boolean {
  if (rv === undefined) return false;
  if (rv === expected) return true;
  if (!/^\d+$/.test(rv) || !/^\d+$/.test(expected)) return false;
  return rv.length > expected.length || (rv.length === expected.length && rv > expected);
}
