// Evaluates every policy against every federated object at once, for policy status: what
// each policy matched, the selector kinds that name nothing enabled, and conflicts (two
// policies of one family at equal priority selecting one object). A fresh PolicyIndex
// (policy-index.ts) built in one go: the same content the policy status controller keeps
// up to date change by change; objects are indexed by target kind and namespace, so a
// policy only looks at the objects its selectors can match.
import { PolicyIndex } from './policy-index.js';
import type { EvaluatedObject, EvaluatedPolicy, PolicyEvaluation } from './policy-match.js';

export { policyKey, type EvaluatedObject, type EvaluatedPolicy, type PolicyEvaluation } from './policy-match.js';

/** Every policy's evaluation, keyed by policyKey. `knownKinds`: the enabled target kinds. */
export function evaluatePolicies(policies: readonly EvaluatedPolicy[], objects: readonly EvaluatedObject[], knownKinds: ReadonlySet<string>): Map<string, PolicyEvaluation> {
  const index = buildIndex(policies, objects, knownKinds);
  const out = new Map<string, PolicyEvaluation>();
  for (const key of index.policyKeys()) out.set(key, index.evaluate(key)!);
  return out;
}

/** An index holding `objects` (ids are their positions) and `policies`. */
export function buildIndex(policies: readonly EvaluatedPolicy[], objects: readonly EvaluatedObject[], knownKinds: ReadonlySet<string>): PolicyIndex {
  const index = new PolicyIndex();
  index.setKnownKinds(knownKinds);
  objects.forEach(({ fed, targetKind }, i) => index.upsertObject(String(i), targetKind, fed, targetKind));
  index.addPolicies(policies);
  return index;
}
