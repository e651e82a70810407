// Tenants (namespaces) cannot reach outside their namespace through kfed's federation
// objects. The attack of issue 13: a FederatedNamespace named `kube-public` created in a
// tenant's own namespace adopted the member Namespace kube-public, and deleting it deleted
// kube-public everywhere. Also: protected Namespaces survive even a legitimate
// FederatedNamespace's deletion; templates, overrides and namespaced policies stay inside
// the namespace of the object that carries them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import type { FederatedObject } from '../../../src/api/federation.js';
import { CLUSTERS, CONFIGMAPS, FED_CONFIGMAPS, FED_NAMESPACES, NAMESPACES_REF, ensureNamespace, inClusters, settled, startEnv, until, type Env } from '../../support/propagation.js';
import { PROPAGATION_POLICIES } from '../../../src/api/federation.js';

let env: Env;
const TENANT = 'tenant-a';
const EVENTS = { group: '', version: 'v1', resource: 'events', namespaced: true } as const;

function fedNamespace(name: string, namespace: string): KubeObject {
  return { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedNamespace', metadata: { name, namespace }, spec: { placement: { clusterSelector: {} } } } as KubeObject;
}

const managed = (o: KubeObject | undefined): string | undefined => o?.metadata.labels?.['kubefed.io/managed'];

beforeAll(async () => {
  env = await startEnv({ clusterTimeoutMs: 1000 });
  for (const c of CLUSTERS) await ensureNamespace(env.clients[c]!, TENANT);
  await ensureNamespace(env.host, 'victim');
  await env.host.dynamic.create(FED_NAMESPACES, fedNamespace(TENANT, TENANT));
  await env.host.dynamic.create(FED_NAMESPACES, fedNamespace('victim', 'victim'));
  await until(async () => managed((await inClusters(env, NAMESPACES_REF, undefined, TENANT))['cluster-3']) === 'true');
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe('FederatedNamespace must live in the namespace it federates', () => {
  it('refuses kube-public declared in a tenant namespace: status, Event, no member touched, deletion harmless', async () => {
    await env.host.dynamic.create(FED_NAMESPACES, fedNamespace('kube-public', TENANT));
    const refused = await until(async () => {
      const f = await env.host.dynamic.get<FederatedObject>(FED_NAMESPACES, 'kube-public', { namespace: TENANT });
      return f.status?.conditions?.[0]?.reason === 'NamespaceMismatch' ? f : undefined;
    });
    expect(refused.status?.conditions?.[0]).toMatchObject({ type: 'Propagation', status: 'False' });
    expect(refused.status?.conditions?.[0]?.message).toMatch(/must be named after the namespace/);
    expect(refused.metadata.finalizers ?? []).not.toContain('kubefed.io/sync-controller');
    const events = await env.host.dynamic.list(EVENTS, { namespace: TENANT });
    expect(events.items.some((e) => (e as any).reason === 'NamespaceMismatch' && (e as any).involvedObject?.name === 'kube-public')).toBe(true);
    await settled(env);
    for (const [c, ns] of Object.entries(await inClusters(env, NAMESPACES_REF, undefined, 'kube-public'))) {
      expect(ns, c).toBeDefined();
      expect(managed(ns), c).toBeUndefined();
    }
    await env.host.dynamic.delete(FED_NAMESPACES, 'kube-public', { namespace: TENANT });
    await until(async () => !(await env.host.dynamic.getIfExists(FED_NAMESPACES, 'kube-public', { namespace: TENANT })));
    await settled(env);
    for (const [c, ns] of Object.entries(await inClusters(env, NAMESPACES_REF, undefined, 'kube-public'))) {
      expect(ns, c).toBeDefined();
      expect(ns?.metadata.deletionTimestamp, c).toBeUndefined();
    }
  });

  it('cannot reach another tenant namespace either', async () => {
    await env.host.dynamic.create(FED_NAMESPACES, fedNamespace('victim', TENANT));
    await until(async () => (await env.host.dynamic.get<FederatedObject>(FED_NAMESPACES, 'victim', { namespace: TENANT })).status?.conditions?.[0]?.reason === 'NamespaceMismatch');
    await env.host.dynamic.delete(FED_NAMESPACES, 'victim', { namespace: TENANT });
    await settled(env);
    const members = await inClusters(env, NAMESPACES_REF, undefined, 'victim');
    for (const c of ['cluster-2', 'cluster-3']) {
      expect(members[c]?.metadata.deletionTimestamp, c).toBeUndefined();
      expect(managed(members[c]), c).toBe('true');
    }
  });
});

describe('protected namespaces', () => {
  it('never deletes kube-public in members, even for its own FederatedNamespace', async () => {
    await env.host.dynamic.create(FED_NAMESPACES, fedNamespace('kube-public', 'kube-public'));
    await until(async () => managed((await inClusters(env, NAMESPACES_REF, undefined, 'kube-public'))['cluster-3']) === 'true');
    await env.host.dynamic.delete(FED_NAMESPACES, 'kube-public', { namespace: 'kube-public' });
    await until(async () => !(await env.host.dynamic.getIfExists(FED_NAMESPACES, 'kube-public', { namespace: 'kube-public' })));
    await settled(env);
    for (const [c, ns] of Object.entries(await inClusters(env, NAMESPACES_REF, undefined, 'kube-public'))) {
      expect(ns, c).toBeDefined();
      expect(ns?.metadata.deletionTimestamp, c).toBeUndefined();
      expect(managed(ns), c).toBeUndefined();
    }
  });
});

describe('templates, overrides and policies stay in their namespace', () => {
  it('places a template that names kube-system in the tenant namespace; an override of the namespace fails', async () => {
    await env.host.dynamic.create(FED_CONFIGMAPS, {
      apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap', metadata: { name: 'escape', namespace: TENANT },
      spec: {
        template: { metadata: { namespace: 'kube-system' }, data: { a: '1' } }, placement: { clusterSelector: {} },
        overrides: [{ clusterName: 'cluster-2', clusterOverrides: [{ path: '/metadata/namespace', value: 'kube-system' }] }],
      },
    } as KubeObject);
    await until(async () => (await inClusters(env, CONFIGMAPS, TENANT, 'escape'))['cluster-3']);
    await until(async () => (await env.host.dynamic.get<FederatedObject>(FED_CONFIGMAPS, 'escape', { namespace: TENANT })).status?.clusters?.some((c) => c.name === 'cluster-2' && c.status === 'ApplyOverridesFailed'));
    for (const c of CLUSTERS) expect(await env.clients[c]!.dynamic.getIfExists(CONFIGMAPS, 'escape', { namespace: 'kube-system' }), c).toBeUndefined();
  });

  it('a PropagationPolicy in a tenant namespace does not place objects of another namespace', async () => {
    await env.host.dynamic.create(FED_CONFIGMAPS, {
      apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap', metadata: { name: 'unplaced', namespace: 'victim' },
      spec: { template: { data: { a: '1' } } },
    } as KubeObject);
    await env.host.dynamic.create(PROPAGATION_POLICIES, {
      apiVersion: 'policy.kfed.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'grab', namespace: TENANT },
      spec: { resourceSelectors: [{ kind: 'ConfigMap', namespace: 'victim' }], placement: { clusterSelector: {} } },
    } as KubeObject);
    await settled(env);
    const members = await inClusters(env, CONFIGMAPS, 'victim', 'unplaced');
    for (const c of CLUSTERS) expect(members[c], c).toBeUndefined();
  });
});
