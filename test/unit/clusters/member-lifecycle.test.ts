import { describe, expect, it } from 'vitest';
import { MemberLifecycle, type MemberEvent, type MemberWork } from '../../../src/clusters/member-lifecycle.js';
import type { MemberChange, MemberCluster, MemberRegistry } from '../../../src/clusters/member-registry.js';
import type { ClusterClient } from '../../../src/kube/cluster-client.js';

// The lifecycle only compares clients by identity and hands them to start().
const client = (name: string): ClusterClient => ({ name }) as unknown as ClusterClient;

class Members implements MemberRegistry {
  readonly map = new Map<string, MemberCluster>();
  private readonly subs = new Set<(name: string, change: MemberChange) => void>();
  list(): MemberCluster[] {
    return [...this.map.values()];
  }
  get(name: string): MemberCluster | undefined {
    return this.map.get(name);
  }
  subscribe(fn: (name: string, change: MemberChange) => void): () => void {
    this.subs.add(fn);
    return () => this.subs.delete(fn);
  }
  reportConnectionFailure(): void {}
  set(name: string, ready: boolean, c: ClusterClient | undefined, change: MemberChange): void {
    this.map.set(name, { name, ready, region: undefined, zones: [], labels: {}, client: c });
    for (const fn of this.subs) fn(name, change);
  }
  remove(name: string): void {
    this.map.delete(name);
    for (const fn of this.subs) fn(name, 'removed');
  }
}

interface Work extends MemberWork {
  name: string;
  client: ClusterClient;
  signal: AbortSignal;
  sync(): void;
}

function setup(members: Members): { lc: MemberLifecycle<Work>; started: Work[]; events: [string, MemberEvent][] } {
  const started: Work[] = [];
  const events: [string, MemberEvent][] = [];
  const lc = new MemberLifecycle<Work>({
    members,
    start: (name, c, signal) => {
      let sync = (): void => undefined;
      const synced = new Promise<void>((resolve, reject) => {
        sync = resolve;
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
      const done = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      const w: Work = { name, client: c, signal, done, synced, sync };
      started.push(w);
      return w;
    },
    onMember: (name, event) => events.push([name, event]),
  });
  return { lc, started, events };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('MemberLifecycle', () => {
  it('starts work only for Ready members with a client, and reports sync once', async () => {
    const m = new Members();
    m.map.set('a', { name: 'a', ready: true, region: undefined, zones: [], labels: {}, client: client('a') });
    m.map.set('b', { name: 'b', ready: false, region: undefined, zones: [], labels: {}, client: client('b') });
    m.map.set('c', { name: 'c', ready: true, region: undefined, zones: [], labels: {}, client: undefined });
    const { lc, started, events } = setup(m);
    lc.start();
    lc.start(); // idempotent
    expect(started.map((w) => w.name)).toEqual(['a']);
    expect(lc.synced('a')).toBe(false);
    started[0]?.sync();
    await tick();
    expect(lc.synced('a')).toBe(true);
    expect(events).toEqual([['a', 'synced']]);
    await lc.stop();
  });

  it('restarts on a new client object, stops on notReady and removal', async () => {
    const m = new Members();
    const { lc, started, events } = setup(m);
    lc.start();
    const c1 = client('a');
    m.set('a', true, c1, 'added');
    m.set('a', true, c1, 'updated'); // same client: nothing restarts
    expect(started).toHaveLength(1);
    const c2 = client('a');
    m.set('a', true, c2, 'updated');
    expect(started).toHaveLength(2);
    expect(started[0]?.signal.aborted).toBe(true);
    expect(lc.client('a')).toBe(c2);
    started[0]?.sync(); // the replaced work's sync is stale
    await tick();
    expect(lc.synced('a')).toBe(false);

    m.set('a', false, c2, 'notReady');
    expect(started[1]?.signal.aborted).toBe(true);
    expect(lc.handle('a')).toBeUndefined();
    m.set('a', true, c2, 'ready');
    expect(started).toHaveLength(3);
    m.remove('a');
    expect(started[2]?.signal.aborted).toBe(true);
    expect(events.map(([, e]) => e)).toEqual(['added', 'updated', 'updated', 'notReady', 'ready', 'removed']);
    await lc.stop();
  });

  it('stops on a notReady notice even when the registry still says Ready', () => {
    const m = new Members();
    const { lc, started } = setup(m);
    lc.start();
    m.set('a', true, client('a'), 'added');
    m.set('a', true, m.get('a')?.client, 'notReady');
    expect(started[0]?.signal.aborted).toBe(true);
  });

  it('waits for Ready members to sync, and stop() ends every member and the subscription', async () => {
    const m = new Members();
    const { lc, started } = setup(m);
    lc.start();
    m.set('a', true, client('a'), 'added');
    m.set('b', true, client('b'), 'added');
    let waited = false;
    const wait = lc.waitForReadyMembers(5_000, undefined, 5).then(() => (waited = true));
    started[0]?.sync();
    await new Promise((r) => setTimeout(r, 30));
    expect(waited).toBe(false);
    started[1]?.sync();
    await wait;
    await lc.stop();
    expect(started.every((w) => w.signal.aborted)).toBe(true);
    m.set('c', true, client('c'), 'added');
    expect(started).toHaveLength(2);
  });
});
