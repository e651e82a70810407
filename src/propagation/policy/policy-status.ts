// The status a policy should have, from its evaluation (policy-index.ts) and the override
// failures objects report naming it, and when two statuses are the same (times aside).
import { conditionsEqual, setCondition } from '../../api/conditions.js';
import type { PolicyCondition, PolicyStatus } from '../../api/federation.js';
import type { EvaluatedPolicy, PolicyEvaluation } from './policy-match.js';

/** The status a policy should have (conditions merged with its current ones). */
export function policyStatus(p: EvaluatedPolicy & { status?: PolicyStatus }, e: PolicyEvaluation, overrideFailures: readonly string[], now: number): PolicyStatus {
  const generation = p.metadata.generation ?? 0;
  const [reason, message]: [PolicyCondition['reason'], string] =
    e.unknownKinds.length > 0 ? ['UnknownKind', `resource selector kind ${e.unknownKinds.map((k) => JSON.stringify(k)).join(', ')} names no enabled type (target or Federated<Kind>)`]
      : overrideFailures.length > 0 ? ['OverrideFailed', overrideFailures[0]!]
        : e.conflicts.length > 0 ? ['Conflict', e.conflicts[0]!]
          : e.matched === 0 ? ['NoMatch', 'the resource selectors match no federated object']
            : ['Applied', `selects ${e.matched} federated object(s)`];
  const condition: PolicyCondition = { type: 'Ready', status: reason === 'Applied' ? 'True' : 'False', reason, message, observedGeneration: generation };
  return {
    observedGeneration: generation,
    matched: e.matched,
    matchedObjects: e.matchedObjects,
    unknownKinds: e.unknownKinds,
    conflicts: e.conflicts,
    overrideFailures: [...overrideFailures],
    conditions: setCondition(p.status?.conditions, condition, now),
  };
}

export function statusEqual(a: PolicyStatus | undefined, b: PolicyStatus): boolean {
  if (!a) return false;
  const strip = (s: PolicyStatus): string => JSON.stringify({ ...s, conditions: undefined });
  return strip(a) === strip(b) && conditionsEqual(a.conditions, b.conditions, { ignoreTime: true });
}

/**
 * Conflicts found outside the policy index, per policy key (the plain-resource controller's:
 * a Federated<Kind> it will not take over), merged into the policies' `conflicts`.
 */
export interface PolicyConflictSource {
  /** Every policy key with conflicts, and its lines. */
  conflicts(): ReadonlyMap<string, readonly string[]>;
  /** Called with the policy keys whose lines changed; returns the unsubscribe function. */
  onChange(fn: (policyKeys: readonly string[]) => void): () => void;
}
