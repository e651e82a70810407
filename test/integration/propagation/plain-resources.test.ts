// Plain resources placed by policies (issue 17 item 4, Karmada-style) on the 3-cluster
// sandbox: with the plain-resource controller off nothing happens to a plain Deployment a
// PropagationPolicy selects; on, kfed generates its FederatedDeployment (owner, label, no
// placement), the policy places it in the selected members, an edit follows, a
// FederatedDeployment a user wrote is never taken over (policy status conflict + Event),
// and deleting the Deployment removes it from the members.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FederatedObject, PolicyStatus, PropagationPolicy } from '../../../src/api/federation.js';
import { PROPAGATION_POLICIES } from '../../../src/api/federation.js';
import { EVENTS } from '../../../src/api/kubernetes.js';
import type { KubeObject } from '../../../src/api/meta.js';
import { createEventRecorder } from '../../../src/clusters/events.js';
import { InformerFactory } from '../../../src/kube/informer-factory.js';
import { PlainConflicts } from '../../../src/propagation/plain/plain-conflicts.js';
import { GENERATED_FROM_LABEL } from '../../../src/propagation/plain/plain-federated.js';
import { PlainResourceController } from '../../../src/propagation/plain/plain-resource-controller.js';
import { PolicyStatusController } from '../../../src/propagation/policy/policy-status-controller.js';
import { DEPLOYMENTS, FED_DEPLOYMENTS, KUBEFED_NS, federateNamespace, inClusters, settled, startEnv, until, type Env } from '../../support/propagation.js';

const NS = 'plain';
let env: Env;
const stop = new AbortController();
const running: Promise<void>[] = [];
const conflicts = new PlainConflicts();

beforeAll(async () => {
  env = await startEnv();
  await federateNamespace(env, NS);
  const factory = new InformerFactory({});
  const status = new PolicyStatusController({
    host: env.host, informers: factory.scope(), kubefedNamespace: KUBEFED_NS, minIntervalMs: 200, conflicts,
    events: createEventRecorder({ client: env.host.dynamic, component: 'policy-status-controller' }),
  });
  running.push(status.start(stop.signal));
}, 60_000);

afterAll(async () => {
  stop.abort();
  await Promise.all(running);
  await env?.close();
});

const deployment = (name: string, image: string): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: NS, labels: { app: 'web' } },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } } },
} as KubeObject);

const image = (o: KubeObject | undefined): string | undefined => (o?.['spec'] as { template: { spec: { containers: { image: string }[] } } } | undefined)?.template.spec.containers[0]?.image;

async function images(name: string): Promise<Record<string, string | undefined>> {
  const m = await inClusters(env, DEPLOYMENTS, NS, name);
  return Object.fromEntries(Object.entries(m).map(([c, o]) => [c, image(o)]));
}

