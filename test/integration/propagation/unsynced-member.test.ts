// A newly enabled type whose member cache cannot sync on one member (issue 13 item 6):
// here the type's CRD exists on cluster-1 and cluster-2 only, so cluster-3's list fails.
// Objects still propagate to the others at once, and their status names cluster-3 with
// CachedRetrievalFailed and the cause, instead of every object of the type waiting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import type { FederatedObject } from '../../../src/api/federation.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { enableType } from '../../../src/kubefedctl/enable.js';
import { FED_NAMESPACES, KUBEFED_NS, ensureNamespace, inClusters, startEnv, until, type Env } from '../../support/propagation.js';
import { CUSTOM_RESOURCE_DEFINITIONS } from '../../../src/api/kubernetes.js';
import { formatStall, startStallMeter } from '../../support/stall-meter.js';

let env: Env;
const NS = 'widgets';
const WIDGETS: ResourceRef = { group: 'example.com', version: 'v1', resource: 'widgets', namespaced: true, kind: 'Widget' };
const FED_WIDGETS: ResourceRef = { group: 'types.kubefed.io', version: 'v1beta1', resource: 'federatedwidgets', namespaced: true, kind: 'FederatedWidget' };
const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
} as KubeObject;

beforeAll(async () => {
  env = await startEnv({ clusterTimeoutMs: 1000 });
  await ensureNamespace(env.host, NS);
  await env.host.dynamic.create(FED_NAMESPACES, { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedNamespace', metadata: { name: NS, namespace: NS }, spec: { placement: { clusterSelector: {} } } } as KubeObject);
  await until(async () => (await inClusters(env, { group: '', version: 'v1', resource: 'namespaces', namespaced: false }, undefined, NS))['cluster-3']);
  for (const c of ['cluster-1', 'cluster-2']) await env.clients[c]!.dynamic.create(CUSTOM_RESOURCE_DEFINITIONS, CRD);
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe('a member whose cache of a newly enabled type cannot sync', () => {
  it('does not hold up the others: objects propagate and report that member', async () => {
    await enableType(env.host, 'widgets.example.com', { namespace: KUBEFED_NS });
    for (const name of ['w1', 'w2']) {
      await until(async () => env.host.dynamic.create(FED_WIDGETS, {
        apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedWidget', metadata: { name, namespace: NS },
        spec: { template: { spec: { size: 1 } }, placement: { clusterSelector: {} } },
      } as KubeObject).then(() => true, () => false));
    }
    // Not held up: within 15 s of the time this process could run (the sandbox and the
    // controllers run in it; stalls of a loaded machine excluded, stall-meter.ts).
    const meter = startStallMeter();
    for (const name of ['w1', 'w2']) {
      await until(async () => {
        const m = await inClusters(env, WIDGETS, NS, name).catch(() => undefined);
        return m?.['cluster-1'] && m['cluster-2'];
      }, 10_000);
      const f = await until(async () => {
        const o = await env.host.dynamic.get<FederatedObject>(FED_WIDGETS, name, { namespace: NS });
        return o.status?.clusters?.find((c) => c.name === 'cluster-3')?.status === 'CachedRetrievalFailed' ? o : undefined;
      }, 10_000);
      expect(f.status?.clusters?.find((c) => c.name === 'cluster-3')?.message).toMatch(/^the cache of Widget in this member has not synced: GET \/apis\/example.com\/v1\/widgets on cluster cluster-3: NotFound/);
      expect(f.status?.clusters?.filter((c) => c.name !== 'cluster-3').every((c) => c.status === undefined)).toBe(true);
    }
    const took = meter.stop();
    expect(took.activeMs, formatStall(took)).toBeLessThan(15_000);
  }, 40_000);
});
