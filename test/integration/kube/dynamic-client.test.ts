import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import {
  clusterClientForMember,
  clusterClientFromKubeconfig,
  describeKubeconfigContext,
  kubeconfigContexts,
  type ClusterClient,
} from '../../../src/kube/cluster-client.js';
import { isAlreadyExists, isConflict, isNotFound, KubeApiError } from '../../../src/kube/errors.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { createRegistry } from '../../../src/observability/metrics.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';

const NS: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' };
const CM: ResourceRef = { group: '', version: 'v1', resource: 'configmaps', namespaced: true, kind: 'ConfigMap' };
const DEPLOY: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true, kind: 'Deployment' };

let sb: Sandbox;
let c1: ClusterClient;
const registry = createRegistry({ defaultMetrics: false });

beforeAll(async () => {
  sb = await startSandbox({ clusters: 2 });
  c1 = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1', registry });
  await c1.dynamic.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dyn' } });
});

afterAll(async () => {
  c1?.close();
  await sb?.close();
});

function cm(name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'dyn', labels }, data };
}

describe('kubeconfig', () => {
  it('lists contexts and describes one; unknown contexts fail clearly', async () => {
    expect(kubeconfigContexts({ kubeconfigPath: sb.kubeconfigPath })).toEqual(['cluster-1', 'cluster-2']);
    const info = describeKubeconfigContext({ kubeconfigPath: sb.kubeconfigPath }, 'cluster-2');
    expect(info.server).toBe(sb.cluster('cluster-2').url);
    expect(Buffer.from(info.caData ?? '', 'base64').toString()).toContain('BEGIN CERTIFICATE');
    await expect(clusterClientFromKubeconfig({ kubeconfigPath: sb.kubeconfigPath, context: 'nope' })).rejects.toThrow(
      'kubeconfig: context "nope" not found (available: cluster-1, cluster-2)',
    );
  });

  it('never shows the token when serialized or inspected', async () => {
    const { inspect } = await import('node:util');
    expect(JSON.stringify(c1)).not.toMatch(/token|Bearer/i);
    expect(inspect(c1)).toBe(`ClusterClient(cluster-1 ${sb.cluster('cluster-1').url})`);
  });
});

