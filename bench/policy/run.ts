// `npm run bench -- policy`: the cost of evaluating 1,000 policies against 10,000 federated
// objects, in process (pure functions, no API server):
// - status: evaluatePolicies, what the policy status controller runs on each pass (every
//   policy's matches, unknown kinds, conflicts);
// - sync: what the sync controllers run when a policy changes and every object is
//   re-enqueued: per object, the placing PropagationPolicy and the ordered OverridePolicies;
// - incremental: what the policy status controller runs per change on a warm index
//   (policy-index.ts): one object edit (its app label moves, so its selection changes) or
//   one policy edit (its priority moves), applied and every policy it names evaluated into
//   a status, timed per change, beside the full pass of the same run.
// Objects: 5 kinds over 200 namespaces, 5 app labels. Policies: 800 namespaced (half
// propagation, half override; each selects one kind and app label in its namespace, a fifth
// of them by the Federated<Kind> name) and 200 cluster-scoped (one kind and app label in
// every namespace), priorities 0-2 so equal-priority conflicts exist.
import type { FederatedObject, OverridePolicy, PropagationPolicy } from '../../src/api/federation.js';
import { buildIndex, evaluatePolicies, type EvaluatedObject } from '../../src/propagation/policy/policy-evaluation.js';
import type { PolicyIndex } from '../../src/propagation/policy/policy-index.js';
import { policyStatus } from '../../src/propagation/policy/policy-status.js';
import { overridePolicyOrder, selectPropagationPolicy } from '../../src/propagation/policy/policies.js';

const KINDS = ['Deployment', 'ConfigMap', 'Secret', 'Service', 'ServiceAccount'];

export function benchObjects(n: number): EvaluatedObject[] {
  return Array.from({ length: n }, (_, i) => {
    const targetKind = KINDS[i % KINDS.length]!;
    const fed: FederatedObject = {
      apiVersion: 'types.kubefed.io/v1beta1', kind: `Federated${targetKind}`,
      metadata: { name: `obj-${i}`, namespace: `ns-${i % 200}`, labels: { app: `app-${Math.floor(i / 5) % 5}` } },
      spec: {},
    };
    return { fed, targetKind };
  });
}

