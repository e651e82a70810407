// The pieces of policy status evaluation that do not depend on how it is scheduled: the
// shapes evaluated, names, a resource selector compiled for many objects, the bounded
// sorted lists, and the two orders (placement, override application) with the conflict
// message one policy gets for one object. policy-index.ts keeps them up to date per change.
import type { FederatedObject, ResourceSelector } from '../../api/federation.js';
import type { KubeObject } from '../../api/meta.js';
import { selectorError, selectorMatches } from '../../kube/label-selector.js';
import { policyDisplayName } from './overrides.js';

export interface EvaluatedPolicy extends KubeObject {
  spec: { resourceSelectors: ResourceSelector[]; priority?: number; placement?: unknown };
}

export interface EvaluatedObject {
  fed: FederatedObject;
  /** the target kind of the object's type, e.g. Deployment */
  targetKind: string;
}

export interface PolicyEvaluation {
  matched: number;
  matchedObjects: string[];
  unknownKinds: string[];
  conflicts: string[];
}

const keys = new WeakMap<KubeObject, string>();
/** `kind namespace/name` of a policy: the key of its result (memoised per object). */
export function policyKey(p: KubeObject): string {
  let k = keys.get(p);
  if (k === undefined) keys.set(p, (k = `${p.kind} ${policyDisplayName(p)}`));
  return k;
}

/** `FederatedKind namespace/name`, as the status lists name objects. */
export const objectName = (fed: FederatedObject): string => `${fed.kind} ${fed.metadata.namespace ? `${fed.metadata.namespace}/` : ''}${fed.metadata.name ?? ''}`;
export const isPropagation = (p: KubeObject): boolean => p.kind === 'PropagationPolicy' || p.kind === 'ClusterPropagationPolicy';

/** The target kind a selector kind names (target or Federated<target>), if enabled. */
export function resolveKind(kind: string, known: ReadonlySet<string>): string | undefined {
  if (known.has(kind)) return kind;
  const stripped = kind.startsWith('Federated') ? kind.slice('Federated'.length) : '';
  return stripped && known.has(stripped) ? stripped : undefined;
}

/** resourceSelectorMatches for many objects: the label selector is validated once. */
export function compile(sel: ResourceSelector): (fed: FederatedObject) => boolean {
  const ls = sel.labelSelector;
  if (ls !== undefined && selectorError(ls) !== undefined) return () => false;
  const labels = Object.entries(ls?.matchLabels ?? {});
  const expressions = ls?.matchExpressions?.length ? { matchExpressions: ls.matchExpressions } : undefined;
  return (fed) => {
    if (sel.name !== undefined && sel.name !== fed.metadata.name) return false;
    if (sel.namespace !== undefined && sel.namespace !== (fed.metadata.namespace ?? '')) return false;
    const l = fed.metadata.labels ?? {};
    for (const [k, v] of labels) if (l[k] !== v) return false;
    return expressions === undefined || selectorMatches(expressions, l);
  };
}

/** The first `limit` of `names` in order, without sorting them all. */
export function firstSorted(names: Iterable<string>, limit: number): string[] {
  return firstSortedBy(names, (n) => n, limit);
}

/** The first `limit` of `items` in the order of their keys, without sorting them all. */
export function firstSortedBy<T>(items: Iterable<T>, key: (item: T) => string, limit: number): T[] {
  const top: T[] = [];
  const keys: string[] = [];
  for (const item of items) {
    const n = key(item);
    if (keys.length >= limit && n >= keys[keys.length - 1]!) continue;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid]! < n) lo = mid + 1;
      else hi = mid;
    }
    keys.splice(lo, 0, n);
    top.splice(lo, 0, item);
    if (keys.length > limit) {
      keys.pop();
      top.pop();
    }
  }
  return top;
}

const sortNames = new WeakMap<KubeObject, string>();
/** `namespace/name`, the tie-breaker of both orders (memoised per object). */
function sortName(p: KubeObject): string {
  let n = sortNames.get(p);
  if (n === undefined) sortNames.set(p, (n = `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`));
  return n;
}
const priority = (p: EvaluatedPolicy): number => p.spec.priority ?? 0;

/** Placement order (selectPropagationPolicy's): priority, namespaced before cluster-scoped, name. */
export function before(a: EvaluatedPolicy, b: EvaluatedPolicy): number {
  const scope = (p: KubeObject): number => (p.metadata.namespace ? 0 : 1);
  return priority(b) - priority(a) || scope(a) - scope(b) || (sortName(a) < sortName(b) ? -1 : 1);
}

/** Override application order within one priority (overridePolicyOrder's): cluster-scoped first, then by name; the last wins. */
export function overrideOrder(a: EvaluatedPolicy, b: EvaluatedPolicy): number {
  const scope = (p: KubeObject): number => (p.metadata.namespace ? 1 : 0);
  return scope(a) - scope(b) || (sortName(a) < sortName(b) ? -1 : 1);
}

/** A conflict over one object: the equal-priority group (placement order) and the policy that wins. */
export interface ConflictGroup {
  group: EvaluatedPolicy[];
  winner: EvaluatedPolicy;
  propagation: boolean;
  /** the status line, once made (one group object per policy) */
  line?: string;
}

/**
 * The conflict group each of `selecting` (every policy selecting one object) is in, if any:
 * two policies of one family at equal priority. Propagation policies conflict only at the
 * top priority and only when the object has no placement of its own; override policies in
 * every equal-priority group, the last applied winning.
 */
export function objectConflicts(selecting: readonly EvaluatedPolicy[], ownPlacement: boolean): Map<EvaluatedPolicy, ConflictGroup> {
  const out = new Map<EvaluatedPolicy, ConflictGroup>();
  for (const family of [true, false]) {
    if (family && ownPlacement) continue;
    const ps = selecting.filter((p) => isPropagation(p) === family);
    if (ps.length < 2) continue;
    ps.sort(before);
    const groups = new Map<number, EvaluatedPolicy[]>();
    for (const p of family ? ps.filter((x) => priority(x) === priority(ps[0]!)) : ps) {
      const g = groups.get(priority(p));
      if (g) g.push(p);
      else groups.set(priority(p), [p]);
    }
    for (const group of groups.values()) {
      if (group.length < 2) continue;
      const winner = family ? group[0]! : [...group].sort(overrideOrder)[group.length - 1]!;
      for (const p of group) out.set(p, { group, winner, propagation: family });
    }
  }
  return out;
}

/** The status line of policy `p`'s conflict over the object named `name`. */
export function conflictMessage(p: EvaluatedPolicy, c: ConflictGroup, name: string): string {
  const others = c.group.filter((o) => o !== p).map(policyKey).join(', ');
  return `${name}: equal priority ${priority(p)} with ${others}; ${policyKey(c.winner)} ${c.propagation ? 'places it' : 'applies last and wins'}`;
}
