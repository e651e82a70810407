// evaluatePolicies tables: matches by target or federated kind, scope, the bounded sorted
// list, unknown kinds, and conflicts (propagation: top priority only, own placement exempt;
// overrides: every equal-priority group, the last applied named as winner).
import { describe, expect, it } from 'vitest';
import type { FederatedObject, OverridePolicy, PropagationPolicy } from '../../../../src/api/federation.js';
import { POLICY_STATUS_LIST_LIMIT } from '../../../../src/api/federation.js';
import { evaluatePolicies } from '../../../../src/propagation/policy/policy-evaluation.js';
import { policyStatus } from '../../../../src/propagation/policy/policy-status-controller.js';

const fed = (name: string, ns = 'a', labels: Record<string, string> = { app: 'x' }, placement?: FederatedObject['spec']['placement']): { fed: FederatedObject; targetKind: string } => ({
  fed: { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap', metadata: { name, namespace: ns, labels }, spec: placement ? { placement } : {} },
  targetKind: 'ConfigMap',
});
const pp = (name: string, kind: string, o: { ns?: string; priority?: number; app?: string } = {}): PropagationPolicy => ({
  apiVersion: 'policy.kfed.io/v1alpha1', kind: o.ns === undefined ? 'ClusterPropagationPolicy' : 'PropagationPolicy',
  metadata: o.ns === undefined ? { name } : { name, namespace: o.ns },
  spec: { resourceSelectors: [{ kind, ...(o.app ? { labelSelector: { matchLabels: { app: o.app } } } : {}) }], placement: {}, ...(o.priority !== undefined ? { priority: o.priority } : {}) },
});
const op = (name: string, ns: string | undefined, priority: number): OverridePolicy => ({
  apiVersion: 'policy.kfed.io/v1alpha1', kind: ns ? 'OverridePolicy' : 'ClusterOverridePolicy', metadata: ns ? { name, namespace: ns } : { name },
  spec: { priority, resourceSelectors: [{ kind: 'ConfigMap' }], overrideRules: [] },
});
const known = new Set(['ConfigMap', 'Deployment']);

describe('evaluatePolicies', () => {
  it('matches by target and federated kind within the policy scope', () => {
    const objs = [fed('c1'), fed('c2', 'b'), fed('c3', 'a', { app: 'y' })];
    const r = evaluatePolicies([pp('t', 'ConfigMap', { ns: 'a' }), pp('f', 'FederatedConfigMap'), pp('l', 'ConfigMap', { app: 'y' }), pp('d', 'Deployment')], objs, known);
    expect(r.get('PropagationPolicy a/t')).toMatchObject({ matched: 2, matchedObjects: ['FederatedConfigMap a/c1', 'FederatedConfigMap a/c3'], unknownKinds: [] });
    expect(r.get('ClusterPropagationPolicy f')?.matched).toBe(3);
    expect(r.get('ClusterPropagationPolicy l')?.matchedObjects).toEqual(['FederatedConfigMap a/c3']);
    expect(r.get('ClusterPropagationPolicy d')).toMatchObject({ matched: 0, unknownKinds: [] });
  });

  it.each(['Widget', 'FederatedWidget', 'configmap', 'FederatedFederatedConfigMap'])('reports the unknown kind %s', (kind) => {
    expect(evaluatePolicies([pp('u', kind)], [fed('c1')], known).get('ClusterPropagationPolicy u')?.unknownKinds).toEqual([kind]);
  });

  it('bounds the list and keeps the full count', () => {
    const objs = Array.from({ length: 120 }, (_, i) => fed(`c${String(i).padStart(3, '0')}`));
    const r = evaluatePolicies([pp('all', 'ConfigMap')], objs, known).get('ClusterPropagationPolicy all')!;
    expect(r.matched).toBe(120);
    expect(r.matchedObjects).toEqual(objs.slice(0, POLICY_STATUS_LIST_LIMIT).map((o) => `FederatedConfigMap a/${o.fed.metadata.name}`));
  });

  it('propagation conflicts: only at the top priority, naming both and the placing one; own placement exempt', () => {
    const objs = [fed('c1'), fed('own', 'a', { app: 'x' }, { clusters: [] })];
    const r = evaluatePolicies([pp('z', 'ConfigMap', { ns: 'a', priority: 1 }), pp('y', 'ConfigMap', { priority: 1 }), pp('low', 'ConfigMap', { ns: 'a' })], objs, known);
    expect(r.get('PropagationPolicy a/z')?.conflicts).toEqual(['FederatedConfigMap a/c1: equal priority 1 with ClusterPropagationPolicy y; PropagationPolicy a/z places it']);
    expect(r.get('ClusterPropagationPolicy y')?.conflicts).toEqual(['FederatedConfigMap a/c1: equal priority 1 with PropagationPolicy a/z; PropagationPolicy a/z places it']);
    expect(r.get('PropagationPolicy a/low')?.conflicts).toEqual([]);
  });

  it('override conflicts: every equal-priority group; the last applied (namespaced, then name) wins', () => {
    const r = evaluatePolicies([op('b', 'a', 0), op('a', 'a', 0), op('c', undefined, 0), op('solo', 'a', 5)], [fed('c1')], known);
    expect(r.get('OverridePolicy a/a')?.conflicts).toEqual(['FederatedConfigMap a/c1: equal priority 0 with OverridePolicy a/b, ClusterOverridePolicy c; OverridePolicy a/b applies last and wins']);
    expect(r.get('OverridePolicy a/solo')?.conflicts).toEqual([]);
  });
});

describe('policyStatus', () => {
  const e = { matched: 2, matchedObjects: ['x', 'y'], unknownKinds: [] as string[], conflicts: [] as string[] };
  const p = pp('p', 'ConfigMap', { ns: 'a' });
  it.each([
    [e, [], 'True', 'Applied'],
    [{ ...e, matched: 0, matchedObjects: [] }, [], 'False', 'NoMatch'],
    [{ ...e, conflicts: ['c'] }, [], 'False', 'Conflict'],
    [{ ...e, conflicts: ['c'] }, ['f'], 'False', 'OverrideFailed'],
    [{ ...e, unknownKinds: ['W'] }, ['f'], 'False', 'UnknownKind'],
  ])('%j with failures %j: Ready=%s %s', (ev, failures, status, reason) => {
    expect(policyStatus(p, ev, failures, 0).conditions?.[0]).toMatchObject({ type: 'Ready', status, reason });
  });
});