describe('DynamicClient CRUD', () => {
  it('create, get, AlreadyExists, NotFound', async () => {
    const created = await c1.dynamic.create(CM, cm('a', { app: 'x' }, { k: 'v' }));
    expect(created.metadata.uid).toBeTruthy();
    expect(created.metadata.resourceVersion).toBeTruthy();
    const got = await c1.dynamic.get(CM, 'a', { namespace: 'dyn' });
    expect(got.data).toEqual({ k: 'v' });
    const err = await c1.dynamic.create(CM, cm('a')).catch((e: unknown) => e);
    expect(isAlreadyExists(err)).toBe(true);
    const nf = await c1.dynamic.get(CM, 'missing', { namespace: 'dyn' }).catch((e: unknown) => e);
    expect(isNotFound(nf)).toBe(true);
    expect((nf as KubeApiError).message).toContain('on cluster cluster-1');
    expect(await c1.dynamic.getIfExists(CM, 'missing', { namespace: 'dyn' })).toBeUndefined();
  });

  it('lists with label and field selectors and paginates', async () => {
    for (let i = 0; i < 7; i++) await c1.dynamic.create(CM, cm(`page-${i}`, { group: 'paged', parity: String(i % 2) }));
    const odd = await c1.dynamic.list(CM, { namespace: 'dyn', labelSelector: { matchLabels: { group: 'paged', parity: '1' } } });
    expect(odd.items.map((o) => o.metadata.name).sort()).toEqual(['page-1', 'page-3', 'page-5']);
    expect(odd.items[0]?.kind).toBe('ConfigMap');
    expect(odd.items[0]?.apiVersion).toBe('v1');
    const expr = await c1.dynamic.list(CM, {
      namespace: 'dyn',
      labelSelector: { matchExpressions: [{ key: 'parity', operator: 'In', values: ['0'] }] },
    });
    expect(expr.items).toHaveLength(4);
    const byName = await c1.dynamic.list(CM, { namespace: 'dyn', fieldSelector: { 'metadata.name': 'page-2' } });
    expect(byName.items.map((o) => o.metadata.name)).toEqual(['page-2']);
    const first = await c1.dynamic.list(CM, { namespace: 'dyn', labelSelector: 'group=paged', limit: 3 });
    expect(first.items).toHaveLength(3);
    expect(first.metadata.continue).toBeTruthy();
    const all = await c1.dynamic.listAll(CM, { namespace: 'dyn', labelSelector: 'group=paged', limit: 2 });
    expect(all.items.map((o) => o.metadata.name).sort()).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`));
    expect(all.metadata.resourceVersion).toBeTruthy();
  });

  it('update is compare-and-swap on resourceVersion', async () => {
    const obj = await c1.dynamic.create(CM, cm('cas', {}, { v: '1' }));
    const updated = await c1.dynamic.update(CM, { ...obj, data: { v: '2' } });
    expect(updated.data).toEqual({ v: '2' });
    const stale = await c1.dynamic.update(CM, { ...obj, data: { v: '3' } }).catch((e: unknown) => e);
    expect(isConflict(stale)).toBe(true);
    expect((stale as KubeApiError).code).toBe(409);
  });

  it('patches with merge, JSON, strategic and server-side apply', async () => {
    await c1.dynamic.create(CM, cm('p', {}, { a: '1' }));
    const merged = await c1.dynamic.patch(CM, 'p', { data: { b: '2' } }, { namespace: 'dyn', type: 'merge' });
    expect(merged.data).toEqual({ a: '1', b: '2' });
    const jsonp = await c1.dynamic.patch(CM, 'p', [{ op: 'remove', path: '/data/a' }], { namespace: 'dyn', type: 'json' });
    expect(jsonp.data).toEqual({ b: '2' });
    const smp = await c1.dynamic.patch(CM, 'p', { metadata: { labels: { s: 'y' } } }, { namespace: 'dyn', type: 'strategic' });
    expect(smp.metadata.labels).toEqual({ s: 'y' });

    const applied = await c1.dynamic.apply(CM, cm('ssa', {}, { owned: 'kfed' }), { fieldManager: 'kfed' });
    expect(applied.data).toEqual({ owned: 'kfed' });
    expect(applied.metadata.managedFields?.some((m) => m.manager === 'kfed' && m.operation === 'Apply')).toBe(true);
    // another manager takes the field: conflict without force, success with force
    const conflict = await c1.dynamic.apply(CM, cm('ssa', {}, { owned: 'other' }), { fieldManager: 'other' }).catch((e: unknown) => e);
    expect(isConflict(conflict)).toBe(true);
    const forced = await c1.dynamic.apply(CM, cm('ssa', {}, { owned: 'other' }), { fieldManager: 'other', force: true });
    expect(forced.data).toEqual({ owned: 'other' });
    await expect(c1.dynamic.patch(CM, 'ssa', {}, { namespace: 'dyn', type: 'apply' })).rejects.toThrow(/fieldManager is required/);
  });

  it('updates status through the status subresource', async () => {
    const d = await c1.dynamic.create<KubeObject>(DEPLOY, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'st', namespace: 'dyn' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'st' } },
        template: { metadata: { labels: { app: 'st' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      },
    });
    // The sandbox's deployment simulator writes status too: retry on conflict, as a controller would.
    let withStatus: KubeObject | undefined;
    for (let attempt = 0; attempt < 10 && !withStatus; attempt++) {
      const fresh = await c1.dynamic.get<KubeObject>(DEPLOY, 'st', { namespace: 'dyn' });
      try {
        withStatus = await c1.dynamic.updateStatus<KubeObject>(DEPLOY, {
          ...fresh,
          status: { ...(fresh.status as object), observedGeneration: 1, conditions: [{ type: 'Custom', status: 'True' }] },
        });
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    if (!withStatus) throw new Error('status update kept conflicting');
    expect((withStatus.status as { conditions: { type: string }[] }).conditions.some((c) => c.type === 'Custom')).toBe(true);
    // spec changes through /status are ignored
    expect((withStatus.spec as { replicas: number }).replicas).toBe((d.spec as { replicas: number }).replicas);
  });

  it('deletes with dryRun and propagationPolicy; ignoreNotFound', async () => {
    await c1.dynamic.create(CM, cm('del'));
    await c1.dynamic.delete(CM, 'del', { namespace: 'dyn', dryRun: true });
    expect(await c1.dynamic.getIfExists(CM, 'del', { namespace: 'dyn' })).toBeDefined();
    await c1.dynamic.delete(CM, 'del', { namespace: 'dyn', propagationPolicy: 'Background' });
    expect(await c1.dynamic.getIfExists(CM, 'del', { namespace: 'dyn' })).toBeUndefined();
    expect(await c1.dynamic.delete(CM, 'del', { namespace: 'dyn', ignoreNotFound: true })).toBeUndefined();
    await expect(c1.dynamic.delete(CM, 'del', { namespace: 'dyn' })).rejects.toSatisfy(isNotFound);
  });

  it('dryRun create does not persist', async () => {
    await c1.dynamic.create(CM, cm('dry'), { dryRun: true });
    expect(await c1.dynamic.getIfExists(CM, 'dry', { namespace: 'dyn' })).toBeUndefined();
  });

  it('counts requests in rest_client_requests_total', async () => {
    const text = await registry.getSingleMetricAsString('rest_client_requests_total');
    expect(text).toMatch(/rest_client_requests_total\{cluster="cluster-1",method="POST",code="201"\} \d+/);
    expect(text).toMatch(/code="404"/);
  });
});

describe('discovery', () => {
  it('resolves kinds, plurals, short names and plural.group', async () => {
    const d = c1.discovery;
    expect((await d.resolve('deploy')).resource).toBe('deployments');
    expect((await d.resolve('Deployment')).group).toBe('apps');
    expect((await d.resolve('deployments.apps')).kind).toBe('Deployment');
    expect((await d.resolve('deployments.v1.apps')).version).toBe('v1');
    expect((await d.resolve('cm')).resource).toBe('configmaps');
    expect((await d.resolve('ns')).namespaced).toBe(false);
    const deploy = await d.resourceFor('apps/v1', 'Deployment');
    expect(deploy.subresources).toEqual(expect.arrayContaining(['status', 'scale']));
    await expect(d.resolve('nosuchthing')).rejects.toThrow(/does not have a resource type "nosuchthing"/);
    const groups = await d.serverGroups();
    expect(groups.map((g) => g.name)).toEqual(expect.arrayContaining(['', 'apps', 'coordination.k8s.io']));
    const v = await d.serverVersion();
    expect(v.gitVersion).toMatch(/^v1\./);
  });
});

describe('member clients and failures', () => {
  const caOf = (name: string): string => describeKubeconfigContext({ kubeconfigYaml: sb.kubeconfigYaml }, name).caData ?? '';
  const tokenOf = (name: string): string => {
    const m = new RegExp(`name: ${name}-admin\\s+user:\\s+token: (\\S+)`).exec(sb.kubeconfigYaml);
    if (!m?.[1]) throw new Error('token not found in sandbox kubeconfig');
    return m[1];
  };

  it('connects with apiEndpoint, base64 caBundle and bearer token', async () => {
    const m = clusterClientForMember({ name: 'cluster-2', apiEndpoint: sb.cluster('cluster-2').url, caBundle: caOf('cluster-2'), bearerToken: tokenOf('cluster-2') });
    try {
      const v = await m.discovery.serverVersion();
      expect(v.major).toBe('1');
      const pem = Buffer.from(caOf('cluster-2'), 'base64').toString();
      const m2 = clusterClientForMember({ name: 'c2-pem', apiEndpoint: sb.cluster('cluster-2').url, caBundle: pem, bearerToken: tokenOf('cluster-2') });
      expect((await m2.dynamic.list(NS)).items.length).toBeGreaterThan(0);
      m2.close();
    } finally {
      m.close();
    }
  });

  it('a wrong token is Unauthorized; a wrong CA is a TLSError unless validation is disabled', async () => {
    const url = sb.cluster('cluster-2').url;
    const bad = clusterClientForMember({ name: 'x', apiEndpoint: url, caBundle: caOf('cluster-2'), bearerToken: 'wrong' });
    await expect(bad.dynamic.list(NS)).rejects.toMatchObject({ reason: 'Unauthorized', code: 401 });
    bad.close();

    // a CA that did not sign the server's certificate
    const { createCa } = await import('../../../src/sandbox/pki.js');
    const otherPem = (await createCa('not-the-sandbox-ca')).certPem;
    expect(otherPem).toContain('BEGIN CERTIFICATE');
    const wrongCa = clusterClientForMember({ name: 'x', apiEndpoint: url, caBundle: otherPem, bearerToken: tokenOf('cluster-2') });
    await expect(wrongCa.dynamic.list(NS)).rejects.toMatchObject({ reason: 'TLSError' });
    wrongCa.close();
    const subjectOnly = clusterClientForMember({ name: 'x', apiEndpoint: url, caBundle: otherPem, bearerToken: tokenOf('cluster-2'), disabledTLSValidations: ['SubjectName'] });
    await expect(subjectOnly.dynamic.list(NS)).rejects.toMatchObject({ reason: 'TLSError' });
    subjectOnly.close();
    const insecure = clusterClientForMember({ name: 'x', apiEndpoint: url, caBundle: otherPem, bearerToken: tokenOf('cluster-2'), disabledTLSValidations: ['*'] });
    expect((await insecure.dynamic.list(NS)).items.length).toBeGreaterThan(0);
    insecure.close();
    expect(() => clusterClientForMember({ name: 'x', apiEndpoint: url, bearerToken: 't', disabledTLSValidations: ['ValidityPeriod'] })).toThrow(/ValidityPeriod/);
  });

  it('a stopped cluster is Unreachable; 429 faults carry Retry-After', async () => {
    const c2 = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-2', timeoutMs: 2000 });
    try {
      await sb.cluster('cluster-2').stop();
      const err = await c2.dynamic.list(NS).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeApiError);
      expect((err as KubeApiError).reason).toBe('Unreachable');
      await sb.cluster('cluster-2').start();
      expect((await c2.dynamic.list(NS)).items.length).toBeGreaterThan(0);

      sb.cluster('cluster-2').faults.set({ errorRate: 1, errorCode: 429, retryAfterSeconds: 2 });
      const throttled = await c2.dynamic.list(NS).catch((e: unknown) => e);
      expect(throttled).toMatchObject({ reason: 'TooManyRequests', code: 429, retryAfterSeconds: 2 });
      sb.cluster('cluster-2').faults.set({ errorRate: 1, errorCode: 500 });
      await expect(c2.dynamic.list(NS)).rejects.toMatchObject({ reason: 'InternalError', code: 500 });
    } finally {
      sb.cluster('cluster-2').faults.clear();
      if (!sb.cluster('cluster-2').running) await sb.cluster('cluster-2').start();
      c2.close();
    }
  });

  it('paces requests with the client-side rate limit', async () => {
    const paced = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1', rateLimit: { qps: 10, burst: 1 } });
    try {
      const start = Date.now();
      for (let i = 0; i < 4; i++) await paced.dynamic.list(NS);
      expect(Date.now() - start).toBeGreaterThanOrEqual(280);
    } finally {
      paced.close();
    }
  });

  it('a request slower than the timeout fails with Timeout', async () => {
    const c2 = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-2', timeoutMs: 200 });
    sb.cluster('cluster-2').faults.set({ latencyMs: 1000 });
    try {
      await expect(c2.dynamic.list(NS)).rejects.toMatchObject({ reason: 'Timeout' });
    } finally {
      sb.cluster('cluster-2').faults.clear();
      c2.close();
    }
  });
});
