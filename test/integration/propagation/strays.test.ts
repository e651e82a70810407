// Managed member objects no federated object accounts for (strays; found by the fault
// soak as orphans): a write that reached a member after its federated object's deletion
// had found the member clean, or one made by a controller that was killed before it
// recorded it. kfed deletes them, and only them: not unlabelled objects, not objects
// labelled kubefed.io/managed=false, not the member objects of live federated objects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FederatedObject } from '../../../src/api/federation.js';
import type { KubeObject } from '../../../src/api/meta.js';
import { CONFIGMAPS, FED_CONFIGMAPS, federateNamespace, inClusters, startEnv, until, type Env } from '../../support/propagation.js';

let env: Env;
const NS = 'strays';

function fedCM(name: string): FederatedObject {
  return { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap', metadata: { name, namespace: NS }, spec: { template: { data: { a: '1' } }, placement: { clusters: [{ name: 'cluster-2' }] } } };
}

function memberCM(name: string, labels: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels }, data: { a: '1' } } as KubeObject;
}

const inC2 = async (name: string): Promise<KubeObject | undefined> => (await inClusters(env, CONFIGMAPS, NS, name))['cluster-2'];

beforeAll(async () => {
  env = await startEnv({ clusterTimeoutMs: 1000 });
  await federateNamespace(env, NS);
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe('managed member objects no federated object accounts for', () => {
  it('are deleted when they appear; unlabelled, managed=false and accounted-for objects stay', async () => {
    await env.host.dynamic.create(FED_CONFIGMAPS, fedCM('kept'));
    await until(async () => (await inC2('kept'))?.metadata.labels?.['kubefed.io/managed'] === 'true');
    const c2 = env.clients['cluster-2']!;
    // As a write that landed late would leave it: labelled managed, no FederatedConfigMap.
    await c2.dynamic.create(CONFIGMAPS, memberCM('landed-late', { 'kubefed.io/managed': 'true' }));
    const foreign = await c2.dynamic.create(CONFIGMAPS, memberCM('foreign', { app: 'x' }));
    const fenced = await c2.dynamic.create(CONFIGMAPS, memberCM('fenced', { 'kubefed.io/managed': 'false' }));
    await until(async () => !(await inC2('landed-late')), 10_000);
    expect((await inC2('foreign'))?.metadata.resourceVersion).toBe(foreign.metadata.resourceVersion);
    expect((await inC2('fenced'))?.metadata.resourceVersion).toBe(fenced.metadata.resourceVersion);
    expect((await inC2('kept'))?.metadata.labels?.['kubefed.io/managed']).toBe('true');
  }, 30_000);

  it('are found by a restarted controller (written, then the controller died before it could delete them)', async () => {
    await env.host.dynamic.create(FED_CONFIGMAPS, fedCM('killed'));
    await until(async () => (await inC2('killed'))?.metadata.labels?.['kubefed.io/managed'] === 'true');
    await env.stopController();
    // The federated object goes while no controller runs (its finalizer removed by hand):
    // nothing on the host says kfed wrote to cluster-2 any more.
    await env.host.dynamic.delete(FED_CONFIGMAPS, 'killed', { namespace: NS });
    await env.host.dynamic.patch(FED_CONFIGMAPS, 'killed', { metadata: { finalizers: null } }, { namespace: NS, type: 'merge' });
    await until(async () => !(await env.host.dynamic.getIfExists(FED_CONFIGMAPS, 'killed', { namespace: NS })));
    expect(await inC2('killed')).toBeDefined();
    await env.restart();
    await until(async () => !(await inC2('killed')), 15_000);
    expect((await inC2('kept'))?.metadata.labels?.['kubefed.io/managed']).toBe('true');
  }, 40_000);
});
