// Policy status on the 3-cluster sandbox (issue 17 item 4): the policy status controller
// writes what each policy matched, conflicts at equal priority naming both policies, a
// selector kind that names no enabled type, and override failures the sync controller
// reported naming the policy; Warning Events on the policies for the problems.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OverridePolicy, PolicyStatus, PropagationPolicy } from '../../../src/api/federation.js';
import { OVERRIDE_POLICIES, PROPAGATION_POLICIES } from '../../../src/api/federation.js';
import { EVENTS } from '../../../src/api/kubernetes.js';
import type { KubeObject } from '../../../src/api/meta.js';
import { createEventRecorder } from '../../../src/clusters/events.js';
import { InformerFactory } from '../../../src/kube/informer-factory.js';
import { PolicyStatusController } from '../../../src/propagation/policy/policy-status-controller.js';
import { FED_CONFIGMAPS, KUBEFED_NS, federateNamespace, startEnv, until, type Env } from '../../support/propagation.js';

const NS = 'polstat';
let env: Env;
const stop = new AbortController();
let running: Promise<void>;

beforeAll(async () => {
  env = await startEnv();
  await federateNamespace(env, NS);
  const factory = new InformerFactory({});
  const ctl = new PolicyStatusController({
    host: env.host, informers: factory.scope(), kubefedNamespace: KUBEFED_NS, minIntervalMs: 200,
    events: createEventRecorder({ client: env.host.dynamic, component: 'policy-status-controller' }),
  });
  running = ctl.start(stop.signal);
}, 60_000);

afterAll(async () => {
  stop.abort();
  await running;
  await env?.close();
});

const pp = (name: string, priority: number, kind: string): PropagationPolicy => ({
  apiVersion: 'policy.kfed.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name, namespace: NS },
  spec: { priority, resourceSelectors: [{ kind, labelSelector: { matchLabels: { app: 's' } } }], placement: { clusters: [{ name: 'cluster-2' }] } },
});

async function status(ref: typeof PROPAGATION_POLICIES, name: string): Promise<PolicyStatus | undefined> {
  return (await env.host.dynamic.get<PropagationPolicy>(ref, name, { namespace: NS })).status;
}

describe('policy status', () => {
  it('reports matches, conflicts, unknown kinds and override failures, with Events', async () => {
    for (const i of [1, 2, 3]) {
      await env.host.dynamic.create(FED_CONFIGMAPS, { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap', metadata: { name: `cm-${i}`, namespace: NS, labels: { app: 's' } }, spec: { template: { data: { i: String(i) } } } } as KubeObject);
    }
    await env.host.dynamic.create(PROPAGATION_POLICIES, pp('alpha', 1, 'FederatedConfigMap'));
    await env.host.dynamic.create(PROPAGATION_POLICIES, pp('beta', 1, 'ConfigMap'));
    await env.host.dynamic.create(PROPAGATION_POLICIES, pp('gamma', 0, 'ConfigMap'));
    await env.host.dynamic.create(PROPAGATION_POLICIES, pp('widgets', 0, 'FederatedWidget'));
    const bad: OverridePolicy = {
      apiVersion: 'policy.kfed.io/v1alpha1', kind: 'OverridePolicy', metadata: { name: 'bad', namespace: NS },
      spec: { resourceSelectors: [{ kind: 'ConfigMap', name: 'cm-1' }], overrideRules: [{ targetClusters: { clusters: ['cluster-2'] }, argsOverrider: [{ containerName: 'app', operator: 'add', value: ['x'] }] }] },
    };
    await env.host.dynamic.create(OVERRIDE_POLICIES, bad as KubeObject);

    const alpha = await until(async () => {
      const s = await status(PROPAGATION_POLICIES, 'alpha');
      return s?.matched === 3 && (s.conflicts?.length ?? 0) === 3 ? s : undefined;
    }, 30_000);
    expect(alpha.matchedObjects).toEqual([`FederatedConfigMap ${NS}/cm-1`, `FederatedConfigMap ${NS}/cm-2`, `FederatedConfigMap ${NS}/cm-3`]);
    expect(alpha.conflicts![0]).toBe(`FederatedConfigMap ${NS}/cm-1: equal priority 1 with PropagationPolicy ${NS}/beta; PropagationPolicy ${NS}/alpha places it`);
    expect(alpha.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'Conflict' });
    // Each policy's status is its own write: beta's and gamma's may land a pass after alpha's.
    const beta = await until(async () => ((await status(PROPAGATION_POLICIES, 'beta'))?.conflicts?.length ? status(PROPAGATION_POLICIES, 'beta') : undefined), 30_000);
    expect(beta?.conflicts?.[0]).toContain(`with PropagationPolicy ${NS}/alpha; PropagationPolicy ${NS}/alpha places it`);
    // Lower priority: no conflict, it simply does not place.
    const gamma = await until(async () => ((await status(PROPAGATION_POLICIES, 'gamma'))?.matched === 3 ? status(PROPAGATION_POLICIES, 'gamma') : undefined), 30_000);
    expect(gamma).toMatchObject({ matched: 3, conflicts: [] });
    expect(gamma?.conditions?.[0]).toMatchObject({ status: 'True', reason: 'Applied' });

    const widgets = await until(async () => (await status(PROPAGATION_POLICIES, 'widgets'))?.unknownKinds?.length ? status(PROPAGATION_POLICIES, 'widgets') : undefined, 30_000);
    expect(widgets).toMatchObject({ matched: 0, unknownKinds: ['FederatedWidget'] });
    expect(widgets!.conditions?.[0]).toMatchObject({ status: 'False', reason: 'UnknownKind' });

    const badStatus = await until(async () => {
      const s = (await env.host.dynamic.get<OverridePolicy>(OVERRIDE_POLICIES, 'bad', { namespace: NS })).status;
      return s?.overrideFailures?.length ? s : undefined;
    }, 30_000);
    expect(badStatus.overrideFailures).toEqual([`FederatedConfigMap ${NS}/cm-1 in cluster-2: overrideRules[0]: argsOverrider: no container named "app"`]);
    expect(badStatus.conditions?.[0]).toMatchObject({ status: 'False', reason: 'OverrideFailed' });

    const events = await until(async () => {
      const list = (await env.host.dynamic.list(EVENTS, { namespace: NS })).items as (KubeObject & { reason?: string; involvedObject?: { name?: string } })[];
      const got = new Set(list.map((e) => `${e.involvedObject?.name}:${e.reason}`));
      return ['alpha:PolicyConflict', 'beta:PolicyConflict', 'widgets:UnknownKind', 'bad:OverrideFailed'].every((k) => got.has(k)) ? got : undefined;
    }, 30_000);
    expect(events.has('gamma:PolicyConflict')).toBe(false);

    // Resolving the conflict clears it.
    await env.host.dynamic.patch(PROPAGATION_POLICIES, 'beta', { spec: { priority: 2 } }, { namespace: NS, type: 'merge' });
    await until(async () => (await status(PROPAGATION_POLICIES, 'alpha'))?.conflicts?.length === 0, 30_000);
    // beta's own status follows in the same or the next pass (at most one every 2 s).
    await until(async () => (await status(PROPAGATION_POLICIES, 'beta'))?.conditions?.[0]?.reason === 'Applied', 30_000);
    expect((await status(PROPAGATION_POLICIES, 'beta'))?.conditions?.[0]).toMatchObject({ status: 'True', reason: 'Applied' });
  }, 90_000);
});
