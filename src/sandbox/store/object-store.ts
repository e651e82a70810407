// In-memory object storage for one sandbox cluster: what etcd is to a real API server.
// Stored objects are never mutated: every write stores a new object, so readers can
// hand them out without copying and watch history can keep the previous version.
import type { KubeObject } from '../../api/meta.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  rv: number;
  type: WatchEventType;
  /** resource key, e.g. `deployments.apps` */
  resource: string;
  obj: KubeObject;
  /** the object before a MODIFIED change (for selector transitions) */
  prev?: KubeObject;
}

export type StoreListener = (ev: StoreEvent) => void;

export class ResourceVersionGoneError extends Error {}

function objKey(ns: string | undefined, name: string): string {
  return ns ? `${ns}/${name}` : name;
}

export class ObjectStore {
  private rv = 0;
  private readonly tables = new Map<string, Map<string, KubeObject>>();
  /** sorted keys per table, rebuilt lazily after a key is added or removed (updates keep them) */
  private readonly sortedKeys = new Map<string, string[]>();
  private history: StoreEvent[] = [];
  private historyStart = 0; // index of the oldest retained event in `history`
  /** events with rv <= compactedRv are gone */
  private compactedRv = 0;
  private readonly listeners = new Set<StoreListener>();

  constructor(private readonly historyWindow = 100_000) {}

  get currentRv(): number {
    return this.rv;
  }

  get oldestWatchableRv(): number {
    return this.compactedRv;
  }

  subscribe(l: StoreListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get(resource: string, ns: string | undefined, name: string): KubeObject | undefined {
    return this.tables.get(resource)?.get(objKey(ns, name));
  }

  /** Objects of a resource (optionally one namespace), in key order. Do not mutate them. */
  list(resource: string, ns?: string): KubeObject[] {
    const table = this.tables.get(resource);
    if (!table) return [];
    let keys = this.sortedKeys.get(resource);
    if (!keys) {
      keys = [...table.keys()].sort();
      this.sortedKeys.set(resource, keys);
    }
    const out: KubeObject[] = [];
    if (!ns) {
      for (const k of keys) out.push(table.get(k)!);
      return out;
    }
    // keys are sorted, so one namespace is a contiguous run starting at the first key >= "ns/"
    const prefix = `${ns}/`;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < keys.length && keys[i]!.startsWith(prefix); i++) out.push(table.get(keys[i]!)!);
    return out;
  }

  count(resource: string): number {
    return this.tables.get(resource)?.size ?? 0;
  }

  /** Store a new object; the caller has filled everything except resourceVersion. */
  create(resource: string, obj: KubeObject): KubeObject {
    const stored = this.stamp(obj);
    this.table(resource).set(objKey(stored.metadata.namespace, stored.metadata.name!), stored);
    this.sortedKeys.delete(resource);
    this.emit({ rv: this.rv, type: 'ADDED', resource, obj: stored });
    return stored;
  }

  update(resource: string, obj: KubeObject): KubeObject {
    const key = objKey(obj.metadata.namespace, obj.metadata.name!);
    const table = this.table(resource);
    const prev = table.get(key);
    const stored = this.stamp(obj);
    table.set(key, stored);
    if (!prev) this.sortedKeys.delete(resource);
    this.emit({ rv: this.rv, type: 'MODIFIED', resource, obj: stored, ...(prev ? { prev } : {}) });
    return stored;
  }

  remove(resource: string, ns: string | undefined, name: string): KubeObject | undefined {
    const table = this.tables.get(resource);
    const key = objKey(ns, name);
    const prev = table?.get(key);
    if (!table || !prev) return undefined;
    table.delete(key);
    this.sortedKeys.delete(resource);
    // A deleted object is reported with a fresh resourceVersion, as etcd does.
    const gone = this.stamp(prev);
    this.emit({ rv: this.rv, type: 'DELETED', resource, obj: gone });
    return gone;
  }

  /** Drop every object of a resource (its CRD was deleted). */
  dropResource(resource: string): void {
    for (const obj of this.list(resource)) this.remove(resource, obj.metadata.namespace, obj.metadata.name!);
    this.tables.delete(resource);
    this.sortedKeys.delete(resource);
  }

  /** Events after `rv`, or throws ResourceVersionGoneError when they were compacted away. */
  eventsSince(rv: number): StoreEvent[] {
    if (rv < this.compactedRv) throw new ResourceVersionGoneError(`too old resource version: ${rv} (${this.compactedRv})`);
    const out: StoreEvent[] = [];
    // history is ordered by rv; binary search the first event with rv > requested
    let lo = this.historyStart;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.history.length; i++) out.push(this.history[i]!);
    return out;
  }

  /** Forget all history: the next watch from an older resourceVersion gets 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history = [];
    this.historyStart = 0;
  }

  private stamp(obj: KubeObject): KubeObject {
    this.rv += 1;
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } };
  }

  private table(resource: string): Map<string, KubeObject> {
    let t = this.tables.get(resource);
    if (!t) {
      t = new Map();
      this.tables.set(resource, t);
    }
    return t;
  }

  private emit(ev: StoreEvent): void {
    this.history.push(ev);
    if (this.history.length - this.historyStart > this.historyWindow) {
      this.compactedRv = this.history[this.historyStart]!.rv;
      this.historyStart += 1;
      // reclaim the dropped prefix now and then instead of shifting every time
      if (this.historyStart > 4096 && this.historyStart * 2 > this.history.length) {
        this.history = this.history.slice(this.historyStart);
        this.historyStart = 0;
      }
    }
    for (const l of this.listeners) l(ev);
  }
}
