import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { Informer } from '../../../src/kube/informer.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { createRegistry } from '../../../src/observability/metrics.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { pollUntil } from '../../support/until.js';

const NS: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' };
const CM: ResourceRef = { group: '', version: 'v1', resource: 'configmaps', namespaced: true, kind: 'ConfigMap' };

let sb: Sandbox;
let c1: ClusterClient;

beforeAll(async () => {
  sb = await startSandbox({ clusters: 2, bookmarkIntervalMs: 200 });
  c1 = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1', timeoutMs: 3000 });
  await c1.dynamic.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'inf' } });
});

afterAll(async () => {
  c1?.close();
  await sb?.close();
});

function cm(name: string, labels: Record<string, string>, v: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'inf', labels }, data: { v } };
}

async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  await pollUntil(cond, ms, 20);
}

/** name -> resourceVersion of what the server has now, by a fresh list. */
async function serverState(labelSelector: string): Promise<Record<string, string>> {
  const list = await c1.dynamic.listAll(CM, { namespace: 'inf', labelSelector });
  return Object.fromEntries(list.items.map((o) => [o.metadata.name ?? '', o.metadata.resourceVersion ?? '']));
}

function cacheState(inf: Informer): Record<string, string> {
  return Object.fromEntries(inf.list().map((o) => [o.metadata.name ?? '', o.metadata.resourceVersion ?? '']));
}

/** Keeps a model of the objects from handler calls only, to prove handlers saw every change. */
function handlerModel(inf: Informer): Map<string, string> {
  const model = new Map<string, string>();
  inf.addHandlers({
    onAdd: (o) => model.set(o.metadata.name ?? '', o.metadata.resourceVersion ?? ''),
    onUpdate: (_old, o) => model.set(o.metadata.name ?? '', o.metadata.resourceVersion ?? ''),
    onDelete: (o) => model.delete(o.metadata.name ?? ''),
  });
  return model;
}

