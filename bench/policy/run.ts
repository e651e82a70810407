// `npm run bench -- policy`: the cost of evaluating 1,000 policies against 10,000 federated
// objects, in process (pure functions, no API server):
// - status: evaluatePolicies, what the policy status controller runs on each pass (every
//   policy's matches, unknown kinds, conflicts);
// - sync: what the sync controllers run when a policy changes and every object is
//   re-enqueued: per object, the placing PropagationPolicy and the ordered OverridePolicies.
// Objects: 5 kinds over 200 namespaces, 5 app labels. Policies: 800 namespaced (half
// propagation, half override; each selects one kind and app label in its namespace, a fifth
// of them by the Federated<Kind> name) and 200 cluster-scoped (one kind and app label in
// every namespace), priorities 0-2 so equal-priority conflicts exist.
import type { FederatedObject, OverridePolicy, PropagationPolicy } from '../../src/api/federation.js';
import { evaluatePolicies, type EvaluatedObject } from '../../src/propagation/policy/policy-evaluation.js';
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
  matches: number;
  conflicts: number;
}

export async function runPolicyBench(policyCount = 1000, objectCount = 10_000, rounds = Number(process.env.KFED_BENCH_ROUNDS ?? 5)): Promise<PolicyBenchResult> {
  const objects = benchObjects(objectCount);
  const policies = benchPolicies(policyCount);
  const propagation = policies.filter((p): p is PropagationPolicy => p.kind.endsWith('PropagationPolicy'));
  const overrides = policies.filter((p): p is OverridePolicy => p.kind.endsWith('OverridePolicy'));
  const known = new Set(KINDS);
  const result: PolicyBenchResult = { policies: policyCount, objects: objectCount, statusMs: [], syncMs: [], matches: 0, conflicts: 0 };
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
  const fmt = (xs: number[]): string => `min ${Math.min(...xs).toFixed(0)} ms, median ${[...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(0)} ms`;
  console.log(`${policyCount} policies x ${objectCount} objects (${rounds} rounds)`);
  console.log(`  status evaluation (evaluatePolicies): ${fmt(result.statusMs)}; ${result.matches} matches, ${result.conflicts} policies with conflicts`);
  console.log(`  sync-path selection for every object: ${fmt(result.syncMs)} (${((Math.min(...result.syncMs) / objectCount) * 1000).toFixed(1)} us per object)`);
  return result;
}
