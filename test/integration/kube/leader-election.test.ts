import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { LeaderElector, type Lease } from '../../../src/kube/leader-election.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { Manager } from '../../../src/runtime/manager.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { pollUntil } from '../../support/until.js';
import { LEASES } from '../../../src/api/kubernetes.js';

const NS: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' };
const TIMING = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 };

let sb: Sandbox;
let client: ClusterClient;

beforeAll(async () => {
  sb = await startSandbox({ clusters: 1 });
  client = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1', timeoutMs: 1000 });
  await client.dynamic.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kfed-system' } });
});

afterAll(async () => {
  client?.close();
  await sb?.close();
});

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  await pollUntil(cond, ms, 10);
}

function candidate(lease: string, identity: string, extra: { releaseOnCancel?: boolean } = {}) {
  const elector = new LeaderElector({ client: client.dynamic, namespace: 'kfed-system', name: lease, identity, ...TIMING, ...extra });
  const events: string[] = [];
  const ac = new AbortController();
  let leadingSignal: AbortSignal | undefined;
  const done = elector.run(ac.signal, {
    onStartedLeading: (s) => {
      leadingSignal = s;
      events.push('start');
    },
    onStoppedLeading: () => events.push('stop'),
  });
  return { elector, events, ac, done, identity, leading: () => leadingSignal };
}

const getLease = (name: string): Promise<Lease> => client.dynamic.get<Lease>(LEASES, name, { namespace: 'kfed-system' });

describe('LeaderElector on a Lease', () => {
  it('elects exactly one of two candidates; a graceful stop releases the lease at once', async () => {
    const a = candidate('graceful', 'replica-a');
    const b = candidate('graceful', 'replica-b');
    await until(() => a.elector.isLeader() || b.elector.isLeader());
    await new Promise((r) => setTimeout(r, 700)); // a few renew periods
    expect(a.elector.isLeader() !== b.elector.isLeader()).toBe(true);
    const [leader, standby] = a.elector.isLeader() ? [a, b] : [b, a];
    const lease = await getLease('graceful');
    expect(lease.spec?.holderIdentity).toBe(leader.identity);
    expect(lease.spec?.leaseDurationSeconds).toBe(2);
    expect(lease.spec?.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(standby.elector.getLeader()).toBe(leader.identity);
    const transitionsBefore = lease.spec?.leaseTransitions ?? 0;

    const stoppedAt = Date.now();
    leader.ac.abort();
    await leader.done;
    expect(leader.events).toEqual(['start', 'stop']);
    expect(leader.leading()?.aborted).toBe(true);
    await until(() => standby.elector.isLeader(), 5000);
    // released, so no wait for the 2 s lease to expire
    expect(Date.now() - stoppedAt).toBeLessThan(1200);
    const after = await getLease('graceful');
    expect(after.spec?.holderIdentity).toBe(standby.identity);
    expect(after.spec?.leaseTransitions).toBe(transitionsBefore + 1);
    standby.ac.abort();
    await standby.done;
    const released = await getLease('graceful');
    expect(released.spec?.holderIdentity ?? '').toBe('');
    expect(released.spec?.leaseDurationSeconds).toBe(1);
  });

  it('a crashed leader (no release) is replaced after the lease duration, not before', async () => {
    const crashed = candidate('crash', 'replica-crash', { releaseOnCancel: false });
    await until(() => crashed.elector.isLeader());
    const standby = candidate('crash', 'replica-standby');
    await new Promise((r) => setTimeout(r, 500));
    expect(standby.elector.isLeader()).toBe(false);
    const killedAt = Date.now();
    crashed.ac.abort();
    await crashed.done;
    expect((await getLease('crash')).spec?.holderIdentity).toBe('replica-crash');
    await until(() => standby.elector.isLeader(), 6000);
    const took = Date.now() - killedAt;
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(TIMING.leaseDurationMs + 1500);
    standby.ac.abort();
    await standby.done;
  });

  it('steps down when it cannot renew within the deadline and leads again afterwards', async () => {
    const c = candidate('flaky', 'replica-flaky');
    await until(() => c.elector.isLeader());
    sb.cluster('cluster-1').faults.set({ errorRate: 1, errorCode: 500 });
    const failingAt = Date.now();
    try {
      await until(() => !c.elector.isLeader(), 5000);
      expect(Date.now() - failingAt).toBeLessThan(TIMING.renewDeadlineMs + TIMING.retryPeriodMs + 800);
      expect(c.leading()?.aborted).toBe(true);
    } finally {
      sb.cluster('cluster-1').faults.clear();
    }
    await until(() => c.elector.isLeader(), 6000);
    expect(c.events).toEqual(['start', 'stop', 'start']);
    c.ac.abort();
    await c.done;
  });

  it('with the Manager, only the leader runs leader-only runnables', async () => {
    const running = new Map<string, boolean>();
    const makeManager = (id: string) => {
      const elector = new LeaderElector({ client: client.dynamic, namespace: 'kfed-system', name: 'manager', identity: id, ...TIMING });
      const m = new Manager({ leaderElection: elector });
      m.add({
        name: 'reconciler',
        needLeaderElection: true,
        start: (signal) =>
          new Promise<void>((resolve) => {
            running.set(id, true);
            signal.addEventListener('abort', () => {
              running.set(id, false);
              resolve();
            });
          }),
      });
      return m;
    };
    const m1 = makeManager('m1');
    const m2 = makeManager('m2');
    await m1.start();
    await m2.start();
    await until(() => running.get('m1') === true || running.get('m2') === true);
    await new Promise((r) => setTimeout(r, 600));
    expect([running.get('m1'), running.get('m2')].filter(Boolean)).toHaveLength(1);
    const [first, second, secondId] = running.get('m1') ? [m1, m2, 'm2'] : [m2, m1, 'm1'];
    await first.stop();
    await until(() => running.get(secondId) === true, 3000);
    await second.stop();
  });
});
