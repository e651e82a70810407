// A member that goes silent (issue 13 item 7): behind a blackholing proxy, with kfed's
// default health settings, its address leaves the embedded DNS answer once probes that get
// no answer find it offline; 500 ms latency spikes do not fail it over; when the
// partition heals it comes back. The 5 s goal (p95 from silence to withdrawal) is measured
// over many partitions by `npm run bench -- partition` (README, Cluster health): one sample
// on a shared 2-core machine under `npm test` is no percentile, so the bound here is generous.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPartitionRig, type PartitionRig } from '../../support/partition-rig.js';
import { pollUntil } from '../../support/until.js';

let rig: PartitionRig;

beforeAll(async () => {
  rig = await startPartitionRig();
}, 90_000);

afterAll(async () => {
  await rig?.close();
});

/**
 * The A answer, asked again when no reply was read within the query timeout: the test
 * process (which also runs the DNS server) can be descheduled that long under load; a
 * wrong answer is never retried.
 */
async function answer(): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await rig.answer();
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
}

describe('partitioned member', () => {
  it('uses the default health settings', () => {
    expect(rig.cp.config.clusterHealthCheck).toMatchObject({ periodMs: 1000, timeoutMs: 1500, failureThreshold: 2 });
  });

  it('stays through 500 ms latency spikes', async () => {
    const ip = rig.ips['cluster-2']!;
    let flips = 0;
    const unsubscribe = rig.cp.members.subscribe((n, change) => {
      if (n === 'cluster-2' && change === 'notReady') flips++;
    });
    try {
      for (let i = 0; i < 2; i++) {
        rig.proxy.latency(500);
        const end = Date.now() + 3000;
        while (Date.now() < end) {
          expect(await answer()).toContain(ip);
          await new Promise((r) => setTimeout(r, 200));
        }
        rig.proxy.latency(0);
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      unsubscribe();
    }
    expect(flips).toBe(0);
  }, 30_000);

  it('leaves DNS once timed-out probes find it offline, and returns when the partition heals', async () => {
    const ip = rig.ips['cluster-2']!;
    let notReadyAt = 0;
    const unsubscribe = rig.cp.members.subscribe((n, change) => {
      if (n === 'cluster-2' && change === 'notReady' && !notReadyAt) notReadyAt = Date.now();
    });
    const silentAt = Date.now();
    rig.proxy.blackhole();
    try {
      await pollUntil(async () => !(await answer()).includes(ip), 20_000, 20, 'cluster-2 out of the DNS answer');
    } finally {
      unsubscribe();
    }
    const withdrawnMs = Date.now() - silentAt;
    console.log(`[partition] silent -> notReady in ${notReadyAt - silentAt} ms, out of DNS in ${withdrawnMs} ms (goal p95 <= 5000 ms: npm run bench -- partition)`);
    // Withdrawn because the member was found not ready, not before.
    expect(notReadyAt).toBeGreaterThan(0);
    expect(notReadyAt).toBeLessThanOrEqual(silentAt + withdrawnMs);
    // Found by probes that got no answer within the timeout (nothing refused the connection).
    const offline = rig.cp.members.cluster('cluster-2')?.status?.conditions?.find((c) => c.type === 'Offline');
    expect(offline).toMatchObject({ status: 'True', reason: 'ClusterNotReachable', message: 'cluster is not reachable: no response within the probe timeout' });
    expect((await answer()).sort()).toEqual([rig.ips['cluster-1'], rig.ips['cluster-3']].sort());
    rig.proxy.heal();
    await pollUntil(async () => (await answer()).includes(ip), 20_000, 20, 'cluster-2 back in the DNS answer');
  }, 60_000);
});
