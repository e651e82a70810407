import { describe, expect, it } from 'vitest';
import type { KubeObject, StatusObject } from '../../../src/api/meta.js';
import type { ListResult, WatchEvent } from '../../../src/kube/dynamic-client.js';
import { KubeApiError } from '../../../src/kube/errors.js';
import { dropManagedFields, Informer, type ListWatchSource } from '../../../src/kube/informer.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { createRegistry } from '../../../src/observability/metrics.js';
import { pollUntil } from '../../support/until.js';

const CM: ResourceRef = { group: '', version: 'v1', resource: 'configmaps', namespaced: true, kind: 'ConfigMap' };

function obj(name: string, rv: number, data = ''): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion: String(rv) }, data: { v: data } };
}

/**
 * An in-memory API for one resource: a versioned store, a bounded history for watches
 * (older resourceVersions get 410), and switches to fail lists or watches.
 */
class FakeApi implements ListWatchSource<KubeObject> {
  rv = 1;
  objects = new Map<string, KubeObject>();
  history: WatchEvent<KubeObject>[] = [];
  oldestRv = 1;
  watchers = new Set<{ onEvent: (e: WatchEvent<KubeObject>) => void; end: (err?: unknown) => void }>();
  failLists = 0;
  failWatch: unknown;
  lists = 0;
  watches = 0;
  pageSizes: (number | undefined)[] = [];

  put(name: string, data: string): void {
    const type = this.objects.has(name) ? 'MODIFIED' : 'ADDED';
    const o = obj(name, ++this.rv, data);
    this.objects.set(name, o);
    this.emit({ type, object: o });
  }

  del(name: string): void {
    const o = this.objects.get(name);
    if (!o) return;
    this.objects.delete(name);
    this.emit({ type: 'DELETED', object: { ...o, metadata: { ...o.metadata, resourceVersion: String(++this.rv) } } });
  }

  emit(e: WatchEvent<KubeObject>): void {
    this.history.push(e);
    for (const w of this.watchers) w.onEvent(e);
  }

  /** Forget history: watches from older versions now get 410. */
  compact(): void {
    this.history = [];
    this.oldestRv = this.rv;
  }

  dropWatches(err?: unknown): void {
    for (const w of [...this.watchers]) w.end(err);
  }

  async list(opts: { limit?: number; continue?: string }): Promise<ListResult<KubeObject>> {
    this.lists++;
    this.pageSizes.push(opts.limit);
    if (this.failLists > 0) {
      this.failLists--;
      throw new KubeApiError('list: Unreachable', { code: 0, reason: 'Unreachable', context: { verb: 'GET', path: '/x' } });
    }
    const all = [...this.objects.values()].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    const start = opts.continue ? Number(opts.continue) : 0;
    const end = opts.limit ? start + opts.limit : all.length;
    const items = all.slice(start, end).map((o) => structuredClone(o));
    return {
      apiVersion: 'v1',
      kind: 'ConfigMapList',
      metadata: { resourceVersion: String(this.rv), ...(end < all.length ? { continue: String(end) } : {}) },
      items,
    };
  }

  watch(opts: { resourceVersion: string; signal: AbortSignal }, onEvent: (e: WatchEvent<KubeObject>) => void): Promise<void> {
    this.watches++;
    return new Promise((resolve, reject) => {
      if (this.failWatch) return reject(this.failWatch);
      const from = Number(opts.resourceVersion);
      const deliver = (e: WatchEvent<KubeObject>): void => {
        try {
          onEvent(e);
        } catch (err) {
          w.end(err);
        }
      };
      const w = {
        onEvent: deliver,
        end: (err?: unknown) => {
          this.watchers.delete(w);
          if (err) reject(err);
          else resolve();
        },
      };
      opts.signal.addEventListener('abort', () => w.end());
      this.watchers.add(w);
      if (from < this.oldestRv) {
        const status: StatusObject = { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410 };
        deliver({ type: 'ERROR', object: status });
        return;
      }
      for (const e of this.history) if (Number(e.object.metadata && (e.object as KubeObject).metadata.resourceVersion) > from) deliver(e);
    });
  }
}

