// Sync controller behaviours on a 3-cluster sandbox: placement and override changes
// converge, a stopped cluster reports ClusterNotReady and catches up, drift is reverted,
// adoption, ManagedLabelFalse, an invalid override fails one cluster only, orphaning, and
// deletion that does not wait forever for a stopped member.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import type { FederatedObject } from '../../../src/api/federation.js';
import { CLUSTERS, CONFIGMAPS, FED_CONFIGMAPS, inClusters, settled, startEnv, until, type Env, federateNamespace } from '../../support/propagation.js';
import { formatStall, measureStalls } from '../../support/stall-meter.js';

let env: Env;
const NS = 'demo';

function fedCM(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): FederatedObject {
  return {
    apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap',
    metadata: { name, namespace: NS, ...(annotations ? { annotations } : {}) },
    spec: { template: { data: { color: 'blue' } }, placement: { clusterSelector: {} }, ...spec },
  };
}

async function fed(name: string): Promise<FederatedObject> {
  return env.host.dynamic.get<FederatedObject>(FED_CONFIGMAPS, name, { namespace: NS });
}

async function clusterStatus(name: string): Promise<Record<string, string>> {
  const f = await fed(name);
  return Object.fromEntries((f.status?.clusters ?? []).map((c) => [c.name, c.status ?? '']));
}

async function patchSpec(name: string, spec: Record<string, unknown>): Promise<void> {
  await env.host.dynamic.patch(FED_CONFIGMAPS, name, { spec }, { namespace: NS, type: 'merge' });
}

const data = (o: KubeObject | undefined): Record<string, string> | undefined => o?.['data'] as Record<string, string> | undefined;