describe('Informer against the sandbox', () => {
  it('syncs with a label selector and follows creates, updates and deletes', async () => {
    await c1.dynamic.create(CM, cm('s1', { sel: 'yes' }, '1'));
    await c1.dynamic.create(CM, cm('other', { sel: 'no' }, '1'));
    const inf = new Informer({ client: c1.dynamic, resource: CM, namespace: 'inf', labelSelector: { matchLabels: { sel: 'yes' } }, cluster: 'cluster-1' });
    const model = handlerModel(inf);
    const ac = new AbortController();
    const running = inf.start(ac.signal);
    await inf.waitForSync();
    expect(inf.keys()).toEqual(['inf/s1']);
    await c1.dynamic.create(CM, cm('s2', { sel: 'yes' }, '1'));
    await c1.dynamic.patch(CM, 's1', { data: { v: '2' } }, { namespace: 'inf', type: 'merge' });
    await c1.dynamic.delete(CM, 's2', { namespace: 'inf' });
    await c1.dynamic.create(CM, cm('s3', { sel: 'yes' }, '1'));
    const want = await serverState('sel=yes');
    await until(() => JSON.stringify(cacheState(inf)) === JSON.stringify(want));
    expect(Object.fromEntries(model)).toEqual(want);
    expect(inf.getByName('inf', 's1')?.data).toEqual({ v: '2' });
    ac.abort();
    await running;
  });

  it('after compaction and dropped watches, relists and keeps cache and handlers equal to a fresh list', async () => {
    for (let i = 0; i < 5; i++) await c1.dynamic.create(CM, cm(`g${i}`, { gap: 'yes' }, '1'));
    const registry = createRegistry({ defaultMetrics: false });
    const inf = new Informer({
      client: c1.dynamic,
      resource: CM,
      namespace: 'inf',
      labelSelector: 'gap=yes',
      cluster: 'cluster-1',
      registry,
      backoffInitialMs: 1500,
      backoffMaxMs: 1500,
    });
    const model = handlerModel(inf);
    const ac = new AbortController();
    const running = inf.start(ac.signal);
    await inf.waitForSync();
    await until(() => sb.cluster('cluster-1').openWatches > 0);
    // Cut the watch while the server is down, then change things the informer cannot see,
    // and compact history so its resourceVersion is too old when it comes back.
    await sb.cluster('cluster-1').stop();
    await sb.cluster('cluster-1').start();
    await c1.dynamic.patch(CM, 'g0', { data: { v: 'changed' } }, { namespace: 'inf', type: 'merge' });
    await c1.dynamic.delete(CM, 'g1', { namespace: 'inf' });
    await c1.dynamic.create(CM, cm('g-new', { gap: 'yes' }, '1'));
    await c1.dynamic.patch(CM, 'g2', { metadata: { labels: { gap: 'no' } } }, { namespace: 'inf', type: 'merge' }); // leaves the selector
    sb.cluster('cluster-1').faults.compact();
    sb.cluster('cluster-1').faults.dropWatches();
    const want = await serverState('gap=yes');
    await until(() => JSON.stringify(cacheState(inf)) === JSON.stringify(want), 15_000);
    expect(Object.fromEntries(model)).toEqual(want);
    expect(inf.getByName('inf', 'g0')?.data).toEqual({ v: 'changed' });
    const restarts = await registry.getSingleMetricAsString('kfed_informer_restarts_total');
    expect(restarts).toMatch(/reason="gone"} [1-9]/);
    // and it keeps watching after the relist
    await c1.dynamic.create(CM, cm('after', { gap: 'yes' }, '1'));
    await until(() => inf.getByName('inf', 'after') !== undefined);
    ac.abort();
    await running;
  });

  it('restarts after the cluster stops and starts, reporting errors to onError', async () => {
    const c2 = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-2', timeoutMs: 2000 });
    await c2.dynamic.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'inf' } });
    const inf = new Informer({ client: c2.dynamic, resource: CM, namespace: 'inf', cluster: 'cluster-2', backoffInitialMs: 50, backoffMaxMs: 200 });
    const errors: string[] = [];
    inf.onError((e) => errors.push((e as { reason?: string }).reason ?? String(e)));
    const ac = new AbortController();
    const running = inf.start(ac.signal);
    try {
      await inf.waitForSync();
      const firstError = new Promise<void>((resolve) => inf.onError(() => resolve()));
      const stoppedAt = Date.now();
      await sb.cluster('cluster-2').stop();
      await firstError;
      // The fast path for cluster health: the failure is reported when the connection breaks,
      // long before the silence watchdog (30 s and more) could notice. The bound is generous:
      // a test process descheduled for a few seconds on a loaded machine still meets it.
      expect(Date.now() - stoppedAt).toBeLessThan(5000);
      expect(errors).toContain('Unreachable');
      expect(errors).not.toContain('SilenceError');
      await new Promise((r) => setTimeout(r, 300));
      await sb.cluster('cluster-2').start();
      await c2.dynamic.create(CM, cm('back', {}, '1'));
      await until(() => inf.getByName('inf', 'back') !== undefined);
      expect(inf.restarts).toBeGreaterThan(0);
    } finally {
      if (!sb.cluster('cluster-2').running) await sb.cluster('cluster-2').start();
      ac.abort();
      await running;
      c2.close();
    }
  });

  it('a silent watch is restarted by the watchdog when bookmarks stop', async () => {
    // Latency longer than the watchdog on the watch request stands in for a hung connection.
    // The watchdog (2.5 s) is many bookmark intervals (200 ms) long: a test process
    // descheduled for a second must not look like a silent watch.
    const inf = new Informer({ client: c1.dynamic, resource: CM, namespace: 'inf', cluster: 'cluster-1', silenceTimeoutMs: 2500, backoffInitialMs: 20 });
    const errors: string[] = [];
    inf.onError((e) => errors.push((e as Error).name));
    const ac = new AbortController();
    const running = inf.start(ac.signal);
    await inf.waitForSync();
    // bookmarks every 200 ms keep a healthy watch alive past the watchdog
    await new Promise((r) => setTimeout(r, 3000));
    expect(errors).toEqual([]);
    sb.cluster('cluster-1').faults.set({ latencyMs: 8000 });
    sb.cluster('cluster-1').faults.dropWatches();
    try {
      await until(() => errors.includes('SilenceError'), 7500);
    } finally {
      sb.cluster('cluster-1').faults.clear();
    }
    ac.abort();
    await running;
  });
});