describe('plain resources placed by policies', () => {
  it('off: nothing; on: generated, placed, updated, never taking over a user\'s object, removed with the Deployment', async () => {
    await env.host.dynamic.create(PROPAGATION_POLICIES, {
      apiVersion: 'policy.kfed.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'web', namespace: NS },
      spec: { resourceSelectors: [{ kind: 'Deployment', labelSelector: { matchLabels: { app: 'web' } } }], placement: { clusters: [{ name: 'cluster-2' }, { name: 'cluster-3' }] } },
    } as PropagationPolicy);
    const created = await env.host.dynamic.create(DEPLOYMENTS, deployment('web', 'nginx:1.27'));

    // Off (no plain-resource controller): the sync controllers run, nothing is federated.
    await settled(env, 1500);
    expect(await env.host.dynamic.getIfExists(FED_DEPLOYMENTS, 'web', { namespace: NS })).toBeUndefined();
    expect(await images('web')).toEqual({ 'cluster-1': 'nginx:1.27', 'cluster-2': undefined, 'cluster-3': undefined });

    // On.
    const plain = new PlainResourceController({
      host: env.host, informers: new InformerFactory({}).scope(), kubefedNamespace: KUBEFED_NS, conflicts,
      events: createEventRecorder({ client: env.host.dynamic, component: 'plain-resource-controller' }),
    });
    running.push(plain.start(stop.signal));
    await until(async () => {
      const m = await images('web');
      return m['cluster-2'] === 'nginx:1.27' && m['cluster-3'] === 'nginx:1.27';
    }, 30_000);
    const fed = await env.host.dynamic.get<FederatedObject>(FED_DEPLOYMENTS, 'web', { namespace: NS });
    expect(fed.metadata.labels).toEqual({ app: 'web', [GENERATED_FROM_LABEL]: 'plain' });
    expect(fed.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: created.metadata.uid }]);
    expect(fed.spec.placement).toBeUndefined();
    expect(fed.spec.template?.['metadata']).toEqual({ labels: { app: 'web' } });

    // The template follows the plain object.
    await env.host.dynamic.patch(DEPLOYMENTS, 'web', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } }, { namespace: NS, type: 'strategic' });
    await until(async () => {
      const m = await images('web');
      return m['cluster-2'] === 'nginx:1.28' && m['cluster-3'] === 'nginx:1.28';
    }, 30_000);

    // A second controller starting cold (every object looked at again) writes nothing.
    const writes: string[] = [];
    const dynamic = new Proxy(env.host.dynamic, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          if (['create', 'update', 'patch', 'apply', 'delete'].includes(String(prop))) writes.push(String(prop));
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const again = new AbortController();
    const second = new PlainResourceController({ host: { ...env.host, dynamic }, informers: new InformerFactory({}).scope(), kubefedNamespace: KUBEFED_NS, conflicts: new PlainConflicts() });
    const secondRun = second.start(again.signal);
    await until(() => second.liveness() === true, 10_000);
    await new Promise((r) => setTimeout(r, 1500));
    again.abort();
    await secondRun;
    expect(writes).toEqual([]);

    // A FederatedDeployment someone wrote is not taken over: a conflict in the policy status and an Event.
    const userTemplate = { spec: { ...(deployment('mine', 'nginx:1.26')['spec'] as object), replicas: 0 } };
    await env.host.dynamic.create(FED_DEPLOYMENTS, { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment', metadata: { name: 'mine', namespace: NS }, spec: { template: userTemplate, placement: { clusters: [] } } } as FederatedObject);
    await env.host.dynamic.create(DEPLOYMENTS, deployment('mine', 'nginx:1.27'));
    const line = `Deployment ${NS}/mine: FederatedDeployment ${NS}/mine exists and was not generated from it (no ${GENERATED_FROM_LABEL} label); kfed does not take it over`;
    const status = await until(async () => {
      const s = (await env.host.dynamic.get<PropagationPolicy & { status?: PolicyStatus }>(PROPAGATION_POLICIES, 'web', { namespace: NS })).status;
      return s?.conflicts?.includes(line) ? s : undefined;
    }, 30_000);
    expect(status.conditions?.[0]).toMatchObject({ status: 'False', reason: 'Conflict' });
    await until(async () => {
      const list = (await env.host.dynamic.list(EVENTS, { namespace: NS })).items as (KubeObject & { reason?: string; message?: string; involvedObject?: { name?: string } })[];
      return list.some((e) => e.involvedObject?.name === 'web' && e.reason === 'PlainResourceConflict' && e.message === line);
    }, 30_000);
    const mine = await env.host.dynamic.get<FederatedObject>(FED_DEPLOYMENTS, 'mine', { namespace: NS });
    expect(mine.metadata.labels?.[GENERATED_FROM_LABEL]).toBeUndefined();
    expect(mine.spec.template).toEqual(userTemplate);
    // Deleting the user's object ends the conflict: the plain one is federated then.
    await env.host.dynamic.delete(FED_DEPLOYMENTS, 'mine', { namespace: NS });
    await until(async () => (await env.host.dynamic.getIfExists<FederatedObject>(FED_DEPLOYMENTS, 'mine', { namespace: NS }))?.metadata.labels?.[GENERATED_FROM_LABEL] === 'plain', 30_000);
    await until(async () => !(await env.host.dynamic.get<PropagationPolicy & { status?: PolicyStatus }>(PROPAGATION_POLICIES, 'web', { namespace: NS })).status?.conflicts?.includes(line), 30_000);

    // Deleting the plain Deployment removes the generated object and the member copies.
    await env.host.dynamic.delete(DEPLOYMENTS, 'web', { namespace: NS });
    await until(async () => {
      const m = await images('web');
      return m['cluster-2'] === undefined && m['cluster-3'] === undefined;
    }, 30_000);
    await until(async () => (await env.host.dynamic.getIfExists(FED_DEPLOYMENTS, 'web', { namespace: NS })) === undefined, 30_000);

    // A policy that stops selecting: the generated object goes too.
    await until(async () => (await images('mine'))['cluster-3'] === 'nginx:1.27', 30_000);
    await env.host.dynamic.patch(DEPLOYMENTS, 'mine', { metadata: { labels: { app: 'other' } } }, { namespace: NS, type: 'merge' });
    await until(async () => (await env.host.dynamic.getIfExists(FED_DEPLOYMENTS, 'mine', { namespace: NS })) === undefined, 30_000);
    await until(async () => (await images('mine'))['cluster-3'] === undefined, 30_000);
    expect((await images('mine'))['cluster-1']).toBe('nginx:1.27');
  }, 180_000);
});
