import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { InformerFactory } from '../../../src/kube/informer-factory.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';

const NS: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' };
const CM: ResourceRef = { group: '', version: 'v1', resource: 'configmaps', namespaced: true, kind: 'ConfigMap' };

let sb: Sandbox;
let c1: ClusterClient;
let c2: ClusterClient;

beforeAll(async () => {
  sb = await startSandbox({ clusters: 2 });
  c1 = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1' });
  c2 = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-2' });
});

afterAll(async () => {
  c1?.close();
  c2?.close();
  await sb?.close();
});

describe('InformerFactory', () => {
  it('shares one informer per cluster+resource+selector, starts late ones, stops a cluster', async () => {
    const f = new InformerFactory({ backoffInitialMs: 50 });
    const a = f.informer(c1, NS);
    expect(f.informer(c1, NS)).toBe(a);
    expect(f.informer(c1, NS, { labelSelector: { matchLabels: { x: 'y' } } })).not.toBe(a);
    expect(f.informer(c2, NS)).not.toBe(a);
    const ac = new AbortController();
    const running = f.start(ac.signal);
    await f.waitForSync();
    expect(f.hasSynced()).toBe(true);
    expect(a.size).toBeGreaterThan(0);
    const late = f.informer(c2, CM, { namespace: 'default' });
    await late.waitForSync();
    expect(f.clusters().sort()).toEqual(['cluster-1', 'cluster-2']);
    const started = Date.now() + 3000;
    while (sb.cluster('cluster-2').openWatches < 2 && Date.now() < started) await new Promise((r) => setTimeout(r, 20));
    expect(sb.cluster('cluster-2').openWatches).toBe(2);
    await f.stopCluster('cluster-2');
    expect(f.clusters()).toEqual(['cluster-1']);
    const end = Date.now() + 3000;
    while (sb.cluster('cluster-2').openWatches > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(sb.cluster('cluster-2').openWatches).toBe(0);
    ac.abort();
    await running;
  });
});
