// Additive drift (issue 17 item 1): fields nobody asked for, added in a member by another
// field manager, are removed (hostNetwork, an injected env var, an extra ConfigMap key),
// while labels and annotations others add stay, and so do fields system controllers own;
// each correction is an Event naming the fields; `kfed.io/drift: ignore-foreign` keeps
// today's behaviour for one object.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FederatedObject } from '../../../src/api/federation.js';
import type { KubeObject } from '../../../src/api/meta.js';
import { CONFIGMAPS, DEPLOYMENTS, FED_CONFIGMAPS, FED_DEPLOYMENTS, federateNamespace, startEnv, until, type Env } from '../../support/propagation.js';

let env: Env;
const NS = 'drift';
const EVENTS = { group: '', version: 'v1', resource: 'events', namespaced: true, kind: 'Event' } as const;

beforeAll(async () => {
  env = await startEnv();
  await federateNamespace(env, NS);
}, 60_000);

afterAll(async () => {
  await env?.close();
});

const member = (ref: typeof CONFIGMAPS, name: string): Promise<KubeObject | undefined> => env.clients['cluster-2']!.dynamic.getIfExists(ref, name, { namespace: NS });

async function events(name: string): Promise<string[]> {
  const list = await env.host.dynamic.list<KubeObject & { reason?: string; message?: string; involvedObject?: { name?: string } }>(EVENTS, { namespace: NS });
  return list.items.filter((e) => e.reason === 'DriftCorrected' && e.involvedObject?.name === name).map((e) => e.message ?? '');
}

describe('additive drift', () => {
  it('removes fields another manager added to a Deployment and names them in an Event; keeps their labels', async () => {
    const fed: FederatedObject = {
      apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment', metadata: { name: 'web', namespace: NS },
      spec: {
        placement: { clusters: [{ name: 'cluster-2' }] },
        template: { spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', env: [{ name: 'MODE', value: 'prod' }] }] } } } },
      },
    };
    await env.host.dynamic.create(FED_DEPLOYMENTS, fed);
    await until(() => member(DEPLOYMENTS, 'web'));
    // Someone edits the member by hand (kubectl's field manager): hostNetwork, a second env var, a label.
    await env.clients['cluster-2']!.dynamic.patch(DEPLOYMENTS, 'web', {
      metadata: { labels: { team: 'sre' } },
      spec: { template: { spec: { hostNetwork: true, containers: [{ name: 'web', env: [{ name: 'INJECTED', value: 'x' }] }] } } },
    }, { namespace: NS, type: 'strategic', fieldManager: 'kubectl-edit' });
    const fixed = await until(async () => {
      const d = await member(DEPLOYMENTS, 'web');
      const pod = (d?.spec as { template: { spec: { hostNetwork?: boolean; containers: { env?: { name: string }[] }[] } } }).template.spec;
      return pod.hostNetwork === undefined && pod.containers[0]?.env?.length === 1 ? d : undefined;
    }, 15_000, 100);
    const pod = (fixed.spec as { template: { spec: { containers: { env?: { name: string }[] }[] } } }).template.spec;
    expect(pod.containers[0]?.env?.map((e) => e.name)).toEqual(['MODE']);
    expect(fixed.metadata.labels?.team).toBe('sre');
    const msgs = await until(async () => {
      const m = await events('web');
      return m.length > 0 ? m : undefined;
    }, 10_000, 100);
    expect(msgs[0]).toContain('cluster-2');
    expect(msgs[0]).toContain('spec.template.spec.hostNetwork');
    expect(msgs[0]).toContain('spec.template.spec.containers[name=web].env[name=INJECTED]');
  });

  it('removes an extra ConfigMap key, unless the object says kfed.io/drift: ignore-foreign', async () => {
    const cm = (name: string, annotations?: Record<string, string>): FederatedObject => ({
      apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap', metadata: { name, namespace: NS, ...(annotations ? { annotations } : {}) },
      spec: { placement: { clusters: [{ name: 'cluster-2' }] }, template: { data: { color: 'blue' } } },
    });
    await env.host.dynamic.create(FED_CONFIGMAPS, cm('strict'));
    await env.host.dynamic.create(FED_CONFIGMAPS, cm('lenient', { 'kfed.io/drift': 'ignore-foreign' }));
    await until(async () => (await member(CONFIGMAPS, 'strict')) && (await member(CONFIGMAPS, 'lenient')));
    for (const name of ['strict', 'lenient']) {
      await env.clients['cluster-2']!.dynamic.patch(CONFIGMAPS, name, { data: { extra: 'added' } }, { namespace: NS, type: 'merge', fieldManager: 'kubectl-patch' });
    }
    await until(async () => ((await member(CONFIGMAPS, 'strict'))?.['data'] as Record<string, string>)?.['extra'] === undefined, 15_000, 100);
    // The lenient one keeps it, also after the strict one was corrected and both were reconciled again.
    await env.host.dynamic.patch(FED_CONFIGMAPS, 'lenient', { metadata: { labels: { touched: 'yes' } } }, { namespace: NS, type: 'merge' });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await member(CONFIGMAPS, 'lenient'))?.['data']).toEqual({ color: 'blue', extra: 'added' });
    expect((await member(CONFIGMAPS, 'strict'))?.['data']).toEqual({ color: 'blue' });
  });
});
