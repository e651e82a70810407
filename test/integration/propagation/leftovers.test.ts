// Leftovers of a timed-out deletion (issue 13 item 6): a member unreachable while its
// federated object was deleted keeps the managed object; when it is back, kfed deletes it
// (and only it), then drops the version record that remembered it, also when the leftover
// is gone by then. Both cases run on both backends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FederatedObject } from '../../../src/api/federation.js';
import { CONFIGMAPS, FED_CONFIGMAPS, inClusters, startEnv, until, type Env, federateNamespace } from '../../support/propagation.js';
import { PROPAGATED_VERSIONS } from '../../../src/api/core.js';

let env: Env;
const NS = 'leftovers';
const RECORD = 'configmap-stuck';

function fedCM(name: string, annotations?: Record<string, string>): FederatedObject {
  return {
    apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap', metadata: { name, namespace: NS, ...(annotations ? { annotations } : {}) },
    spec: { template: { data: { a: '1' } }, placement: { clusterSelector: {} } },
  };
}

beforeAll(async () => {
  // A stopped member refuses at once; the per-operation timeout only bounds the reachable
  // members' removals, which a loaded machine must not time out (they then hold deletion up).
  env = await startEnv({ deletionTimeoutMs: 1500, clusterTimeoutMs: 5000 });
  await federateNamespace(env, NS);
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe('a deletion that timed out on an unreachable member', () => {
  /** Creates `name` everywhere, then deletes it while cluster-3 is stopped; resolves once its record says cluster-3 was left behind. */
  async function leaveBehind(name: string, annotations?: Record<string, string>): Promise<void> {
    await env.host.dynamic.create(FED_CONFIGMAPS, fedCM(name, annotations));
    await until(async () => (await inClusters(env, CONFIGMAPS, NS, name))['cluster-3']);
    await until(async () => env.ctl.syncController('configmaps')!.record(`${NS}/${name}`)?.status?.clusterVersions?.length === 3);
    await env.sb.cluster('cluster-3').stop();
    env.members.setReady('cluster-3', false);
    await env.host.dynamic.delete(FED_CONFIGMAPS, name, { namespace: NS });
    // Gone once the 1.5 s deletion timeout passed; the bound is functional (a loaded machine).
    await until(async () => !(await env.host.dynamic.getIfExists(FED_CONFIGMAPS, name, { namespace: NS })), 30_000);
    const record = await until(async () => env.host.dynamic.getIfExists(PROPAGATED_VERSIONS, `configmap-${name}`, { namespace: NS }));
    expect(record.metadata.annotations?.['kfed.io/left-behind']).toBe('cluster-3');
    expect(record.metadata.ownerReferences ?? []).toEqual([]);
  }

  it('cleans the leftover up when the member returns, and only it', async () => {
    await env.host.dynamic.create(FED_CONFIGMAPS, fedCM('kept'));
    await until(async () => (await inClusters(env, CONFIGMAPS, NS, 'kept'))['cluster-3']);
    await leaveBehind('stuck');

    await env.sb.cluster('cluster-3').start();
    env.members.setReady('cluster-3', true);
    // A restarted real API server takes longer to be Ready and watched again than the embedded one.
    await until(async () => !(await env.clients['cluster-3']!.dynamic.getIfExists(CONFIGMAPS, 'stuck', { namespace: NS })), 30_000);
    await until(async () => !(await env.host.dynamic.getIfExists(PROPAGATED_VERSIONS, RECORD, { namespace: NS })), 30_000);
    expect((await inClusters(env, CONFIGMAPS, NS, 'kept'))['cluster-3']?.metadata.labels?.['kubefed.io/managed']).toBe('true');
  }, 90_000);

  it('drops the record when the leftover is already gone as the member returns', async () => {
    await leaveBehind('gone');
    // Someone else deletes the leftover before kfed sees the member again: no informer event will name it.
    await env.sb.cluster('cluster-3').start();
    await env.clients['cluster-3']!.dynamic.delete(CONFIGMAPS, 'gone', { namespace: NS });
    env.members.setReady('cluster-3', true);
    await until(async () => !(await env.host.dynamic.getIfExists(PROPAGATED_VERSIONS, 'configmap-gone', { namespace: NS })), 30_000);
  }, 90_000);

  it('only releases the leftover when the deletion was to orphan (kubefed.io/orphan)', async () => {
    await leaveBehind('orphaned', { 'kubefed.io/orphan': 'true' });
    const record = await env.host.dynamic.getIfExists(PROPAGATED_VERSIONS, 'configmap-orphaned', { namespace: NS });
    expect(record?.metadata.annotations?.['kfed.io/left-behind-orphan']).toBe('true');
    await env.sb.cluster('cluster-3').start();
    env.members.setReady('cluster-3', true);
    await until(async () => !(await env.host.dynamic.getIfExists(PROPAGATED_VERSIONS, 'configmap-orphaned', { namespace: NS })), 30_000);
    // The member keeps its object, no longer labelled managed (so nothing of kfed's deletes it later).
    const kept = await until(async () => {
      const o = await env.clients['cluster-3']!.dynamic.getIfExists(CONFIGMAPS, 'orphaned', { namespace: NS });
      return o && o.metadata.labels?.['kubefed.io/managed'] === undefined ? o : undefined;
    }, 30_000);
    expect(kept.data).toEqual({ a: '1' });
    await new Promise((r) => setTimeout(r, 3000));
    expect(await env.clients['cluster-3']!.dynamic.getIfExists(CONFIGMAPS, 'orphaned', { namespace: NS })).toBeTruthy();
    // The reachable members orphaned theirs in the deletion itself.
    expect((await inClusters(env, CONFIGMAPS, NS, 'orphaned'))['cluster-1']?.metadata.labels?.['kubefed.io/managed']).toBeUndefined();
  }, 90_000);
});
