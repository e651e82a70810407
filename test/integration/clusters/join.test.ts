// kfed join / unjoin on the sandbox: what is created, re-running, the joined
// credential's permissions, failure paths that leave nothing behind, unjoin (also
// --force for a stopped member).
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import { joinStepLine } from '../../../src/cli/kubefedctl-output.js';
import { JoinError } from '../../../src/kubefedctl/join-steps.js';
import { joinCluster } from '../../../src/kubefedctl/join.js';
import { unjoinCluster } from '../../../src/kubefedctl/unjoin.js';
import { clusterClientForMember, clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { isForbidden } from '../../../src/kube/errors.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { kubeconfigWithToken, NS, startFederation, until, type Federation } from './harness.js';
import { CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS, NAMESPACES, NODES, ROLES, ROLE_BINDINGS, SECRETS, SELF_SUBJECT_ACCESS_REVIEWS, SERVICE_ACCOUNTS } from '../../../src/api/kubernetes.js';
import { KUBEFED_CLUSTERS } from '../../../src/api/core.js';

let fed: Federation;
const admins = new Map<string, ClusterClient>();

async function admin(name: string): Promise<ClusterClient> {
  let c = admins.get(name);
  if (!c) {
    c = await clusterClientFromKubeconfig({ kubeconfigYaml: fed.sb.kubeconfigYaml, context: name, timeoutMs: 5000 });
    admins.set(name, c);
  }
  return c;
}

/** Names of everything join could create or change, in one cluster. */
async function snapshot(cluster: string): Promise<string[]> {
  const c = await admin(cluster);
  const out: string[] = [];
  const add = async (ref: ResourceRef, namespace?: string): Promise<void> => {
    try {
      const list = await c.dynamic.list(ref, namespace ? { namespace } : {});
      for (const o of list.items) out.push(`${ref.resource}/${o.metadata.namespace ?? ''}/${o.metadata.name}@${o.metadata.resourceVersion}`);
    } catch {
      out.push(`${ref.resource}: not served`);
    }
  };
  await add(NAMESPACES);
  await add(SERVICE_ACCOUNTS, NS);
  await add(SECRETS, NS);
  await add(CLUSTER_ROLES);
  await add(CLUSTER_ROLE_BINDINGS);
  await add(ROLES, NS);
  await add(ROLE_BINDINGS, NS);
  await add(KUBEFED_CLUSTERS, NS);
  return out.sort();
}

async function expectUnchanged(before: Record<string, string[]>): Promise<void> {
  for (const [cluster, snap] of Object.entries(before)) {
    await until(`${cluster} back to its state before`, async () => JSON.stringify(await snapshot(cluster)) === JSON.stringify(snap), 10_000).catch(async (err: unknown) => {
      expect(await snapshot(cluster)).toEqual(snap);
      throw err;
    });
  }
}

async function snapshotAll(): Promise<Record<string, string[]>> {
  return { 'cluster-1': await snapshot('cluster-1'), 'cluster-2': await snapshot('cluster-2'), 'cluster-3': await snapshot('cluster-3') };
}

beforeAll(async () => {
  fed = await startFederation(3);
});

afterAll(async () => {
  for (const c of admins.values()) c.close();
  await fed?.close();
});

describe('join', () => {
  it('creates the member ServiceAccount, token Secret, ClusterRole and binding, and the host Secret and KubeFedCluster; a re-run changes nothing', async () => {
    const res = await fed.join('cluster-2', { clusterLabels: { env: 'test' } });
    expect(res.changes.map((c) => joinStepLine(c).replace(/ in (member|host) cluster-\d/, ''))).toEqual([
      `created Namespace ${NS}`,
      `created ServiceAccount ${NS}/cluster-2-cluster-1`,
      `created Secret ${NS}/cluster-2-cluster-1`,
      'created ClusterRole kubefed-controller-manager:cluster-2-cluster-1',
      'created ClusterRoleBinding kubefed-controller-manager:cluster-2-cluster-1',
      `created Secret ${NS}/${res.cluster.spec.secretRef.name}`,
      `created KubeFedCluster ${NS}/cluster-2`,
    ]);
    expect(res.cluster.spec.apiEndpoint).toBe(fed.sb.cluster('cluster-2').url);
    expect(res.cluster.spec.caBundle).toBeTruthy();
    expect(res.cluster.metadata.labels).toEqual({ env: 'test' });
    const before = await snapshotAll();
    const again = await fed.join('cluster-2', { clusterLabels: { env: 'test' } });
    expect(again.changes).toEqual([]);
    expect(await snapshotAll()).toEqual(before);
    await expect(fed.join('cluster-2', { errorOnExisting: true })).rejects.toThrow(/already exists/);
  });

  it('gives a credential that can do what kfed needs and is refused (403) outside it', async () => {
    const kfc = (await fed.cluster('cluster-2'))!;
    const secret = await (await admin('cluster-1')).dynamic.get<KubeObject & { data: Record<string, string> }>(SECRETS, kfc.spec.secretRef.name, { namespace: NS });
    const token = Buffer.from(secret.data.token!, 'base64').toString('utf8');
    const sa = clusterClientForMember({ name: 'sa', apiEndpoint: kfc.spec.apiEndpoint, caBundle: kfc.spec.caBundle, bearerToken: token, timeoutMs: 5000 });
    try {
      // What propagation, status collection, health checks and zone discovery do.
      expect(await sa.rest.requestText({ method: 'GET', path: '/healthz' })).toBe('ok');
      expect(await sa.rest.request<{ gitVersion: string }>({ method: 'GET', path: '/version' })).toMatchObject({ gitVersion: expect.any(String) });
      expect((await sa.dynamic.list(NODES)).items.length).toBeGreaterThan(0);
      await sa.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'propagated' } });
      const DEPLOY: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true, kind: 'Deployment' };
      const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: 'propagated' }, spec: { replicas: 1, selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
      await sa.dynamic.create(DEPLOY, dep as KubeObject);
      await sa.dynamic.patch(DEPLOY, 'app', { spec: { replicas: 2 } }, { type: 'merge', namespace: 'propagated' });
      await sa.dynamic.delete(DEPLOY, 'app', { namespace: 'propagated' });
      // Outside the role: impersonation, and non-resource URLs other than health/version/discovery.
      const review = async (verb: string, resource: string): Promise<boolean> =>
        ((await sa.dynamic.create(SELF_SUBJECT_ACCESS_REVIEWS, { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec: { resourceAttributes: { verb, resource, group: '' } } } as KubeObject)) as KubeObject & { status: { allowed: boolean } }).status.allowed;
      expect(await review('impersonate', 'users')).toBe(false);
      expect(await review('impersonate', 'serviceaccounts')).toBe(false);
      await expect(sa.rest.requestText({ method: 'GET', path: '/metrics' })).rejects.toSatisfy(isForbidden);
      const status = await new Promise<number>((resolve, reject) => {
        const url = new URL('/api/v1/namespaces', kfc.spec.apiEndpoint);
        const req = https.request(url, { ca: Buffer.from(kfc.spec.caBundle!, 'base64'), headers: { authorization: `Bearer ${token}`, 'impersonate-user': 'kubernetes-admin' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(403);
    } finally {
      sa.close();
    }
  });

  it('joins the host into itself and unjoin keeps the host KubeFed namespace', async () => {
    const res = await fed.join('cluster-1');
    expect(res.cluster.spec.apiEndpoint).toBe(fed.sb.cluster('cluster-1').url);
    await unjoinCluster({ clusterName: 'cluster-1', kubeconfig: { kubeconfigYaml: fed.sb.kubeconfigYaml }, hostClusterContext: 'cluster-1' });
    expect(await (await admin('cluster-1')).dynamic.getIfExists(NAMESPACES, NS)).toBeDefined();
    expect(await fed.cluster('cluster-1')).toBeUndefined();
  });
});

describe('join failures leave nothing behind', () => {
  it('an unknown context fails before any request', async () => {
    const before = await snapshotAll();
    await expect(fed.join('cluster-3', { clusterContext: 'nope' })).rejects.toThrow(/context "nope" not found \(available: cluster-1, cluster-2, cluster-3/);
    await expectUnchanged(before);
  });

  it('an unreachable member fails with a one-line reason', async () => {
    const before = await snapshotAll();
    const c3 = fed.sb.cluster('cluster-3');
    await c3.stop();
    try {
      const err = await fed.join('cluster-3').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JoinError);
      expect((err as Error).message).toMatch(/^join cluster-3: cannot reach member cluster cluster-3 at https:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
      expect((err as Error).message).not.toContain('\n');
    } finally {
      await c3.start();
    }
    await expectUnchanged(before);
  });

  it('refused permissions in the member are found before anything is written', async () => {
    const c3 = await admin('cluster-3');
    // A user that may create namespaces, service accounts and secrets, but not RBAC objects.
    await c3.dynamic.create(SERVICE_ACCOUNTS, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'limited', namespace: 'default' } });
    await c3.dynamic.create(CLUSTER_ROLES, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'limited' }, rules: [{ apiGroups: [''], resources: ['namespaces', 'serviceaccounts', 'secrets'], verbs: ['*'] }] } as KubeObject);
    await c3.dynamic.create(CLUSTER_ROLE_BINDINGS, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'limited' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'limited' }, subjects: [{ kind: 'ServiceAccount', name: 'limited', namespace: 'default' }] } as KubeObject);
    await c3.dynamic.create(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'limited-token', namespace: 'default', annotations: { 'kubernetes.io/service-account.name': 'limited' } }, type: 'kubernetes.io/service-account-token' } as KubeObject);
    const token = await until('limited token', async () => {
      const s = await c3.dynamic.get<KubeObject & { data?: Record<string, string> }>(SECRETS, 'limited-token', { namespace: 'default' });
      return s.data?.token ? Buffer.from(s.data.token, 'base64').toString('utf8') : undefined;
    });
    const yaml = kubeconfigWithToken(fed.sb.kubeconfigYaml, 'cluster-3', 'limited', token);
    const before = await snapshotAll();
    const err = await joinCluster({ clusterName: 'cluster-3', kubeconfig: { kubeconfigYaml: yaml }, clusterContext: 'limited', hostClusterContext: 'cluster-1' }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('join cluster-3: permission denied in member cluster limited: cannot create clusterroles.rbac.authorization.k8s.io, create clusterrolebindings.rbac.authorization.k8s.io');
    await expectUnchanged(before);
  });

  it('a failure after member objects were written rolls them back (interrupted join)', async () => {
    const before = await snapshotAll();
    const abort = new AbortController();
    const err = await fed
      .join('cluster-3', {
        signal: abort.signal,
        progress: (_level, line) => {
          if (line.step === 'created' && line.kind === 'ClusterRoleBinding') abort.abort(new Error('interrupted'));
        },
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^join cluster-3: interrupted; rolled back$/);
    await expectUnchanged(before);
  });
});

