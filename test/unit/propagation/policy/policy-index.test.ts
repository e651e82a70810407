// PolicyIndex (the incremental policy status): after any sequence of object and policy
// changes, every policy's evaluation equals a fresh evaluation of everything, and a change
// names every policy whose evaluation it changed (the others stay as they were).
import { describe, expect, it } from 'vitest';
import type { FederatedObject, OverridePolicy, PropagationPolicy } from '../../../../src/api/federation.js';
import { buildIndex } from '../../../../src/propagation/policy/policy-evaluation.js';
import { PolicyIndex } from '../../../../src/propagation/policy/policy-index.js';
import type { EvaluatedPolicy } from '../../../../src/propagation/policy/policy-match.js';
import { Rng } from '../../../support/soak/rng.js';

const KINDS = ['ConfigMap', 'Deployment'];
const known = new Set(KINDS);

/** A small deterministic PRNG (the soak's mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  const g = new Rng(seed);
  return () => g.next();
}

function world(seed: number) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const object = (i: number): { fed: FederatedObject; targetKind: string } => {
    const targetKind = KINDS[i % 2]!;
    const failing = r() < 0.2 ? [{ name: pick(['c1', 'c2']), status: 'ApplyOverridesFailed' as const, message: `OverridePolicy ${pick(['a', 'b'])}/o${Math.floor(r() * 4)}: boom` }] : [];
    return {
      targetKind,
      fed: {
        apiVersion: 'types.kubefed.io/v1beta1', kind: `Federated${targetKind}`,
        metadata: { name: `obj-${i}`, namespace: pick(['a', 'b']), labels: { app: pick(['x', 'y', 'z']) } },
        spec: r() < 0.2 ? { placement: { clusters: [] } } : {},
        ...(failing.length ? { status: { clusters: failing } } : {}),
      },
    };
  };
  const policy = (i: number): EvaluatedPolicy => {
    const ns = r() < 0.3 ? undefined : pick(['a', 'b']);
    const propagation = i % 2 === 0;
    const kind = pick(['ConfigMap', 'FederatedDeployment', 'Deployment', 'Widget']);
    const selector = { kind, ...(r() < 0.7 ? { labelSelector: { matchLabels: { app: pick(['x', 'y']) } } } : {}), ...(r() < 0.1 ? { name: 'obj-3' } : {}) };
    const metadata = ns ? { name: `${propagation ? 'p' : 'o'}${i % 8}`, namespace: ns } : { name: `${propagation ? 'p' : 'o'}${i % 8}` };
    const spec = { priority: Math.floor(r() * 2), resourceSelectors: [selector] };
    return propagation
      ? ({ apiVersion: 'policy.kfed.io/v1alpha1', kind: ns ? 'PropagationPolicy' : 'ClusterPropagationPolicy', metadata, spec: { ...spec, placement: {} } } as PropagationPolicy)
      : ({ apiVersion: 'policy.kfed.io/v1alpha1', kind: ns ? 'OverridePolicy' : 'ClusterOverridePolicy', metadata, spec: { ...spec, overrideRules: [] } } as OverridePolicy);
  };
  return { r, object, policy };
}

function snapshot(index: PolicyIndex): Map<string, unknown> {
  return new Map(index.policyKeys().map((k) => [k, { ...index.evaluate(k), failures: index.overrideFailures(k) }]));
}

describe('PolicyIndex', () => {
  it.each([1, 2, 3, 4])('stays equal to a fresh evaluation, and names every policy a change affects (seed %i)', (seed) => {
    const w = world(seed);
    const index = new PolicyIndex();
    index.setKnownKinds(known);
    const objects = new Map<string, { fed: FederatedObject; targetKind: string }>();
    const policies = new Map<string, EvaluatedPolicy>();
    const keyOf = (p: EvaluatedPolicy): string => `${p.kind} ${p.metadata.namespace ? `${p.metadata.namespace}/` : ''}${p.metadata.name}`;
    for (let step = 0; step < 200; step++) {
      const before = snapshot(index);
      let dirty: Set<string>;
      const roll = w.r();
      if (roll < 0.45) {
        const id = String(Math.floor(w.r() * 30));
        const o = w.object(Number(id));
        objects.set(id, o);
        dirty = index.upsertObject(id, o.targetKind, o.fed, o.targetKind);
      } else if (roll < 0.55) {
        const id = String(Math.floor(w.r() * 30));
        objects.delete(id);
        dirty = index.deleteObject(id);
      } else if (roll < 0.9) {
        const p = w.policy(Math.floor(w.r() * 16));
        policies.set(keyOf(p), p);
        dirty = index.upsertPolicy(p);
      } else {
        const keys = [...policies.keys()];
        const key = keys[Math.floor(w.r() * keys.length)] ?? 'none';
        policies.delete(key);
        dirty = index.deletePolicy(key);
      }
      const after = snapshot(index);
      const fresh = buildIndex([...policies.values()], [...objects.values()], known);
      expect(after).toEqual(snapshot(fresh));
      for (const [key, value] of after) if (!dirty.has(key)) expect(value, `step ${step}: ${key} changed but was not named`).toEqual(before.get(key));
    }
  });

  it('a change of the enabled kinds re-selects every policy', () => {
    const w = world(9);
    const index = new PolicyIndex();
    index.setKnownKinds(new Set(['ConfigMap']));
    const objs = Array.from({ length: 10 }, (_, i) => w.object(i));
    objs.forEach((o, i) => index.upsertObject(String(i), o.targetKind, o.fed, o.targetKind));
    const ps = Array.from({ length: 8 }, (_, i) => w.policy(i));
    for (const p of ps) index.upsertPolicy(p);
    expect(index.setKnownKinds(new Set(['ConfigMap']))).toEqual([]);
    expect(new Set(index.setKnownKinds(known))).toEqual(new Set(index.policyKeys()));
    expect(snapshot(index)).toEqual(snapshot(buildIndex(ps, objs, known)));
  });

  it('names the first 50 conflicts in order, whatever order the objects came in', () => {
    const index = new PolicyIndex();
    index.setKnownKinds(known);
    const ids = Array.from({ length: 120 }, (_, i) => 119 - i);
    for (const i of ids) index.upsertObject(`o${i}`, 'ConfigMap', { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap', metadata: { name: `c${i}`, namespace: 'a' }, spec: {} }, 'ConfigMap');
    for (const name of ['p', 'q']) index.upsertPolicy({ apiVersion: 'policy.kfed.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name, namespace: 'a' }, spec: { resourceSelectors: [{ kind: 'ConfigMap' }] } });
    const conflicts = index.evaluate('PropagationPolicy a/q')!.conflicts;
    const all = ids.map((i) => `FederatedConfigMap a/c${i}: equal priority 0 with PropagationPolicy a/p; PropagationPolicy a/p places it`);
    expect(conflicts).toEqual(all.sort().slice(0, 50));
  });

  it('merges conflicts reported from outside, sorted and bounded', () => {
    const index = new PolicyIndex();
    index.setKnownKinds(known);
    const p: EvaluatedPolicy = { apiVersion: 'policy.kfed.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'p', namespace: 'a' }, spec: { resourceSelectors: [{ kind: 'Deployment' }] } };
    index.upsertPolicy(p);
    index.setExtraConflicts('PropagationPolicy a/p', ['Deployment a/web: FederatedDeployment a/web exists']);
    expect(index.evaluate('PropagationPolicy a/p')?.conflicts).toEqual(['Deployment a/web: FederatedDeployment a/web exists']);
    index.setExtraConflicts('PropagationPolicy a/p', []);
    expect(index.evaluate('PropagationPolicy a/p')?.conflicts).toEqual([]);
  });
});