beforeAll(async () => {
  env = await startEnv({ deletionTimeoutMs: 1500, clusterTimeoutMs: 1000, ...(process.env.KFED_DEBUG ? { logger: (await import('../../../src/observability/logger.js')).createLogger({ level: 'debug' }) } : {}) });
  await federateNamespace(env, NS);
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe('placement and overrides', () => {
  it('follows placement changes: explicit list, selector, and back', async () => {
    await env.host.dynamic.create(FED_CONFIGMAPS, fedCM('placed', { placement: { clusters: [{ name: 'cluster-1' }, { name: 'cluster-2' }] } }));
    await until(async () => {
      const m = await inClusters(env, CONFIGMAPS, NS, 'placed');
      return m['cluster-1'] && m['cluster-2'] && !m['cluster-3'];
    });
    await patchSpec('placed', { placement: { clusters: null, clusterSelector: { matchLabels: { name: 'cluster-3' } } } });
    await until(async () => {
      const m = await inClusters(env, CONFIGMAPS, NS, 'placed');
      return !m['cluster-1'] && !m['cluster-2'] && m['cluster-3'];
    });
    await patchSpec('placed', { placement: { clusters: [], clusterSelector: { matchLabels: { name: 'cluster-3' } } } });
    await until(async () => {
      const m = await inClusters(env, CONFIGMAPS, NS, 'placed');
      return CLUSTERS.every((c) => !m[c]);
    });
    // status follows the removals: on real API servers it is written a moment after they are seen
    await until(async () => (await fed('placed')).status?.aggregated?.ready === '0/0');
  });

  it('applies, edits and removes an override for one cluster', async () => {
    await env.host.dynamic.create(FED_CONFIGMAPS, fedCM('ovr', {
      overrides: [{ clusterName: 'cluster-2', clusterOverrides: [{ path: '/data/color', value: 'red' }, { op: 'add', path: '/data/extra', value: 'x' }] }],
    }));
    await until(async () => data((await inClusters(env, CONFIGMAPS, NS, 'ovr'))['cluster-2'])?.color === 'red');
    const m = await inClusters(env, CONFIGMAPS, NS, 'ovr');
    expect(data(m['cluster-1'])).toEqual({ color: 'blue' });
    expect(data(m['cluster-2'])).toEqual({ color: 'red', extra: 'x' });
    await patchSpec('ovr', { overrides: [{ clusterName: 'cluster-2', clusterOverrides: [{ path: '/data/color', value: 'green' }] }] });
    await until(async () => {
      const d = data((await inClusters(env, CONFIGMAPS, NS, 'ovr'))['cluster-2']);
      return d?.color === 'green' && d.extra === undefined;
    });
    await patchSpec('ovr', { overrides: null });
    await until(async () => data((await inClusters(env, CONFIGMAPS, NS, 'ovr'))['cluster-2'])?.color === 'blue');
  });

  it('fails only the cluster whose override is invalid', async () => {
    await env.host.dynamic.create(FED_CONFIGMAPS, fedCM('badovr', {
      overrides: [{ clusterName: 'cluster-3', clusterOverrides: [{ path: '/metadata/name', value: 'other' }] }],
    }));
    const st = await until(async () => {
      const s = await clusterStatus('badovr');
      return s['cluster-3'] === 'ApplyOverridesFailed' ? s : undefined;
    });
    expect(st).toEqual({ 'cluster-1': '', 'cluster-2': '', 'cluster-3': 'ApplyOverridesFailed' });
    const m = await inClusters(env, CONFIGMAPS, NS, 'badovr');
    expect(m['cluster-1']).toBeDefined();
    expect(m['cluster-3']).toBeUndefined();
    const f = await fed('badovr');
    expect(f.status?.conditions?.[0]).toMatchObject({ type: 'Propagation', status: 'False', reason: 'CheckClusters' });
    expect(f.status?.clusters?.find((c) => c.name === 'cluster-3')?.message).toMatch(/may not be overridden/);
  });
});

describe('member-side changes', () => {
  it('reverts drift made directly in a member within seconds', async () => {
    await env.host.dynamic.create(FED_CONFIGMAPS, fedCM('drift', {}));
    await until(async () => (await inClusters(env, CONFIGMAPS, NS, 'drift'))['cluster-2']);
    await settled(env, 300);
    // Within 3 s of the time this process could run (the sandbox and the controllers run in
    // it; stalls of a loaded machine excluded, stall-meter.ts), within 10 s of wall time; the
    // figures are `npm run bench -- drift`'s.
    const took = await measureStalls(async () => {
      await env.clients['cluster-2']!.dynamic.patch(CONFIGMAPS, 'drift', { data: { color: 'hacked' } }, { namespace: NS, type: 'merge' });
      await until(async () => data((await inClusters(env, CONFIGMAPS, NS, 'drift'))['cluster-2'])?.color === 'blue', 10_000);
    });
    expect(took.activeMs, formatStall(took)).toBeLessThan(3000);
  });

  it('adopts a pre-existing object (adoptResources Enabled) and leaves managed=false alone', async () => {
    await env.clients['cluster-2']!.dynamic.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'adopt', namespace: NS }, data: { color: 'old', mine: 'kept' } } as KubeObject);
    await env.clients['cluster-3']!.dynamic.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'adopt', namespace: NS, labels: { 'kubefed.io/managed': 'false' } }, data: { color: 'fenced' } } as KubeObject);
    await env.host.dynamic.create(FED_CONFIGMAPS, fedCM('adopt', {}));
    const st = await until(async () => {
      const s = await clusterStatus('adopt');
      return s['cluster-3'] === 'ManagedLabelFalse' && s['cluster-2'] === '' ? s : undefined;
    });
    expect(st['cluster-1']).toBe('');
    const m = await inClusters(env, CONFIGMAPS, NS, 'adopt');
    expect(m['cluster-2']?.metadata.labels?.['kubefed.io/managed']).toBe('true');
    expect(data(m['cluster-2'])?.color).toBe('blue');
    expect(data(m['cluster-3'])).toEqual({ color: 'fenced' });
  });

  it('reports AlreadyExists without adoption', async () => {
    await env.restart({ adoptResources: false, deletionTimeoutMs: 1500, clusterTimeoutMs: 1000 });
    await env.clients['cluster-1']!.dynamic.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'noadopt', namespace: NS }, data: { color: 'theirs' } } as KubeObject);
    await env.host.dynamic.create(FED_CONFIGMAPS, fedCM('noadopt', {}));
    await until(async () => (await clusterStatus('noadopt'))['cluster-1'] === 'AlreadyExists');
    expect(data((await inClusters(env, CONFIGMAPS, NS, 'noadopt'))['cluster-1'])).toEqual({ color: 'theirs' });
    await settled(env, 500);
    const before = env.writes();
    env.ctl.syncController('configmaps')!.enqueueAll();
    await new Promise((r) => setTimeout(r, 500));
    expect(env.writes()).toBe(before);
    await env.restart({ deletionTimeoutMs: 1500, clusterTimeoutMs: 1000 });
  });
});

