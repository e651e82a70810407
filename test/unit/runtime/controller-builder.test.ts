import { afterEach, describe, expect, it, vi } from 'vitest';
import { ControllerBuilder, type Source, type SourceHandlers } from '../../../src/runtime/controller-builder.js';
import { createRegistry } from '../../../src/observability/metrics.js';

interface Obj {
  name: string;
  owner?: string;
}

/** A source the test feeds by hand; it syncs when told to. */
class FakeSource implements Source<Obj> {
  readonly handlers = new Set<SourceHandlers<Obj>>();
  readonly items = new Map<string, Obj>();
  private synced = false;
  private waiters: (() => void)[] = [];
  constructor(readonly name: string) {}
  addHandlers(h: SourceHandlers<Obj>): () => void {
    this.handlers.add(h);
    for (const o of this.items.values()) h.onAdd?.(o);
    return () => this.handlers.delete(h);
  }
  hasSynced(): boolean {
    return this.synced;
  }
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push(resolve);
      signal?.addEventListener('abort', () => reject(new Error('aborted')));
    });
  }
  sync(): void {
    this.synced = true;
    for (const w of this.waiters.splice(0)) w();
  }
  add(o: Obj): void {
    this.items.set(o.name, o);
    for (const h of this.handlers) h.onAdd?.(o);
  }
  update(o: Obj): void {
    const old = this.items.get(o.name)!;
    this.items.set(o.name, o);
    for (const h of this.handlers) h.onUpdate?.(old, o);
  }
}

const flush = (ms = 10): Promise<void> => new Promise((r) => setTimeout(r, ms));

afterEach(() => {
  vi.useRealTimers();
});

describe('ControllerBuilder', () => {
  it('reconciles nothing before the sources and prerequisites are ready, then every key once', async () => {
    const primary = new FakeSource('primary');
    const secondary = new FakeSource('secondary');
    primary.add({ name: 'a' });
    primary.add({ name: 'b' });
    const seen: string[] = [];
    let registryReady!: () => void;
    const ctl = new ControllerBuilder('test')
      .watch(primary, (e) => e.obj.name)
      // A secondary object maps back to its owner's key.
      .watch(secondary, (e) => e.obj.owner)
      .waitFor('registry', () => new Promise<void>((r) => (registryReady = r)))
      .enqueueAllFrom(() => primary.items.keys())
      .reconcile(async (key) => {
        seen.push(key);
      });
    const abort = new AbortController();
    const run = ctl.start(abort.signal);
    await flush();
    expect(ctl.condition()).toMatchObject({ status: 'Unknown', reason: 'Syncing', message: 'waiting for primary, secondary' });
    primary.sync();
    secondary.sync();
    await flush();
    expect(seen).toEqual([]);
    registryReady();
    await flush();
    expect(seen.sort()).toEqual(['a', 'b']);
    expect(ctl.condition()).toMatchObject({ status: 'True', reason: 'Synced' });
    secondary.add({ name: 's1', owner: 'b' });
    primary.update({ name: 'a' });
    await flush();
    expect(seen.slice(2).sort()).toEqual(['a', 'b']);
    abort.abort();
    await run;
    // Handlers are gone once it stopped: later events reach no queue.
    expect(primary.handlers.size).toBe(0);
    expect(secondary.handlers.size).toBe(0);
    expect(ctl.condition().reason).toBe('Stopped');
  });

  it('reports a sync timeout (condition, metric, liveness) and keeps waiting', async () => {
    vi.useFakeTimers();
    const source = new FakeSource('stuck');
    const registry = createRegistry();
    const ctl = new ControllerBuilder('slow', { syncTimeoutMs: 1000, registry }).watch(source, (e) => e.obj.name).reconcile(async () => undefined);
    const abort = new AbortController();
    const run = ctl.start(abort.signal);
    await vi.advanceTimersByTimeAsync(999);
    expect(ctl.liveness()).toBe(true);
    await vi.advanceTimersByTimeAsync(2);
    expect(ctl.condition()).toMatchObject({ status: 'False', reason: 'SyncTimeout', message: 'waiting for stuck' });
    expect(ctl.liveness()).toBe('caches not synced: waiting for stuck');
    const text = await registry.metrics();
    expect(text).toMatch(/kfed_controller_cache_sync_timeouts_total\{controller="slow"\} 1/);
    expect(text).toMatch(/kfed_controller_caches_synced\{controller="slow"\} 0/);
    source.sync();
    await vi.advanceTimersByTimeAsync(1);
    expect(ctl.liveness()).toBe(true);
    expect(ctl.isRunning).toBe(true);
    abort.abort();
    await run;
  });

  it('does not hold the workers for an optional source beyond the timeout', async () => {
    vi.useFakeTimers();
    const required = new FakeSource('required');
    const optional = new FakeSource('optional');
    required.sync();
    const ctl = new ControllerBuilder('opt', { syncTimeoutMs: 500 }).watch(required).watch(optional, undefined, { optional: true }).reconcile(async () => undefined);
    const abort = new AbortController();
    const run = ctl.start(abort.signal);
    await vi.advanceTimersByTimeAsync(100);
    expect(ctl.isRunning).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    expect(ctl.isRunning).toBe(true);
    abort.abort();
    await run;
  });

  it('starts member caches after the host caches, waits for them bounded, and stops them', async () => {
    const log: string[] = [];
    const source = new FakeSource('host');
    const members = {
      start: () => void log.push('members start'),
      stop: async () => void log.push('members stop'),
      waitForReadyMembers: async (ms: number) => void log.push(`members wait ${ms}`),
    };
    const ctl = new ControllerBuilder('m', { memberSyncTimeoutMs: 1234 })
      .watch(source)
      .watchMembers(members)
      .run({ name: 'side', run: (signal) => new Promise((r) => signal.addEventListener('abort', () => r(log.push('side stop')))), prime: () => void log.push('side prime') })
      .onStop(() => void log.push('released'))
      .build();
    const abort = new AbortController();
    const run = ctl.start(abort.signal);
    await flush();
    expect(log).toEqual([]);
    source.sync();
    await flush();
    expect(log).toEqual(['members start', 'members wait 1234', 'side prime']);
    abort.abort();
    await run;
    expect(log.slice(3)).toEqual(['side stop', 'members stop', 'released']);
  });

  it('starts once: a stopped controller has released its caches', async () => {
    const source = new FakeSource('s');
    source.sync();
    const ctl = new ControllerBuilder('once').watch(source).reconcile(async () => undefined);
    const abort = new AbortController();
    const run = ctl.start(abort.signal);
    abort.abort();
    await run;
    await expect(ctl.start(new AbortController().signal)).rejects.toThrow('already started once');
  });

  it('wraps a failed prerequisite as a start failure', async () => {
    const ctl = new ControllerBuilder('fails').waitFor('registry', async () => {
      throw new Error('forbidden');
    }).reconcile(async () => undefined);
    await expect(ctl.start(new AbortController().signal)).rejects.toThrow('fails: start');
  });
});
