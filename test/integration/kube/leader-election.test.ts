import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { LeaderElector, type Lease } from '../../../src/kube/leader-election.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { createLogger } from '../../../src/observability/logger.js';
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

/** Log lines of one candidate: the elector's own timestamps, free of the test's polling delays. */
interface LogLine {
  msg: string;
  time: string;
  holder?: string;
}

function candidate(lease: string, identity: string, extra: { releaseOnCancel?: boolean } = {}) {
  const logs: LogLine[] = [];
  const logger = createLogger({ destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) } });
  const elector = new LeaderElector({ client: client.dynamic, namespace: 'kfed-system', name: lease, identity, logger, ...TIMING, ...extra });
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
  /** When the elector logged `msg` (the first time), in ms since the epoch. */
  const loggedAt = (msg: string): number => {
    const line = logs.find((l) => l.msg === msg);
    if (!line) throw new Error(`${identity} never logged '${msg}': ${logs.map((l) => l.msg).join('; ')}`);
    return Date.parse(line.time);
  };
  return { elector, events, ac, done, identity, logs, loggedAt, leading: () => leadingSignal };
}

/** Lease times (metav1.MicroTime) in ms since the epoch. */
const leaseMs = (t: string | undefined): number => Date.parse(t ?? '');

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

    leader.ac.abort();
    await leader.done;
    expect(leader.events).toEqual(['start', 'stop']);
    expect(leader.leading()?.aborted).toBe(true);
    await until(() => standby.elector.isLeader(), 5000);
    // Released, so no wait for the 2 s lease to expire: the standby took a free lease (taking
    // an unexpired one's place would have logged 'lease expired; taking over'), at its next
    // poll after the release. Measured between the electors' own log times, so that a test
    // process descheduled for a while on a loaded machine does not count.
    expect(standby.logs.map((l) => l.msg)).not.toContain('lease expired; taking over');
    const handoverMs = standby.loggedAt('acquired lease; leading') - leader.loggedAt('released lease');
    expect(handoverMs).toBeGreaterThanOrEqual(0);
    expect(handoverMs).toBeLessThan(TIMING.leaseDurationMs);
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
    crashed.ac.abort();
    await crashed.done;
    const left = await getLease('crash');
    expect(left.spec?.holderIdentity).toBe('replica-crash');
    await until(() => standby.elector.isLeader(), 6000);
    // From the crashed leader's last renewal to the standby's acquisition, both written in the
    // Lease: never before the lease duration (the standby counts it from when it saw that
    // renewal, which is later still); about one or two polls after it when the machine is
    // idle, and within a second lease duration on a loaded one.
    const taken = await getLease('crash');
    expect(taken.spec?.holderIdentity).toBe('replica-standby');
    const waitedMs = leaseMs(taken.spec?.acquireTime) - leaseMs(left.spec?.renewTime);
    expect(waitedMs).toBeGreaterThanOrEqual(TIMING.leaseDurationMs);
    expect(waitedMs).toBeLessThan(2 * TIMING.leaseDurationMs);
    expect(standby.logs.find((l) => l.msg === 'lease expired; taking over')?.holder).toBe('replica-crash');
    standby.ac.abort();
    await standby.done;
  });

  it('steps down when it cannot renew within the deadline and leads again afterwards', async () => {
    const c = candidate('flaky', 'replica-flaky');
    await until(() => c.elector.isLeader());
    sb.cluster('cluster-1').faults.set({ errorRate: 1, errorCode: 500 });
    let lastRenewal: number;
    try {
      await until(() => !c.elector.isLeader(), 5000);
      expect(c.leading()?.aborted).toBe(true);
      // its last renewal, read from the sandbox's store (the API refuses every request now)
      lastRenewal = leaseMs((sb.cluster('cluster-1').get('leases.coordination.k8s.io', 'kfed-system', 'flaky') as Lease | undefined)?.spec?.renewTime);
    } finally {
      sb.cluster('cluster-1').faults.clear();
    }
    // It stepped down once renewals had failed for the renew deadline (not at the first
    // failure), at about the next retry: from its last renewal to its own log line, so that
    // the test's polling and a descheduled test process do not count.
    const steppedDownAfterMs = c.loggedAt('failed to renew lease within the deadline') - lastRenewal;
    expect(steppedDownAfterMs).toBeGreaterThanOrEqual(TIMING.renewDeadlineMs);
    expect(steppedDownAfterMs).toBeLessThan(TIMING.renewDeadlineMs + TIMING.retryPeriodMs + 800);
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
