// kfed's policies on the 3-cluster sandbox: a PropagationPolicy places a federated object
// that has no placement of its own, an OverridePolicy targets clusters by label, and
// editing or deleting a policy moves the members without touching the object.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FederatedObject } from '../../../src/api/federation.js';
import type { KubeObject } from '../../../src/api/meta.js';
import { CLUSTERS, CONFIGMAPS, FED_CONFIGMAPS, inClusters, settled, startEnv, until, type Env, federateNamespace } from '../../support/propagation.js';
import { OVERRIDE_POLICIES, PROPAGATION_POLICIES } from '../../../src/api/federation.js';

const NS = 'pol';
let env: Env;

const color = (o: KubeObject | undefined): string | undefined => (o?.['data'] as Record<string, string> | undefined)?.['color'];

async function colors(name: string): Promise<Record<string, string | undefined>> {
  const m = await inClusters(env, CONFIGMAPS, NS, name);
  return Object.fromEntries(CLUSTERS.map((c) => [c, color(m[c])]));
}

beforeAll(async () => {
  env = await startEnv();
  await federateNamespace(env, NS);
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe('propagation and override policies', () => {
  it('places by PropagationPolicy, overrides by cluster label, and follows policy edits and deletion', async () => {
    const fed: FederatedObject = {
      apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap',
      metadata: { name: 'cfg', namespace: NS, labels: { app: 'cfg' } },
      spec: { template: { data: { color: 'blue' } } },
    };
    await env.host.dynamic.create(FED_CONFIGMAPS, fed);
    await env.host.dynamic.create(PROPAGATION_POLICIES, {
      apiVersion: 'policy.kfed.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'spread', namespace: NS },
      spec: { resourceSelectors: [{ kind: 'ConfigMap', labelSelector: { matchLabels: { app: 'cfg' } } }], placement: { clusters: [{ name: 'cluster-1' }, { name: 'cluster-2' }] } },
    } as KubeObject);
    await env.host.dynamic.create(OVERRIDE_POLICIES, {
      apiVersion: 'policy.kfed.io/v1alpha1', kind: 'OverridePolicy', metadata: { name: 'red', namespace: NS },
      spec: { resourceSelectors: [{ kind: 'ConfigMap', name: 'cfg' }], overrideRules: [{ targetClusters: { clusterSelector: { matchLabels: { name: 'cluster-2' } } }, overriders: [{ path: '/data/color', value: 'red' }] }] },
    } as KubeObject);
    await until(async () => {
      const c = await colors('cfg');
      return c['cluster-1'] === 'blue' && c['cluster-2'] === 'red' && c['cluster-3'] === undefined;
    });

    // Editing the policy moves the object; nothing on the object itself changed.
    await env.host.dynamic.patch(PROPAGATION_POLICIES, 'spread', { spec: { placement: { clusters: [{ name: 'cluster-2' }, { name: 'cluster-3' }] } } }, { namespace: NS, type: 'merge' });
    await until(async () => {
      const c = await colors('cfg');
      return c['cluster-1'] === undefined && c['cluster-2'] === 'red' && c['cluster-3'] === 'blue';
    });

    await env.host.dynamic.delete(OVERRIDE_POLICIES, 'red', { namespace: NS });
    await until(async () => (await colors('cfg'))['cluster-2'] === 'blue');

    // Own placement wins over any policy.
    await env.host.dynamic.patch(FED_CONFIGMAPS, 'cfg', { spec: { placement: { clusters: [{ name: 'cluster-1' }] } } }, { namespace: NS, type: 'merge' });
    await until(async () => {
      const c = await colors('cfg');
      return c['cluster-1'] === 'blue' && c['cluster-2'] === undefined && c['cluster-3'] === undefined;
    });

    // Idle: a settled control plane with policies writes nothing more.
    await settled(env, 1000);
    const before = env.writes();
    env.ctl.syncController('configmaps')!.enqueueAll();
    await new Promise((r) => setTimeout(r, 1500));
    expect(env.writes()).toBe(before);
  }, 60_000);
});
