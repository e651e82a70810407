// `kfed preview` (issue 17 item 3) on the sandbox control plane: a file not yet applied is
// previewed per cluster (placement, RSP scheduling, override policy, the object's own
// overrides), then applied; what the sync controller then writes to each member (the
// server-side apply bodies, captured on the members' clients) is byte for byte the
// preview. The CLI's -o json is a v1 List annotated kfed.io/preview-cluster, and its
// default output is a per-cluster diff. Nothing is written by a preview.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { FEDERATED_NAMESPACES, OVERRIDE_POLICIES, type FederatedObject } from '../../../src/api/federation.js';
import { DEPLOYMENTS, NAMESPACES } from '../../../src/api/kubernetes.js';
import type { KubeObject } from '../../../src/api/meta.js';
import { REPLICA_SCHEDULING_PREFERENCES } from '../../../src/api/scheduling.js';
import type { ControlPlane } from '../../../src/app/control-plane.js';
import { startSandboxControlPlane } from '../../../src/app/sandbox-control-plane.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { PREVIEW_CLUSTER_ANNOTATION, previewFederated } from '../../../src/kubefedctl/preview.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { pollUntil } from '../../support/until.js';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const NS = 'preview';
const CLUSTERS = ['cluster-1', 'cluster-2', 'cluster-3'];

let sb: Sandbox;
let cp: ControlPlane;
let host: ClusterClient;
let dir: string;

const fed: FederatedObject = {
  apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment', metadata: { name: 'web', namespace: NS },
  spec: {
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'example.org/web:1.0' }] } } },
    },
    placement: { clusterSelector: {} },
    overrides: [{ clusterName: 'cluster-2', clusterOverrides: [{ path: '/spec/template/spec/containers/0/image', value: 'example.org/web:1.1' }] }],
  },
};

