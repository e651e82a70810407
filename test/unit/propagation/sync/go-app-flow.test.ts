// The pure modules composed the way the sync controller uses them, on the Kubefed demo
// (go-app): placement -> overrides -> desired -> per-cluster action -> version record ->
// status. A fake "member API server" applies writes (adds defaults, bumps versions).
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../src/api/meta.js';
import type { FederatedObject, PropagationStatusReason } from '../../../../src/api/federation.js';
import type { PropagatedVersionStatus } from '../../../../src/api/core.js';
import { computePlacement, type ClusterInfo } from '../../../../src/propagation/policy/placement.js';
import { overridesForCluster } from '../../../../src/propagation/policy/overrides.js';
import { baseObject, desiredObject } from '../../../../src/propagation/sync/desired.js';
import { placedClusterAction, removalAction } from '../../../../src/propagation/sync/cluster-action.js';
import { clusterOverridesVersion, nextVersionRecord, objectVersion, overridesVersion, templateVersion, type DesiredHashes } from '../../../../src/propagation/sync/version.js';
import { aggregateStatus, buildFederatedStatus, type ClusterOutcome } from '../../../../src/propagation/sync/status.js';

const target = { group: 'apps', version: 'v1', kind: 'Deployment', namespaced: true };

const goApp = (): FederatedObject => ({
  apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment', metadata: { name: 'go-app', namespace: 'go-app', generation: 1, uid: 'fd' },
  spec: {
    template: {
      metadata: { labels: { app: 'go-app' } },
      spec: {
        replicas: 2, selector: { matchLabels: { app: 'go-app' } },
        template: { metadata: { labels: { app: 'go-app' } }, spec: { containers: [{ name: 'go-app', image: 'example.org/go-app:1.0', ports: [{ containerPort: 8080 }] }] } },
      },
    },
    placement: { clusterSelector: {} },
    overrides: [{
      clusterName: 'cluster-2',
      clusterOverrides: [
        { path: '/spec/replicas', value: 4 },
        { path: '/spec/template/spec/containers/0/image', value: 'example.org/go-app:1.1' },
        { op: 'add', path: '/metadata/labels/canary', value: 'true' },
      ],
    }],
  },
});

/** A member API server: stores objects, adds defaults, bumps resourceVersion and generation. */
class FakeMember {
  objects = new Map<string, KubeObject>();
  writes = 0;
  private rv = 100;
  write(obj: KubeObject): KubeObject {
    this.writes++;
    const prev = this.objects.get(obj.metadata.name!);
    const spec = structuredClone(obj.spec) as Record<string, unknown>;
    spec.strategy ??= { type: 'RollingUpdate' };
    const specChanged = JSON.stringify(obj.spec) !== JSON.stringify(prev?.spec);
    const stored: KubeObject = {
      ...structuredClone(obj), spec,
      metadata: { ...structuredClone(obj.metadata), uid: prev?.metadata.uid ?? 'm', resourceVersion: String(++this.rv), generation: (prev?.metadata.generation ?? 0) + (prev && !specChanged ? 0 : 1) },
      status: { replicas: spec.replicas, readyReplicas: spec.replicas, availableReplicas: spec.replicas, updatedReplicas: spec.replicas, observedGeneration: 1 },
    };
    this.objects.set(obj.metadata.name!, stored);
    return stored;
  }
}

interface World {
  clusters: ClusterInfo[];
  members: Record<string, FakeMember>;
  record: PropagatedVersionStatus | undefined;
}

function reconcile(fed: FederatedObject, world: World): { outcomes: ClusterOutcome[]; writes: number; status: ReturnType<typeof buildFederatedStatus> } {
  const before = Object.values(world.members).reduce((s, m) => s + m.writes, 0);
  const placement = computePlacement({ placement: fed.spec.placement, namespacePlacement: { clusterSelector: {} }, clusters: world.clusters, namespaced: true });
  if (!placement.ok) throw new Error(placement.message);
  const base = baseObject(fed, target).object;
  const opsByCluster = new Map(world.clusters.map((c) => [c.name, overridesForCluster(fed, c, 'Deployment')]));
  const hashes: DesiredHashes = {
    templateVersion: templateVersion(fed), overridesVersion: overridesVersion(fed),
    clusterOverrides: Object.fromEntries([...opsByCluster].map(([n, o]) => [n, clusterOverridesVersion(o.ok ? o.value : [])])),
  };
  const outcomes: ClusterOutcome[] = placement.notReady.map((name) => ({ name, status: 'ClusterNotReady' as PropagationStatusReason }));
  const written: Record<string, string> = {};
  for (const name of placement.ready) {
    const ops = opsByCluster.get(name)!;
    const desired = ops.ok ? desiredObject(base, ops.value) : ops;
    const member = world.members[name]!;
    const action = placedClusterAction({ clusterName: name, desired, observed: member.objects.get('go-app'), record: world.record, hashes, adoptResources: true, retain: {} });
    if (action.action === 'create' || action.action === 'update') written[name] = objectVersion(member.write(action.object));
    if (action.action === 'record') written[name] = action.version;
    outcomes.push({ name, status: action.action === 'skip' ? action.status : '' });
  }
  for (const name of placement.unplaced) {
    const member = world.members[name]!;
    const action = removalAction({ observed: member.objects.get('go-app'), orphan: false });
    if (action.action === 'delete') member.objects.delete('go-app');
  }
  // The fake members delete at once: every unplaced Ready cluster is clean now.
  world.record = nextVersionRecord(world.record, hashes, placement.placed, written, { cleared: placement.unplaced });
  const members = new Map(placement.placed.map((n) => [n, world.members[n]?.objects.get('go-app')]));
  const aggregated = aggregateStatus(placement.placed, new Map(outcomes.map((o) => [o.name, o.status])), members, true);
  const status = buildFederatedStatus({ previous: fed.status, generation: fed.metadata.generation ?? 0, reason: '', clusters: outcomes, collectRemoteStatus: false, aggregated, now: '2026-01-01T00:00:00Z' });
  const after = Object.values(world.members).reduce((s, m) => s + m.writes, 0);
  return { outcomes, writes: after - before, status };
}

