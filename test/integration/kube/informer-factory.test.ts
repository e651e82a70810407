import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { InformerFactory } from '../../../src/kube/informer-factory.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { pollUntil } from '../../support/until.js';

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
    await pollUntil(() => sb.cluster('cluster-2').openWatches === 2, 10_000, 20, "cluster-2's two watches");
    await f.stopCluster('cluster-2');
    expect(f.clusters()).toEqual(['cluster-1']);
    await pollUntil(() => sb.cluster('cluster-2').openWatches === 0, 10_000, 20, "cluster-2's watches closed");
    ac.abort();
    await running;
  });

  it('scopes share one informer; the last release stops it and the next acquisition lists afresh', async () => {
    const f = new InformerFactory({ backoffInitialMs: 50 });
    const a = f.scope();
    const b = f.scope();
    const inf = a.informer(c2, NS);
    expect(b.informer(c2, NS)).toBe(inf);
    await inf.waitForSync();
    const adds: string[] = [];
    inf.addHandlers({ onAdd: (o) => adds.push(o.metadata.name ?? '') });
    expect(adds.length).toBeGreaterThan(0);
    await a.close();
    // b still holds it: still running.
    expect(f.size).toBe(1);
    await b.release(inf);
    expect(f.size).toBe(0);
    await pollUntil(() => sb.cluster('cluster-2').openWatches === 0, 10_000, 20, "cluster-2's watches closed");
    // A new term: a new informer, listed from scratch, whose handlers see every object as an add.
    const c = f.scope();
    const again = c.informer(c2, NS);
    expect(again).not.toBe(inf);
    await again.waitForSync();
    expect(again.size).toBe(inf.size);
    await c.close();
    expect(() => c.informer(c2, NS)).toThrow('closed');
  });

  it('a rebuilt client (same cluster name) gets its own informers', async () => {
    const f = new InformerFactory();
    const rebuilt = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-2' });
    try {
      const s = f.scope();
      expect(s.informer(rebuilt, NS)).not.toBe(s.informer(c2, NS));
      await s.close();
    } finally {
      rebuilt.close();
    }
  });
});
