// The real backend with kwok (`kfed sandbox --real-apiserver --kwok`): kube-controller-manager's
// Deployment and ReplicaSet controllers create the pods of a federated Deployment in each member,
// kube-scheduler places them on the agent's nodes (with the topology's region/zone labels), kwok
// runs them, and the FederatedDeployment's status sums what those controllers report (the
// simulation agent writes no workload status here). Runs when kube-apiserver, etcd,
// kube-controller-manager, kube-scheduler and kwok are built (scripts/build-go-tools.sh apiserver kwok).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FederatedObject } from '../../../src/api/federation.js';
import type { KubeObject } from '../../../src/api/meta.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { startRealSandbox } from '../../../src/sandbox/real/real-sandbox.js';
import { CLUSTERS, DEPLOYMENTS, FED_DEPLOYMENTS, federateNamespace, startEnv, until, type Env } from '../../support/propagation.js';
import { kfedToolsDir } from '../../support/tools.js';

type Obj = Record<string, any>;

const toolsDir = kfedToolsDir();
const BINARIES = ['kube-apiserver', 'etcd', 'kube-controller-manager', 'kube-scheduler', 'kwok'];
const missing = BINARIES.filter((b) => !existsSync(join(toolsDir, b)));
const PODS: ResourceRef = { group: '', version: 'v1', resource: 'pods', namespaced: true, kind: 'Pod' };
const NODES: ResourceRef = { group: '', version: 'v1', resource: 'nodes', namespaced: false, kind: 'Node' };
const NS = 'kw';
const REPLICAS: Record<string, number> = { 'cluster-1': 2, 'cluster-2': 3, 'cluster-3': 2 };

const reason = missing.length > 0 ? ` (skipped: ${missing.join(', ')} not built in ${toolsDir}; scripts/build-go-tools.sh apiserver kwok)` : '';

describe.skipIf(missing.length > 0)(`kwok pods on real API servers${reason}`, () => {
  let env: Env;

  beforeAll(async () => {
    env = await startEnv({}, () => startRealSandbox({ clusters: 3, toolsDir, build: false, kwok: true }));
    await federateNamespace(env, NS);
    const fed: FederatedObject = {
      apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment', metadata: { name: 'web', namespace: NS },
      spec: {
        template: { spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'example.org/web:1.0' }] } } } },
        placement: { clusterSelector: {} },
        overrides: [{ clusterName: 'cluster-2', clusterOverrides: [{ path: '/spec/replicas', value: 3 }] }],
      },
    };
    await env.host.dynamic.create(FED_DEPLOYMENTS, fed);
  }, 300_000);

  afterAll(async () => {
    await env?.close();
  });

  const runningPods = async (cluster: string): Promise<KubeObject[]> => {
    const pods = await env.clients[cluster]!.dynamic.list<KubeObject>(PODS, { namespace: NS, labelSelector: 'app=web' });
    return pods.items.filter((p) => (p as Obj).status?.phase === 'Running' && !p.metadata.deletionTimestamp);
  };

  it('runs each member\'s pods on its own nodes, Running and Ready, from the real controllers', async () => {
    for (const c of CLUSTERS) {
      const pods = await until(async () => {
        const running = await runningPods(c);
        return running.length === REPLICAS[c] ? running : undefined;
      }, 90_000, 250);
      const nodes = (await env.clients[c]!.dynamic.list<KubeObject>(NODES)).items;
      const region = env.sb.cluster(c).options.topology.region;
      for (const p of pods as Obj[]) {
        // a ReplicaSet of the Deployment made it, kube-scheduler placed it, kwok started it
        expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', controller: true });
        const node = nodes.find((n) => n.metadata.name === p.spec.nodeName);
        expect(node?.metadata.labels?.['topology.kubernetes.io/region']).toBe(region);
        expect(p.status.conditions.find((x: Obj) => x.type === 'Ready')?.status).toBe('True');
        expect(p.status.podIP).toMatch(new RegExp(`^10\\.${CLUSTERS.indexOf(c as (typeof CLUSTERS)[number]) + 1}\\.`));
      }
      const d = await until(async () => {
        const dep = await env.clients[c]!.dynamic.get<KubeObject>(DEPLOYMENTS, 'web', { namespace: NS });
        return (dep as Obj).status?.readyReplicas === REPLICAS[c] ? (dep as Obj) : undefined;
      }, 30_000, 250);
      // the status is kube-controller-manager's, not the simulation agent's
      const statusManagers = (d.metadata.managedFields as Obj[]).filter((f) => f.subresource === 'status').map((f) => f.manager);
      expect(statusManagers).toContain('kube-controller-manager');
      expect(statusManagers).not.toContain('kfed-sandbox-agent');
      expect(d.status.conditions.find((x: Obj) => x.type === 'Available')?.reason).toBe('MinimumReplicasAvailable');
    }
  }, 180_000);

  it('reports the members\' real status on the FederatedDeployment, also after a scale-down', async () => {
    const total = Object.values(REPLICAS).reduce((a, b) => a + b, 0);
    const fed = await until(async () => {
      const f = await env.host.dynamic.get<FederatedObject>(FED_DEPLOYMENTS, 'web', { namespace: NS });
      return f.status?.aggregated?.readyReplicas === total && f.status.aggregated.ready === '3/3' ? f : undefined;
    }, 60_000, 250);
    expect(fed.status?.aggregated).toMatchObject({ readyClusters: 3, totalClusters: 3, replicas: total, readyReplicas: total, availableReplicas: total });
    // cluster-2 down to 1: the ReplicaSet controller deletes two pods, kwok lets them go
    await env.host.dynamic.patch(FED_DEPLOYMENTS, 'web', { spec: { overrides: [{ clusterName: 'cluster-2', clusterOverrides: [{ path: '/spec/replicas', value: 1 }] }] } }, { namespace: NS, type: 'merge' });
    await until(async () => {
      const pods = await env.clients['cluster-2']!.dynamic.list<KubeObject>(PODS, { namespace: NS, labelSelector: 'app=web' });
      return pods.items.length === 1 && (pods.items[0] as Obj).status?.phase === 'Running';
    }, 60_000, 250);
    const after = await until(async () => {
      const f = await env.host.dynamic.get<FederatedObject>(FED_DEPLOYMENTS, 'web', { namespace: NS });
      return f.status?.aggregated?.readyReplicas === total - 2 ? f : undefined;
    }, 60_000, 250);
    expect(after.status?.aggregated).toMatchObject({ readyClusters: 3, replicas: total - 2, readyReplicas: total - 2 });
  }, 180_000);
});