describe('unjoin', () => {
  it('removes everything join made on both sides', async () => {
    const before = await snapshotAll();
    await fed.join('cluster-3');
    expect(await snapshotAll()).not.toEqual(before);
    const res = await unjoinCluster({ clusterName: 'cluster-3', kubeconfig: { kubeconfigYaml: fed.sb.kubeconfigYaml }, hostClusterContext: 'cluster-1' });
    expect(res.warnings).toEqual([]);
    expect(res.deleted).toHaveLength(7);
    await expectUnchanged(before);
  });

  it('needs --force for a stopped member, and then removes the host side', async () => {
    await fed.join('cluster-3');
    const secretName = (await fed.cluster('cluster-3'))!.spec.secretRef.name;
    const c3 = fed.sb.cluster('cluster-3');
    await c3.stop();
    try {
      const target = { clusterName: 'cluster-3', kubeconfig: { kubeconfigYaml: fed.sb.kubeconfigYaml }, hostClusterContext: 'cluster-1', timeoutMs: 2000 };
      await expect(unjoinCluster(target)).rejects.toThrow(/^unjoin cluster-3: clean up member cluster-3: .*ECONNREFUSED.*\(use --force/);
      expect(await fed.cluster('cluster-3')).toBeDefined();
      const res = await unjoinCluster({ ...target, force: true });
      expect(res.warnings).toHaveLength(1);
      expect(await fed.cluster('cluster-3')).toBeUndefined();
      expect(await (await admin('cluster-1')).dynamic.getIfExists(SECRETS, secretName, { namespace: NS })).toBeUndefined();
    } finally {
      await c3.start();
    }
  });
});
