// /metrics after an unjoin (issue 13 item 5): every series labelled with the unjoined
// cluster goes (health state, the member's informers, its API requests); the others stay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROLLERS } from '../../../src/app/controllers.js';
import { unjoinCluster } from '../../../src/kubefedctl/unjoin.js';
import type { Runnable } from '../../../src/runtime/runnable.js';
import { condition, startFederation, until, type Federation } from './harness.js';

let fed: Federation;

beforeAll(async () => {
  fed = await startFederation(3);
  await fed.join('cluster-2');
  await fed.join('cluster-3');
  await fed.startControlPlane();
}, 60_000);

afterAll(async () => {
  await fed?.close();
});

const seriesOf = async (cluster: string): Promise<string[]> => (await fed.cp!.metrics.metrics()).split('\n').filter((l) => !l.startsWith('#') && l.includes(`cluster="${cluster}"`));

describe('metrics of an unjoined cluster', () => {
  it('are dropped from /metrics; the remaining members keep theirs', async () => {
    const entry = CONTROLLERS.find((c) => c.name === 'cluster-series-pruner');
    expect(entry, 'the control plane runs the pruner').toBeDefined();
    const pruner = entry!.create(fed.cp!.deps) as Runnable;
    const abort = new AbortController();
    const running = pruner.start(abort.signal);
    try {
      for (const c of ['cluster-2', 'cluster-3']) await until(`${c} ready`, async () => condition(await fed.cluster(c), 'Ready')?.status === 'True');
      await until('series of cluster-2', async () => (await seriesOf('cluster-2')).some((l) => l.startsWith('kubefedcluster_total')));
      expect((await seriesOf('cluster-2')).some((l) => l.startsWith('kfed_informer_') || l.startsWith('rest_client_'))).toBe(true);
      await unjoinCluster({ clusterName: 'cluster-2', kubeconfig: { kubeconfigYaml: fed.sb.kubeconfigYaml }, hostClusterContext: 'cluster-1' });
      await until('no series of cluster-2', async () => (await seriesOf('cluster-2')).length === 0, 15_000).catch(async (err: unknown) => {
        expect(await seriesOf('cluster-2')).toEqual([]);
        throw err;
      });
      // Still none after the components have wound down.
      await new Promise((r) => setTimeout(r, 1500));
      expect(await seriesOf('cluster-2')).toEqual([]);
      expect((await seriesOf('cluster-3')).some((l) => l.startsWith('kubefedcluster_total{state="ready",cluster="cluster-3"} 1'))).toBe(true);
    } finally {
      abort.abort();
      await running;
    }
  });
});
