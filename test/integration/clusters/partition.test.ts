// A member that goes silent (issue 13 item 7): behind a blackholing proxy, with kfed's
// default health settings, its address leaves the embedded DNS answer within 5 s; 500 ms
// latency spikes do not fail it over; when the partition heals it comes back. The
// distribution over many partitions is `npm run bench -- partition` (README, Cluster health).
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
          expect(await rig.answer()).toContain(ip);
          await new Promise((r) => setTimeout(r, 200));
        }
        rig.proxy.latency(0);
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      unsubscribe();
    }
    expect(flips).toBe(0);
  }, 20_000);

  it('leaves DNS within 5 s of going silent, and returns when the partition heals', async () => {
    const ip = rig.ips['cluster-2']!;
    const silentAt = Date.now();
    rig.proxy.blackhole();
    await pollUntil(async () => !(await rig.answer()).includes(ip), 5000, 20);
    const withdrawnMs = Date.now() - silentAt;
    expect(withdrawnMs).toBeLessThanOrEqual(5000);
    expect((await rig.answer()).sort()).toEqual([rig.ips['cluster-1'], rig.ips['cluster-3']].sort());
    rig.proxy.heal();
    await pollUntil(async () => (await rig.answer()).includes(ip), 5000, 20);
  }, 20_000);
});
