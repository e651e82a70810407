import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { EventRecorder } from '../../../src/kube/event-recorder.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { EVENTS } from '../../../src/api/kubernetes.js';

const NS: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' };
const CM: ResourceRef = { group: '', version: 'v1', resource: 'configmaps', namespaced: true, kind: 'ConfigMap' };

let sb: Sandbox;
let c: ClusterClient;

beforeAll(async () => {
  sb = await startSandbox({ clusters: 1 });
  c = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1' });
  await c.dynamic.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ev' } });
});

afterAll(async () => {
  c?.close();
  await sb?.close();
});

describe('EventRecorder', () => {
  it('creates an Event for the object and aggregates repeats into count', async () => {
    const obj = await c.dynamic.create<KubeObject>(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'target', namespace: 'ev' } });
    const rec = new EventRecorder({ client: c.dynamic, component: 'kfed-test', instance: 'replica-1' });
    rec.event(obj, 'Warning', 'ClusterNotReachable', 'cluster-2 did not answer /healthz');
    await rec.flush();
    rec.event(obj, 'Warning', 'ClusterNotReachable', 'cluster-2 did not answer /healthz');
    rec.event(obj, 'Warning', 'ClusterNotReachable', 'cluster-2 did not answer /healthz');
    rec.event(obj, 'Normal', 'ClusterReady', 'cluster-2 is ready');
    await rec.flush();
    const events = (await c.dynamic.list<KubeObject>(EVENTS, { namespace: 'ev' })).items;
    const warning = events.find((e) => e.reason === 'ClusterNotReachable');
    expect(warning).toMatchObject({
      type: 'Warning',
      count: 3,
      message: 'cluster-2 did not answer /healthz',
      involvedObject: { kind: 'ConfigMap', name: 'target', namespace: 'ev', uid: obj.metadata.uid },
      source: { component: 'kfed-test' },
      reportingInstance: 'replica-1',
    });
    expect(events.filter((e) => e.reason === 'ClusterReady')).toHaveLength(1);
    expect(events).toHaveLength(2);
  });

  it('rate-limits a flood per object and never throws to the caller', async () => {
    const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'flood', namespace: 'ev', uid: 'u-flood' } };
    const rec = new EventRecorder({ client: c.dynamic, component: 'kfed-test', burst: 3 });
    for (let i = 0; i < 10; i++) rec.event(obj, 'Normal', `R${i}`, `m${i}`);
    await rec.flush();
    const events = (await c.dynamic.list<KubeObject>(EVENTS, { namespace: 'ev' })).items.filter(
      (e) => (e.involvedObject as { name: string }).name === 'flood',
    );
    expect(events).toHaveLength(3);
    // an event into a namespace that does not exist fails quietly
    const lost: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'missing-ns', uid: 'u-x' } };
    rec.event(lost, 'Warning', 'X', 'y');
    await expect(rec.flush()).resolves.toBeUndefined();
  });
});