export function benchPolicies(n: number): (PropagationPolicy | OverridePolicy)[] {
  return Array.from({ length: n }, (_, i) => {
    const clusterScoped = i % 5 === 4;
    const propagation = i % 2 === 0;
    const kind = KINDS[i % KINDS.length]!;
    const spec = { priority: i % 3, resourceSelectors: [{ kind: i % 5 === 1 ? `Federated${kind}` : kind, labelSelector: { matchLabels: { app: `app-${Math.floor(i / 5) % 5}` } } }] };
    const metadata = clusterScoped ? { name: `p-${i}` } : { name: `p-${i}`, namespace: `ns-${i % 200}` };
    return propagation
      ? { apiVersion: 'policy.kfed.io/v1alpha1', kind: clusterScoped ? 'ClusterPropagationPolicy' : 'PropagationPolicy', metadata, spec: { ...spec, placement: { clusterSelector: {} } } }
      : { apiVersion: 'policy.kfed.io/v1alpha1', kind: clusterScoped ? 'ClusterOverridePolicy' : 'OverridePolicy', metadata, spec: { ...spec, overrideRules: [] } };
  });
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

export interface PolicyBenchResult {
  policies: number;
  objects: number;
  statusMs: number[];
  syncMs: number[];
  /** per change: apply to the index, evaluate and build the status of every policy it names */
  objectEditMs: number[];
  policyEditMs: number[];
  /** policies re-evaluated per change, on average */
  objectEditPolicies: number;
  policyEditPolicies: number;
  matches: number;
  conflicts: number;
}

export async function runPolicyBench(policyCount = 1000, objectCount = 10_000, rounds = Number(process.env.KFED_BENCH_ROUNDS ?? 5)): Promise<PolicyBenchResult> {
  const objects = benchObjects(objectCount);
  const policies = benchPolicies(policyCount);
  const propagation = policies.filter((p): p is PropagationPolicy => p.kind.endsWith('PropagationPolicy'));
  const overrides = policies.filter((p): p is OverridePolicy => p.kind.endsWith('OverridePolicy'));
  const known = new Set(KINDS);
  const result: PolicyBenchResult = { policies: policyCount, objects: objectCount, statusMs: [], syncMs: [], objectEditMs: [], policyEditMs: [], objectEditPolicies: 0, policyEditPolicies: 0, matches: 0, conflicts: 0 };
  for (let r = 0; r < rounds; r++) {
    const status = time(() => evaluatePolicies(policies, objects, known));
    result.statusMs.push(status.ms);
    result.matches = [...status.value.values()].reduce((s, e) => s + e.matched, 0);
    result.conflicts = [...status.value.values()].filter((e) => e.conflicts.length > 0).length;
    const sync = time(() => {
      let placed = 0;
      for (const { fed, targetKind } of objects) {
        if (selectPropagationPolicy(propagation, fed, targetKind)) placed++;
        placed += overridePolicyOrder(overrides, fed, targetKind).length;
      }
      return placed;
    });
    result.syncMs.push(sync.ms);
  }
  const index = buildIndex(policies, objects, known);
  const byKey = new Map(policies.map((p) => [`${p.kind} ${p.metadata.namespace ? `${p.metadata.namespace}/` : ''}${p.metadata.name}`, p]));
  const statuses = (dirty: Set<string>, idx: PolicyIndex): void => {
    for (const key of dirty) policyStatus(byKey.get(key)!, idx.evaluate(key)!, idx.overrideFailures(key), 0);
  };
  const edits = Number(process.env.KFED_BENCH_EDITS ?? 200);
  let objectPolicies = 0;
  for (let i = 0; i < edits; i++) {
    const n = (i * 7919) % objectCount;
    const { fed, targetKind } = objects[n]!;
    const app = fed.metadata.labels!.app!;
    const edited = { ...fed, metadata: { ...fed.metadata, labels: { app: app === 'app-0' ? 'app-1' : 'app-0' } } };
    result.objectEditMs.push(time(() => {
      const dirty = index.upsertObject(String(n), targetKind, edited, targetKind);
      statuses(dirty, index);
      objectPolicies += dirty.size;
    }).ms);
    index.upsertObject(String(n), targetKind, fed, targetKind); // back, untimed
  }
  let policyPolicies = 0;
  for (let i = 0; i < edits; i++) {
    const p = policies[(i * 613) % policyCount]!;
    const edited = { ...p, spec: { ...p.spec, priority: ((p.spec.priority ?? 0) + 1) % 3 } } as typeof p;
    result.policyEditMs.push(time(() => {
      const dirty = index.upsertPolicy(edited);
      statuses(dirty, index);
      policyPolicies += dirty.size;
    }).ms);
    index.upsertPolicy(p); // back, untimed
  }
  result.objectEditPolicies = objectPolicies / edits;
  result.policyEditPolicies = policyPolicies / edits;
  const fmt = (xs: number[]): string => `min ${Math.min(...xs).toFixed(0)} ms, median ${[...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(0)} ms`;
  console.log(`${policyCount} policies x ${objectCount} objects (${rounds} rounds)`);
  console.log(`  full status pass (evaluatePolicies, a fresh index): ${fmt(result.statusMs)}; ${result.matches} matches, ${result.conflicts} policies with conflicts`);
  const per = (xs: number[]): string => {
    const sorted = [...xs].sort((a, b) => a - b);
    const at = (q: number): string => `${(sorted[Math.floor(xs.length * q)]! * 1000).toFixed(0)} us`;
    return `median ${at(0.5)}, p90 ${at(0.9)}, p99 ${at(0.99)}`;
  };
  const fullMedian = [...result.statusMs].sort((a, b) => a - b)[Math.floor(result.statusMs.length / 2)]!;
  const ratio = (xs: number[]): string => (fullMedian / [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!).toFixed(0);
  console.log(`  incremental, one object edit -> status (${edits} edits): ${per(result.objectEditMs)}; ${result.objectEditPolicies.toFixed(1)} policies re-evaluated per edit; ${ratio(result.objectEditMs)}x less than the full pass's median`);
  console.log(`  incremental, one policy edit -> status (${edits} edits): ${per(result.policyEditMs)}; ${result.policyEditPolicies.toFixed(1)} policies re-evaluated per edit; ${ratio(result.policyEditMs)}x less than the full pass's median`);
  console.log(`  sync-path selection for every object: ${fmt(result.syncMs)} (${((Math.min(...result.syncMs) / objectCount) * 1000).toFixed(1)} us per object)`);
  return result;
}