describe('clusters going away and deletion', () => {
  it('reports ClusterNotReady for a stopped cluster and catches up when it returns', async () => {
    await env.host.dynamic.create(FED_CONFIGMAPS, fedCM('outage', {}));
    await until(async () => (await inClusters(env, CONFIGMAPS, NS, 'outage'))['cluster-3']);
    await env.sb.cluster('cluster-3').stop();
    env.members.setReady('cluster-3', false);
    await patchSpec('outage', { template: { data: { color: 'v2' } } });
    await until(async () => (await clusterStatus('outage'))['cluster-3'] === 'ClusterNotReady');
    await until(async () => data(await env.clients['cluster-2']!.dynamic.get(CONFIGMAPS, 'outage', { namespace: NS }))?.color === 'v2');
    expect((await fed('outage')).status?.conditions?.[0]).toMatchObject({ status: 'False', reason: 'CheckClusters' });
    await env.sb.cluster('cluster-3').start();
    env.members.setReady('cluster-3', true);
    await until(async () => data((await inClusters(env, CONFIGMAPS, NS, 'outage'))['cluster-3'])?.color === 'v2');
    await until(async () => (await fed('outage')).status?.conditions?.[0]?.status === 'True');
  });

  it('deletes member objects behind the finalizer', async () => {
    await env.host.dynamic.create(FED_CONFIGMAPS, fedCM('gone', {}));
    await until(async () => (await inClusters(env, CONFIGMAPS, NS, 'gone'))['cluster-3']);
    await until(async () => (await fed('gone')).metadata.finalizers?.includes('kubefed.io/sync-controller'));
    await env.host.dynamic.delete(FED_CONFIGMAPS, 'gone', { namespace: NS });
    await until(async () => {
      const m = await inClusters(env, CONFIGMAPS, NS, 'gone');
      return CLUSTERS.every((c) => !m[c]);
    });
    await until(async () => !(await env.host.dynamic.getIfExists(FED_CONFIGMAPS, 'gone', { namespace: NS })));
  });

  it('orphans member objects (label stripped) with kubefed.io/orphan', async () => {
    await env.host.dynamic.create(FED_CONFIGMAPS, fedCM('orphan', {}, { 'kubefed.io/orphan': 'true' }));
    await until(async () => (await inClusters(env, CONFIGMAPS, NS, 'orphan'))['cluster-3']);
    await until(async () => (await fed('orphan')).metadata.finalizers?.includes('kubefed.io/sync-controller'));
    await env.host.dynamic.delete(FED_CONFIGMAPS, 'orphan', { namespace: NS });
    await until(async () => !(await env.host.dynamic.getIfExists(FED_CONFIGMAPS, 'orphan', { namespace: NS })));
    const m = await inClusters(env, CONFIGMAPS, NS, 'orphan');
    for (const c of CLUSTERS) {
      expect(data(m[c])).toEqual({ color: 'blue' });
      expect(m[c]?.metadata.labels?.['kubefed.io/managed']).toBeUndefined();
    }
  });

  it('does not wait forever for a stopped member when deleting', async () => {
    await env.host.dynamic.create(FED_CONFIGMAPS, fedCM('stuck', {}));
    await until(async () => (await inClusters(env, CONFIGMAPS, NS, 'stuck'))['cluster-3']);
    await until(async () => (await env.ctl.syncController('configmaps')!.record(`${NS}/stuck`))?.status?.clusterVersions?.length === 3);
    await env.sb.cluster('cluster-3').stop();
    env.members.setReady('cluster-3', false);
    await env.host.dynamic.delete(FED_CONFIGMAPS, 'stuck', { namespace: NS });
    const blocked = await until(async () => {
      const f = await env.host.dynamic.getIfExists<FederatedObject>(FED_CONFIGMAPS, 'stuck', { namespace: NS });
      const c = f?.status?.conditions?.[0];
      return c?.reason === 'DeletionBlocked' && /unreachable clusters cluster-3/.test(c.message ?? '') ? f : undefined;
    });
    expect(blocked.status?.clusters).toEqual([{ name: 'cluster-3', status: 'ClusterNotReady', message: 'unreachable while the federated object is deleted' }]);
    // Gone once the 1.5 s deletion timeout passed; the bound is functional (a loaded machine).
    await until(async () => !(await env.host.dynamic.getIfExists(FED_CONFIGMAPS, 'stuck', { namespace: NS })), 30_000);
    for (const c of ['cluster-1', 'cluster-2']) expect(await env.clients[c]!.dynamic.getIfExists(CONFIGMAPS, 'stuck', { namespace: NS })).toBeUndefined();
    const events = await env.host.dynamic.list({ group: '', version: 'v1', resource: 'events', namespaced: true }, { namespace: NS });
    expect(events.items.some((e) => (e as any).reason === 'DeletionTimedOut' && (e as any).involvedObject?.name === 'stuck')).toBe(true);
    await env.sb.cluster('cluster-3').start();
    env.members.setReady('cluster-3', true);
  }, 60_000);
});
