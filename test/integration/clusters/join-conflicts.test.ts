// Join against what other joins left behind (issue 13 item 4): one member endpoint joined
// twice, unjoin next to another federation's credential in the same member namespace, and
// a ClusterRoleBinding of join's name that points elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import { ensureKubeFedNamespaceAndConfig, installCrds } from '../../../src/app/host-setup.js';
import { canonicalEndpoint } from '../../../src/kubefedctl/join-conflicts.js';
import { joinStepLine } from '../../../src/cli/kubefedctl-output.js';
import { joinCluster } from '../../../src/kubefedctl/join.js';
import { unjoinCluster } from '../../../src/kubefedctl/unjoin.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { NS, startFederation, type Federation } from './harness.js';
import { CLUSTER_ROLE_BINDINGS, NAMESPACES, SECRETS, SERVICE_ACCOUNTS } from '../../../src/api/kubernetes.js';
import { KUBEFED_CLUSTERS } from '../../../src/api/core.js';

let fed: Federation;
let c2: ClusterClient;
let c3: ClusterClient;

const names = async (c: ClusterClient, ref: typeof SECRETS, namespace?: string): Promise<string[]> =>
  (await c.dynamic.list(ref, namespace ? { namespace } : {})).items.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort();

beforeAll(async () => {
  fed = await startFederation(3);
  c2 = await clusterClientFromKubeconfig({ kubeconfigYaml: fed.sb.kubeconfigYaml, context: 'cluster-2', timeoutMs: 5000 });
  c3 = await clusterClientFromKubeconfig({ kubeconfigYaml: fed.sb.kubeconfigYaml, context: 'cluster-3', timeoutMs: 5000 });
}, 60_000);

afterAll(async () => {
  c2?.close();
  c3?.close();
  await fed?.close();
});

describe('canonicalEndpoint', () => {
  it.each([
    ['https://Example.COM:443/', 'https://example.com'],
    ['example.com:6443', 'https://example.com:6443'],
    ['https://127.0.0.1:6443', 'https://127.0.0.1:6443'],
  ])('%s -> %s', (a, b) => expect(canonicalEndpoint(a)).toBe(b));
});

describe('one member endpoint joined twice', () => {
  it('refuses a second KubeFedCluster for the same server and CA, writing nothing', async () => {
    await fed.join('cluster-2');
    const before = [await names(fed.host, KUBEFED_CLUSTERS, NS), await names(fed.host, SECRETS, NS), await names(c2, SERVICE_ACCOUNTS, NS), await names(c2, CLUSTER_ROLE_BINDINGS)];
    const err = await fed.join('copy', { clusterContext: 'cluster-2' }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^join copy: member https:\/\/127\.0\.0\.1:\d+ is already joined as KubeFedCluster kube-federation-system\/cluster-2; .*unjoin it first/);
    expect([await names(fed.host, KUBEFED_CLUSTERS, NS), await names(fed.host, SECRETS, NS), await names(c2, SERVICE_ACCOUNTS, NS), await names(c2, CLUSTER_ROLE_BINDINGS)]).toEqual(before);
    // Re-running join under the name it has still converges.
    expect((await fed.join('cluster-2')).changes).toEqual([]);
  });
});

describe('unjoin next to another federation joined to the same member', () => {
  it("keeps the member's KubeFed namespace and the other join's token, ServiceAccount and RBAC", async () => {
    // cluster-2 hosts a second federation that joins cluster-3 too.
    await installCrds(c2);
    await ensureKubeFedNamespaceAndConfig(c2, { namespace: NS });
    const kubeconfig = { kubeconfigYaml: fed.sb.kubeconfigYaml };
    await joinCluster({ clusterName: 'cluster-3', kubeconfig, clusterContext: 'cluster-3', hostClusterContext: 'cluster-2' });
    await fed.join('cluster-3');
    const other = { sa: 'cluster-3-cluster-2', binding: 'kubefed-controller-manager:cluster-3-cluster-2' };
    const tokenBefore = await c3.dynamic.get(SECRETS, other.sa, { namespace: NS });
    const progress: string[] = [];
    await unjoinCluster({ clusterName: 'cluster-3', kubeconfig, hostClusterContext: 'cluster-1', progress: (_l, step) => progress.push(joinStepLine(step)) });
    expect(progress).toContain(`kept namespace ${NS} in member cluster-3: it still holds ServiceAccount ${other.sa} of another join`);
    const ns = await c3.dynamic.getIfExists(NAMESPACES, NS);
    expect(ns?.metadata.deletionTimestamp).toBeUndefined();
    expect(await c3.dynamic.getIfExists(SERVICE_ACCOUNTS, other.sa, { namespace: NS })).toBeDefined();
    expect((await c3.dynamic.get(SECRETS, other.sa, { namespace: NS })).metadata.uid).toBe(tokenBefore.metadata.uid);
    expect(await c3.dynamic.getIfExists(CLUSTER_ROLE_BINDINGS, other.binding)).toBeDefined();
    expect(await c3.dynamic.getIfExists(SERVICE_ACCOUNTS, 'cluster-3-cluster-1', { namespace: NS })).toBeUndefined();
    // The other federation can still unjoin it cleanly; then the namespace goes.
    await unjoinCluster({ clusterName: 'cluster-3', kubeconfig, hostClusterContext: 'cluster-2' });
    expect(await c3.dynamic.getIfExists(SERVICE_ACCOUNTS, other.sa, { namespace: NS })).toBeUndefined();
  });
});

describe('a ClusterRoleBinding of join\'s name already exists', () => {
  const binding = 'kubefed-controller-manager:cluster-3-cluster-1';
  const crb = (roleRef: string, sa: { name: string; namespace: string }): KubeObject => ({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: binding },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleRef },
    subjects: [{ kind: 'ServiceAccount', ...sa }],
  } as KubeObject);

  it('with another roleRef: join fails with a clear error and writes nothing', async () => {
    await c3.dynamic.create(CLUSTER_ROLE_BINDINGS, crb('view', { name: 'cluster-3-cluster-1', namespace: NS }));
    try {
      const err = await fed.join('cluster-3').catch((e: unknown) => e as Error);
      expect((err as Error).message).toBe(
        `join cluster-3: ClusterRoleBinding ${binding} in member cluster cluster-3 already exists with roleRef ClusterRole view, not ClusterRole ${binding}; ` +
          'a roleRef cannot be changed and the joined credential would be refused (403): delete that binding or join with another --host-cluster-name',
      );
      expect(await fed.cluster('cluster-3')).toBeUndefined();
      expect(await c3.dynamic.getIfExists(SERVICE_ACCOUNTS, 'cluster-3-cluster-1', { namespace: NS })).toBeUndefined();
    } finally {
      await c3.dynamic.delete(CLUSTER_ROLE_BINDINGS, binding);
    }
  });

  it("binding another join's ServiceAccount: join refuses to take it over", async () => {
    await c3.dynamic.create(CLUSTER_ROLE_BINDINGS, crb(binding, { name: 'someone-else', namespace: 'other-fed' }));
    try {
      await expect(fed.join('cluster-3')).rejects.toThrow(/already binds ServiceAccount other-fed\/someone-else \(another join of this member\)/);
      expect(await fed.cluster('cluster-3')).toBeUndefined();
    } finally {
      await c3.dynamic.delete(CLUSTER_ROLE_BINDINGS, binding);
    }
  });
});