async function kfed(...args: string[]): Promise<string> {
  try {
    return (await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--kubeconfig', sb.kubeconfigPath, '--host-cluster-context', 'cluster-1'], { cwd: ROOT, timeout: 90_000 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kfed ${args.join(' ')}: ${e.stderr || e.message}`, { cause: err });
  }
}

describe('kfed preview', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kfed-preview-'));
    sb = await startSandbox({ clusters: 3, bookmarkIntervalMs: 500 });
    cp = await startSandboxControlPlane(sb, { out: () => undefined, logger: silentLogger(), healthCheckPeriod: '1s' });
    host = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1', timeoutMs: 5000 });
    await host.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await host.dynamic.create(FEDERATED_NAMESPACES, { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedNamespace', metadata: { name: NS, namespace: NS }, spec: { placement: { clusterSelector: {} } } } as KubeObject);
    // An override policy (cluster-3 gets a label) and an RSP (9 replicas, 2:1:1) that will drive the object.
    await host.dynamic.create(OVERRIDE_POLICIES, {
      apiVersion: 'policy.kfed.io/v1alpha1', kind: 'OverridePolicy', metadata: { name: 'tier', namespace: NS },
      spec: { resourceSelectors: [{ kind: 'FederatedDeployment' }], overrideRules: [{ targetClusters: { clusters: ['cluster-3'] }, overriders: [{ op: 'add', path: '/metadata/labels/tier', value: 'backup' }] }] },
    } as KubeObject);
    await host.dynamic.create(REPLICA_SCHEDULING_PREFERENCES, {
      apiVersion: 'scheduling.kubefed.io/v1alpha1', kind: 'ReplicaSchedulingPreference', metadata: { name: 'web', namespace: NS },
      spec: { targetKind: 'FederatedDeployment', totalReplicas: 8, rebalance: true, clusters: { 'cluster-1': { weight: 2 }, '*': { weight: 1 } } },
    } as KubeObject);
    await writeFile(join(dir, 'web.yaml'), stringify(fed));
  }, 120_000);

  afterAll(async () => {
    host?.close();
    await cp?.stop();
    await sb?.close();
  });

  it('previews a file per cluster, writes nothing, and is byte for byte what the sync controller then writes', async () => {
    const times: number[] = [];
    let previews = await previewFederated(host, [fed], { kubefedNamespace: 'kube-federation-system' });
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      previews = await previewFederated(host, [fed], { kubefedNamespace: 'kube-federation-system' });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`[preview] latency over 3 clusters, in process: median ${times[2]!.toFixed(0)} ms, max ${times[4]!.toFixed(0)} ms`);
    // (The control plane keeps writing leases and status meanwhile, so look for what a preview could have written.)
    for (const c of CLUSTERS) expect(await clusterReplicas(c)).toBeUndefined();
    expect(await host.dynamic.getIfExists({ group: 'types.kubefed.io', version: 'v1beta1', resource: 'federateddeployments', namespaced: true, kind: 'FederatedDeployment' }, 'web', { namespace: NS })).toBeUndefined();

    const [p] = previews;
    expect(p!.schedule).toEqual({ 'cluster-1': 4, 'cluster-2': 2, 'cluster-3': 2 });
    const byCluster = Object.fromEntries(p!.clusters.map((c) => [c.cluster, c.object!]));
    expect(Object.keys(byCluster).sort()).toEqual(CLUSTERS);
    const spec = (o: KubeObject): { replicas: number; template: { spec: { containers: { image: string }[] } } } => o['spec'] as never;
    expect(spec(byCluster['cluster-2']!).template.spec.containers[0]!.image).toBe('example.org/web:1.1');
    expect(byCluster['cluster-3']!.metadata.labels?.['tier']).toBe('backup');
    expect(CLUSTERS.map((c) => spec(byCluster[c]!).replicas)).toEqual([4, 2, 2]);

    // Capture the apply bodies the sync controller sends, then let it write.
    const bodies: Record<string, string> = {};
    const spies = CLUSTERS.map((c) => {
      const dyn = cp.members.get(c)!.client!.dynamic;
      const original = dyn.apply.bind(dyn);
      return vi.spyOn(dyn, 'apply').mockImplementation(async (ref, obj, opts) => {
        if (ref.resource === 'deployments' && obj.metadata.name === 'web' && obj.metadata.namespace === NS) bodies[c] = JSON.stringify(obj);
        return original(ref, obj, opts);
      });
    });
    try {
      await host.dynamic.create({ group: 'types.kubefed.io', version: 'v1beta1', resource: 'federateddeployments', namespaced: true, kind: 'FederatedDeployment' }, structuredClone(fed));
      const want = (c: string): string => JSON.stringify(byCluster[c]);
      await pollUntil(async () => {
        for (const c of CLUSTERS) {
          const d = await clusterReplicas(c);
          if (d !== spec(byCluster[c]!).replicas || bodies[c] !== want(c)) return false;
        }
        return true;
      }, 30_000, 200).catch((err: unknown) => {
        throw new Error(`written ${JSON.stringify(bodies)} previewed ${JSON.stringify(byCluster)}`, { cause: err });
      });
      for (const c of CLUSTERS) expect(bodies[c]).toBe(want(c));
    } finally {
      for (const s of spies) s.mockRestore();
    }
  }, 90_000);

  it('prints a v1 List annotated per cluster (-o json, -o yaml), and a per-cluster diff by default', async () => {
    const list = JSON.parse(await kfed('preview', 'FederatedDeployment', 'web', '-n', NS, '-o', 'json')) as { apiVersion: string; kind: string; items: KubeObject[] };
    expect(list.apiVersion).toBe('v1');
    expect(list.kind).toBe('List');
    expect(list.items.map((i) => i.metadata.annotations?.[PREVIEW_CLUSTER_ANNOTATION])).toEqual(CLUSTERS);
    expect(list.items.every((i) => i.kind === 'Deployment' && i.apiVersion === 'apps/v1')).toBe(true);
    expect(await kfed('preview', 'deployments.apps', 'web', '-n', NS, '-o', 'yaml')).toContain(`${PREVIEW_CLUSTER_ANNOTATION}: cluster-3`);

    // Everything is written already: the diff says so; a changed file shows the change for every cluster.
    expect(await kfed('preview', 'deployment', 'web', '-n', NS)).toBe('Deployment preview/web (ReplicaSchedulingPreference: cluster-1=4, cluster-2=2, cluster-3=2)\n  cluster-1: unchanged\n  cluster-2: unchanged\n  cluster-3: unchanged\n');
    const changed = structuredClone(fed);
    (changed.spec.template as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0]!.image = 'example.org/web:2.0';
    await writeFile(join(dir, 'web2.yaml'), stringify(changed));
    const diff = await kfed('preview', '-f', join(dir, 'web2.yaml'));
    expect(diff).toContain('  cluster-1: would be updated\n');
    expect(diff, diff).toMatch(/\n {4}- +image: example\.org\/web:1\.0\n {4}\+ +image: example\.org\/web:2\.0\n/);
    // cluster-2's own override still wins there.
    expect(diff).toContain('  cluster-2: unchanged\n');
  }, 120_000);
});

async function clusterReplicas(cluster: string): Promise<number | undefined> {
  const c = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: cluster, timeoutMs: 3000 });
  try {
    return ((await c.dynamic.getIfExists(DEPLOYMENTS, 'web', { namespace: NS }))?.['spec'] as { replicas?: number } | undefined)?.replicas;
  } finally {
    c.close();
  }
}