function recorder(inf: Informer) {
  const log: string[] = [];
  inf.addHandlers({
    onAdd: (o) => log.push(`add ${o.metadata.name}`),
    onUpdate: (a, b) => log.push(`update ${b.metadata.name} ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
    onDelete: (o) => log.push(`delete ${o.metadata.name}`),
  });
  return log;
}

const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
  await pollUntil(cond, ms, 5);
};

function cacheState(inf: Informer): Record<string, string> {
  return Object.fromEntries(inf.list().map((o) => [o.metadata.name ?? '', o.metadata.resourceVersion ?? '']));
}
function apiState(api: FakeApi): Record<string, string> {
  return Object.fromEntries([...api.objects.values()].map((o) => [o.metadata.name ?? '', o.metadata.resourceVersion ?? '']));
}

describe('Informer', () => {
  it('lists with pagination, syncs, then applies watch events to cache and handlers', async () => {
    const api = new FakeApi();
    for (let i = 0; i < 5; i++) api.put(`o${i}`, 'a');
    const inf = new Informer({ resource: CM, source: api, pageSize: 2, backoffInitialMs: 5 });
    const log = recorder(inf);
    const ac = new AbortController();
    const running = inf.start(ac.signal);
    await inf.waitForSync();
    expect(inf.hasSynced()).toBe(true);
    expect(api.pageSizes).toEqual([2, 2, 2]);
    expect(inf.size).toBe(5);
    expect(log).toHaveLength(5);
    await until(() => api.watchers.size === 1);
    api.put('o1', 'b');
    api.put('new', 'x');
    api.del('o0');
    await until(() => log.length === 8);
    expect(log.slice(5)).toEqual(['update o1 3->7', 'add new', 'delete o0']);
    expect(inf.getByName('ns', 'o1')?.data).toEqual({ v: 'b' });
    expect(inf.get('ns/o0')).toBeUndefined();
    ac.abort();
    await running;
  });

  it('applies a transform to listed and watched objects', async () => {
    const api = new FakeApi();
    api.put('a', '1');
    const withFields = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, managedFields: [{ manager: 'm', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} }] } });
    const inf = new Informer({ resource: CM, source: api, transform: (o) => dropManagedFields(withFields(o)) });
    const ac = new AbortController();
    const running = inf.start(ac.signal);
    await inf.waitForSync();
    await until(() => api.watchers.size === 1);
    api.put('b', '1');
    await until(() => inf.size === 2);
    expect(inf.list().every((o) => o.metadata.managedFields === undefined)).toBe(true);
    expect(inf.getByName('ns', 'b')?.metadata.resourceVersion).toBe('3');
    ac.abort();
    await running;
  });

  it('replays cached objects as adds to handlers registered late', async () => {
    const api = new FakeApi();
    api.put('a', '1');
    const inf = new Informer({ resource: CM, source: api });
    const ac = new AbortController();
    const running = inf.start(ac.signal);
    await inf.waitForSync();
    const log = recorder(inf);
    expect(log).toEqual(['add a']);
    ac.abort();
    await running;
  });

  it('relists on 410 Gone and reconciles the cache: deletes vanished, updates changed, adds new', async () => {
    const api = new FakeApi();
    api.put('keep', '1');
    api.put('change', '1');
    api.put('vanish', '1');
    const registry = createRegistry({ defaultMetrics: false });
    const inf = new Informer({ resource: CM, source: api, cluster: 'c1', registry, backoffInitialMs: 5 });
    const log = recorder(inf);
    const ac = new AbortController();
    const running = inf.start(ac.signal);
    await inf.waitForSync();
    await until(() => api.watchers.size === 1);
    log.length = 0;
    // The informer misses these: its watch is cut, then history is compacted.
    api.dropWatches(new KubeApiError('conn reset', { code: 0, reason: 'Unreachable', context: { verb: 'GET', path: '/x' } }));
    const watchers = api.watches;
    api.watchers.clear();
    api.put('change', '2');
    api.del('vanish');
    api.put('fresh', '1');
    api.compact();
    await until(() => api.watches > watchers + 1 && api.watchers.size === 1, 5000);
    expect(log.sort()).toEqual(['add fresh', 'delete vanish', 'update change 3->5'].sort());
    expect(cacheState(inf)).toEqual(apiState(api));
    const restarts = await registry.getSingleMetricAsString('kfed_informer_restarts_total');
    expect(restarts).toContain('reason="gone"} 1');
    expect(restarts).toContain('reason="error"} 1');
    expect(inf.restarts).toBe(2);
    ac.abort();
    await running;
  });

  it('retries failed lists with backoff and reports errors to onError hooks', async () => {
    const api = new FakeApi();
    api.put('a', '1');
    api.failLists = 3;
    const inf = new Informer({ resource: CM, source: api, backoffInitialMs: 5, backoffMaxMs: 20 });
    const errors: string[] = [];
    inf.onError((e) => errors.push((e as KubeApiError).reason));
    const ac = new AbortController();
    const running = inf.start(ac.signal);
    await inf.waitForSync();
    expect(errors).toEqual(['Unreachable', 'Unreachable', 'Unreachable']);
    expect(api.lists).toBe(4);
    expect(inf.size).toBe(1);
    ac.abort();
    await running;
  });

  it('waits at least Retry-After when the server throttles', async () => {
    const api = new FakeApi();
    api.put('a', '1');
    const realList = api.list.bind(api);
    let throttled = false;
    api.list = async (opts) => {
      if (!throttled) {
        throttled = true;
        throw new KubeApiError('throttled', { code: 429, reason: 'TooManyRequests', retryAfterSeconds: 1, context: { verb: 'GET', path: '/x' } });
      }
      return realList(opts);
    };
    const inf = new Informer({ resource: CM, source: api, backoffInitialMs: 5 });
    const ac = new AbortController();
    const start = Date.now();
    const running = inf.start(ac.signal);
    await inf.waitForSync();
    expect(Date.now() - start).toBeGreaterThanOrEqual(990);
    ac.abort();
    await running;
  });

  it('re-watches from the last resourceVersion after a watch error, without relisting', async () => {
    const api = new FakeApi();
    api.put('a', '1');
    const inf = new Informer({ resource: CM, source: api, backoffInitialMs: 5 });
    const log = recorder(inf);
    const ac = new AbortController();
    const running = inf.start(ac.signal);
    await inf.waitForSync();
    await until(() => api.watchers.size === 1);
    api.dropWatches(new Error('socket hang up'));
    api.put('b', '1'); // in history: the next watch replays it
    await until(() => log.includes('add b'));
    expect(api.lists).toBe(1);
    expect(log).toEqual(['add a', 'add b']);
    ac.abort();
    await running;
  });

  it('restarts a silent watch (watchdog) and counts it', async () => {
    const api = new FakeApi();
    const registry = createRegistry({ defaultMetrics: false });
    const inf = new Informer({ resource: CM, source: api, silenceTimeoutMs: 60, backoffInitialMs: 5, registry });
    const errors: string[] = [];
    inf.onError((e) => errors.push((e as Error).name));
    const ac = new AbortController();
    const running = inf.start(ac.signal);
    await inf.waitForSync();
    await until(() => api.watches >= 3, 3000);
    expect(errors[0]).toBe('SilenceError');
    expect(await registry.getSingleMetricAsString('kfed_informer_restarts_total')).toMatch(/reason="silence"} [2-9]/);
    ac.abort();
    await running;
  });

  it('delivers periodic resyncs as onUpdate(obj, obj)', async () => {
    const api = new FakeApi();
    api.put('a', '1');
    const inf = new Informer({ resource: CM, source: api, resyncPeriodMs: 40 });
    const log = recorder(inf);
    const ac = new AbortController();
    const running = inf.start(ac.signal);
    await inf.waitForSync();
    await until(() => log.filter((l) => l === 'update a 2->2').length >= 2);
    ac.abort();
    await running;
  });

  it('a throwing handler does not stop other handlers or the informer', async () => {
    const api = new FakeApi();
    const inf = new Informer({ resource: CM, source: api });
    inf.addHandlers({
      onAdd: () => {
        throw new Error('bad handler');
      },
    });
    const log = recorder(inf);
    const ac = new AbortController();
    const running = inf.start(ac.signal);
    await inf.waitForSync();
    await until(() => api.watchers.size === 1);
    api.put('a', '1');
    await until(() => log.length === 1);
    expect(inf.size).toBe(1);
    ac.abort();
    await running;
  });

  it('waitForSync rejects when stopped before syncing; stop() ends the loop', async () => {
    const api = new FakeApi();
    api.failLists = 1000;
    const inf = new Informer({ resource: CM, source: api, backoffInitialMs: 5 });
    const ac = new AbortController();
    const running = inf.start(ac.signal);
    const sync = inf.waitForSync();
    await new Promise((r) => setTimeout(r, 20));
    await inf.stop();
    await expect(sync).rejects.toThrow(/stopped before sync/);
    await running;
  });
});