describe('go-app through the pure propagation core', () => {
  const world = (): World => ({
    clusters: [
      { name: 'cluster-1', labels: {}, ready: true },
      { name: 'cluster-2', labels: {}, ready: true },
      { name: 'cluster-3', labels: {}, ready: false },
    ],
    members: { 'cluster-1': new FakeMember(), 'cluster-2': new FakeMember(), 'cluster-3': new FakeMember() },
    record: undefined,
  });

  it('creates in ready clusters with the overrides, reports the stopped one, then makes zero writes', () => {
    const w = world();
    const fed = goApp();
    const first = reconcile(fed, w);
    expect(first.writes).toBe(2);
    const c2 = w.members['cluster-2']!.objects.get('go-app')!;
    expect(c2.metadata.labels).toEqual({ app: 'go-app', canary: 'true', 'kubefed.io/managed': 'true' });
    expect((c2.spec as any).replicas).toBe(4);
    expect((c2.spec as any).template.spec.containers[0].image).toBe('example.org/go-app:1.1');
    expect((w.members['cluster-1']!.objects.get('go-app')!.spec as any).replicas).toBe(2);
    expect(first.status.clusters).toEqual([{ name: 'cluster-1' }, { name: 'cluster-2' }, { name: 'cluster-3', status: 'ClusterNotReady' }]);
    expect(first.status.conditions?.[0]).toMatchObject({ status: 'False', reason: 'CheckClusters' });
    expect(first.status.aggregated).toMatchObject({ ready: '2/3', replicas: 6 });

    // A second reconcile, and a "restart" (record reloaded from JSON), write nothing.
    fed.status = first.status;
    expect(reconcile(fed, w).writes).toBe(0);
    w.record = JSON.parse(JSON.stringify(w.record));
    expect(reconcile(fed, w).writes).toBe(0);
  });

  it('an override edit for cluster-2 rewrites only cluster-2; drift in cluster-1 is reverted', () => {
    const w = world();
    const fed = goApp();
    reconcile(fed, w);
    fed.spec.overrides![0]!.clusterOverrides![0]!.value = 5;
    expect(reconcile(fed, w).writes).toBe(1);
    expect((w.members['cluster-2']!.objects.get('go-app')!.spec as any).replicas).toBe(5);

    const live = w.members['cluster-1']!.objects.get('go-app')!;
    (live.spec as any).template.spec.containers[0].image = 'evil:1';
    live.metadata.generation = (live.metadata.generation ?? 0) + 1;
    expect(reconcile(fed, w).writes).toBe(1);
    expect((w.members['cluster-1']!.objects.get('go-app')!.spec as any).template.spec.containers[0].image).toBe('example.org/go-app:1.0');
    expect(reconcile(fed, w).writes).toBe(0);
  });

  it('a cluster that returns catches up; leaving the placement deletes', () => {
    const w = world();
    const fed = goApp();
    reconcile(fed, w);
    w.clusters[2]!.ready = true;
    const back = reconcile(fed, w);
    expect(back.writes).toBe(1);
    expect(back.status.conditions?.[0]).toMatchObject({ status: 'True' });
    fed.spec.placement = { clusters: [{ name: 'cluster-1' }] };
    reconcile(fed, w);
    expect(w.members['cluster-2']!.objects.has('go-app')).toBe(false);
    expect(w.members['cluster-3']!.objects.has('go-app')).toBe(false);
    expect(w.record?.clusterVersions?.map((v) => v.clusterName)).toEqual(['cluster-1']);
  });

  it('a bad override fails only its cluster', () => {
    const w = world();
    const fed = goApp();
    fed.spec.overrides![0]!.clusterOverrides!.push({ path: '/spec/paused', value: true });
    const r = reconcile(fed, w);
    expect(r.outcomes.find((o) => o.name === 'cluster-2')?.status).toBe('ApplyOverridesFailed');
    expect(w.members['cluster-1']!.objects.has('go-app')).toBe(true);
    expect(w.members['cluster-2']!.objects.has('go-app')).toBe(false);
  });
});
