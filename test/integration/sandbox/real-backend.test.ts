// The real backend (src/sandbox/real): kube-apiserver, etcd and kube-controller-manager built by
// scripts/build-go-tools.sh apiserver, kfed's simulation as an agent, and the front proxy's
// faults, counts and stop/start. Runs when the build is cached; KFED_SANDBOX_BACKEND=real makes
// a missing build a failure.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/sandbox.js';
import type { RealCluster } from '../../../src/sandbox/real/real-cluster.js';
import { startRealSandbox } from '../../../src/sandbox/real/real-sandbox.js';
import { WireClient } from '../../conformance/client.js';
import { kfedToolsDir } from '../../support/tools.js';
import { pollUntil } from '../../support/until.js';

type Obj = Record<string, any>;

const toolsDir = kfedToolsDir();
const built = ['kube-apiserver', 'etcd', 'kube-controller-manager'].every((b) => existsSync(join(toolsDir, b)));
if (!built && process.env.KFED_SANDBOX_BACKEND === 'real') throw new Error(`KFED_SANDBOX_BACKEND=real but ${toolsDir} has no kube-apiserver build`);

function until<T>(fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  return pollUntil(fn, ms, 100);
}

describe.skipIf(!built)('sandbox on real API servers', () => {
  let sb: Sandbox<RealCluster>;
  let c: WireClient;
  let cluster: RealCluster;

  beforeAll(async () => {
    sb = await startRealSandbox({ clusters: 1, toolsDir, build: false });
    cluster = sb.clusters[0]!;
    c = new WireClient(cluster.url, cluster.adminToken, cluster.caPem);
  }, 180_000);

  afterAll(async () => {
    await sb?.close();
  });

  it('is kube-apiserver v1.37.2 with the topology\'s nodes, Ready and labelled', async () => {
    expect((await c.call('GET', '/version')).body.gitVersion).toBe('v1.37.2');
    const nodes = (await c.call('GET', '/api/v1/nodes')).body.items as Obj[];
    expect(nodes.map((n) => n.metadata.labels['topology.kubernetes.io/zone']).sort()).toEqual(['us-east-1a', 'us-east-1b']);
    expect(nodes.every((n) => n.status.conditions.some((x: Obj) => x.type === 'Ready' && x.status === 'True'))).toBe(true);
  });

  it('simulates Deployment status, a load balancer and EndpointSlices through the API', async () => {
    await c.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sim' } });
    await c.call('POST', '/apis/apps/v1/namespaces/sim/deployments', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    });
    await c.call('POST', '/api/v1/namespaces/sim/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80 }] } });
    const d = await until(async () => {
      const r = await c.call('GET', '/apis/apps/v1/namespaces/sim/deployments/web');
      return r.body.status?.readyReplicas === 3 ? r.body : undefined;
    });
    expect(d.status.observedGeneration).toBe(1);
    const svc = await until(async () => (await c.call('GET', '/api/v1/namespaces/sim/services/web')).body.status?.loadBalancer?.ingress?.[0]?.ip as string | undefined);
    expect(svc).toMatch(/^192\.0\.2\./);
    const slice = await until(async () => {
      const r = await c.call('GET', '/apis/discovery.k8s.io/v1/namespaces/sim/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb');
      return r.body.items?.[0]?.endpoints?.length === 3 ? r.body.items[0] : undefined;
    });
    expect(slice.metadata.ownerReferences[0].kind).toBe('Service');
    // scaled to zero: no ready endpoints
    await c.call('PATCH', '/apis/apps/v1/namespaces/sim/deployments/web', { spec: { replicas: 0 } }, 'application/merge-patch+json');
    await until(async () => {
      const r = await c.call('GET', '/apis/discovery.k8s.io/v1/namespaces/sim/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb');
      return (r.body.items?.[0]?.endpoints ?? []).length === 0 ? true : undefined;
    });
  });

  it('counts client writes at the proxy, not the simulation\'s', async () => {
    const before = cluster.counts.writes;
    await c.call('POST', '/api/v1/namespaces/sim/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'counted' } });
    expect(cluster.counts.writes - before).toBe(1);
    expect(cluster.counts.byVerb.create).toBeGreaterThan(0);
  });

  it('injects latency and errors, and clears them', async () => {
    cluster.faults.set({ errorRate: 1, errorCode: 429, retryAfterSeconds: 2 });
    const r = await c.call('GET', '/api/v1/namespaces');
    expect([r.code, r.body.reason]).toEqual([429, 'TooManyRequests']);
    cluster.faults.clear();
    cluster.faults.set({ latencyMs: 300 });
    const t0 = Date.now();
    expect((await c.call('GET', '/api/v1/namespaces')).code).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    cluster.faults.clear();
  });

  it('stop kills kube-apiserver and start brings it back with the state etcd kept', async () => {
    const rv = await cluster.resourceVersion();
    await cluster.stop();
    expect(cluster.running).toBe(false);
    await expect(c.call('GET', '/api/v1/namespaces')).rejects.toThrow(/ECONNREFUSED/);
    // the store's revision is still known while the API server is down
    expect(Number(await cluster.resourceVersion())).toBeGreaterThanOrEqual(Number(rv));
    await cluster.start();
    expect(cluster.running).toBe(true);
    expect((await c.call('GET', '/api/v1/namespaces/sim/configmaps/counted')).code).toBe(200);
  }, 90_000);

  it('compact makes a watch from an old resourceVersion end with 410 Expired', async () => {
    const old = String((await c.call('GET', '/api/v1/namespaces/sim/configmaps')).body.metadata.resourceVersion);
    for (let i = 0; i < 3; i++) await c.call('POST', '/api/v1/namespaces/sim/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `later-${i}` } });
    await cluster.faults.compact();
    // restart so that kube-apiserver's watch cache no longer holds the old events either
    await cluster.stop();
    await cluster.start();
    const r = await c.call('GET', `/api/v1/namespaces/sim/configmaps?watch=true&resourceVersion=${old}&timeoutSeconds=2`);
    const text = JSON.stringify(r.body);
    expect(r.code === 410 || /"code":410/.test(text) || /Expired|too old/.test(text)).toBe(true);
  }, 90_000);
});
