// Issue 13 item 1: the control plane loses its leader Lease during a host API outage
// longer than the renew deadline and wins it back in the same process. Every leader-only
// controller must run again afterwards: a new federated object and an edit of an old one
// propagate, FederatedTypeConfigs say Running because sync controllers really run, and
// /healthz answers 200 again only once the leader-only work is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import type { FederatedTypeConfig } from '../../../src/api/core.js';
import { applyManifestFile, applyObjects } from '../../../src/app/apply-manifest.js';
import { startControlPlane, type ControlPlane } from '../../../src/app/control-plane.js';
import { findGoAppExample, propagationGap } from '../../../src/app/sandbox-demo.js';
import { buildConfig } from '../../../src/config/config.js';
import { readKubeFedConfig } from '../../../src/config/load.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { NS, RETRY_PERIOD_MS, prepareHost, until } from './controller-harness.js';
import { FEDERATED_TYPE_CONFIGS } from '../../../src/api/core.js';

const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', resource: 'configmaps', namespaced: true, kind: 'ConfigMap' };
const FEDERATED_DEPLOYMENTS: ResourceRef = { group: 'types.kubefed.io', version: 'v1beta1', resource: 'federateddeployments', namespaced: true, kind: 'FederatedDeployment' };

let sb: Sandbox;
let host: ClusterClient;
let member2: ClusterClient;
let cp: ControlPlane;

function federatedConfigMap(name: string, greeting: string): KubeObject {
  return {
    apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap',
    metadata: { name, namespace: 'go-app' },
    spec: { template: { data: { greeting } }, placement: { clusterSelector: {} } },
  } as KubeObject;
}

async function greetingIn(c: ClusterClient, name: string): Promise<string | undefined> {
  const cm = await c.dynamic.getIfExists<KubeObject & { data?: Record<string, string> }>(CONFIGMAPS, name, { namespace: 'go-app' });
  return cm?.data?.greeting;
}

async function healthz(): Promise<number> {
  const res = await fetch(`${cp.health!.url}/healthz`);
  await res.arrayBuffer();
  return res.status;
}

describe('leadership lost and regained in one process', () => {
  beforeAll(async () => {
    sb = await startSandbox({ clusters: 2, bookmarkIntervalMs: 500 });
    host = await prepareHost(sb);
    member2 = await clusterClientFromKubeconfig({ kubeconfigPath: sb.kubeconfigPath, context: 'cluster-2', name: 'test-member' });
    await applyManifestFile(host, findGoAppExample(), { fieldManager: 'test' });
    const config = buildConfig(
      { kubeconfigPath: sb.kubeconfigPath, context: 'cluster-1', kubefedNamespace: NS, metricsAddr: '127.0.0.1:0', leaderElect: true, identity: 'regain-test' },
      await readKubeFedConfig(host, NS),
    );
    cp = await startControlPlane(config, { logger: silentLogger() });
  }, 120_000);

  afterAll(async () => {
    await cp?.stop();
    member2?.close();
    host?.close();
    await sb?.close();
  }, 60_000);

  it('propagates new and edited objects after the lease came back', { timeout: 240_000 }, async () => {
    // The starting point: a leader that propagates. Its first start (every type's informers in
    // both clusters, in this process beside the sandbox) took over 30 s once at load 30.
    await until(() => cp.isLeader(), 60_000);
    await applyObjects(host, [federatedConfigMap('before-outage', 'one')], { fieldManager: 'test' });
    await until(async () => (await greetingIn(member2, 'before-outage')) === 'one', 60_000);
    await until(async () => propagationGap(await host.dynamic.getIfExists(FEDERATED_DEPLOYMENTS, 'go-app', { namespace: 'go-app' }), ['cluster-1', 'cluster-2']) === undefined, 60_000);
    expect(await healthz()).toBe(200);

    // The host API goes away for longer than the renew deadline (4 s): the leader steps down.
    const hostCluster = sb.clusters[0]!;
    await hostCluster.stop();
    await until(() => !cp.isLeader(), 20_000);
    await hostCluster.start();
    // Back: the same process wins the lease again (nobody else campaigns).
    await until(() => cp.isLeader(), 20_000 + 10 * RETRY_PERIOD_MS);

    await applyObjects(host, [federatedConfigMap('after-outage', 'two'), federatedConfigMap('before-outage', 'edited')], { fieldManager: 'test' });
    await until(async () => (await greetingIn(member2, 'after-outage')) === 'two', 30_000);
    await until(async () => (await greetingIn(member2, 'before-outage')) === 'edited', 30_000);
    await until(async () => (await healthz()) === 200, 10_000);

    // Status tells the truth again: every enabled type's controller runs.
    const ftcs = await host.dynamic.list<FederatedTypeConfig>(FEDERATED_TYPE_CONFIGS, { namespace: NS });
    for (const ftc of ftcs.items) {
      if (ftc.spec.propagation === 'Enabled') expect(ftc.status?.propagationController, ftc.metadata.name).toBe('Running');
    }
  });
});
