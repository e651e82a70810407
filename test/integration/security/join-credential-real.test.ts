// The credential `kfed join` creates in a member, checked by a real kube-apiserver's RBAC
// (the sandbox's real backend; runs when the build is cached): it writes ordinary objects,
// and it is refused to escalate (bind cluster-admin, grant itself more in a role) and to
// impersonate, because join's role grants object verbs only (src/clusters/join-rbac.ts).
import { request } from 'node:https';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import { joinCluster } from '../../../src/kubefedctl/join.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import type { Sandbox } from '../../../src/sandbox/sandbox.js';
import type { RealCluster } from '../../../src/sandbox/real/real-cluster.js';
import { startRealSandbox } from '../../../src/sandbox/real/real-sandbox.js';
import { installCrds } from '../../support/crds.js';
import { kfedToolsDir } from '../../support/tools.js';

const toolsDir = kfedToolsDir();
const built = ['kube-apiserver', 'etcd', 'kube-controller-manager'].every((b) => existsSync(join(toolsDir, b)));
const NS = 'kube-federation-system';
const NAMESPACES: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' };
const KUBEFED_CLUSTERS: ResourceRef = { group: 'core.kubefed.io', version: 'v1beta1', resource: 'kubefedclusters', namespaced: true, kind: 'KubeFedCluster' };
const SECRETS: ResourceRef = { group: '', version: 'v1', resource: 'secrets', namespaced: true, kind: 'Secret' };

interface Reply {
  status: number;
  body: string;
}

/** One request to the member with the join credential (and optional extra headers). */
function call(cluster: RealCluster, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const url = new URL(path, cluster.url);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca: cluster.caPem, headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(data ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

describe.skipIf(!built)('the join credential on real RBAC', () => {
  let sb: Sandbox<RealCluster>;
  let host: ClusterClient;
  let member: RealCluster;
  let token: string;

  beforeAll(async () => {
    sb = await startRealSandbox({ clusters: 2, toolsDir, build: false });
    member = sb.clusters[1]!;
    host = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1', timeoutMs: 15_000 });
    await installCrds(host, 'crds/core');
    if (!(await host.dynamic.getIfExists(NAMESPACES, NS))) await host.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await joinCluster({ clusterName: 'cluster-2', kubeconfig: { kubeconfigYaml: sb.kubeconfigYaml }, clusterContext: 'cluster-2', hostClusterContext: 'cluster-1' });
    const kfc = await host.dynamic.get<KubeObject & { spec: { secretRef: { name: string } } }>(KUBEFED_CLUSTERS, 'cluster-2', { namespace: NS });
    const secret = await host.dynamic.get<KubeObject & { data: Record<string, string> }>(SECRETS, kfc.spec.secretRef.name, { namespace: NS });
    token = Buffer.from(secret.data['token'] ?? '', 'base64').toString('utf8');
  }, 240_000);

  afterAll(async () => {
    host?.close();
    await sb?.close();
  });

  it('writes the objects kfed propagates', async () => {
    const r = await call(member, token, 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'join-can-write' }, data: { a: 'b' } });
    expect(r.status, r.body).toBe(201);
  });

  it('cannot bind cluster-admin to anyone (no bind or escalate)', async () => {
    const r = await call(member, token, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'join-escalates' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }],
    });
    expect(r.status, r.body).toBe(403);
  });

  it('cannot write a role granting more than it holds (escalation prevention)', async () => {
    const r = await call(member, token, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'join-grants-impersonate' },
      rules: [{ apiGroups: [''], resources: ['users', 'groups', 'serviceaccounts'], verbs: ['impersonate'] }],
    });
    expect(r.status, r.body).toBe(403);
  });

  it('cannot impersonate', async () => {
    const user = await call(member, token, 'GET', '/api/v1/namespaces', undefined, { 'Impersonate-User': 'kubernetes-admin' });
    expect(user.status, user.body).toBe(403);
    const group = await call(member, token, 'GET', '/api/v1/namespaces', undefined, { 'Impersonate-User': 'someone', 'Impersonate-Group': 'system:masters' });
    expect(group.status, group.body).toBe(403);
  });
});
