// Evaluates every policy against every federated object at once, for policy status: what
// each policy matched, the selector kinds that name nothing enabled, and conflicts (two
// policies of one family at equal priority selecting one object). Objects are indexed by
// target kind and namespace, so a policy only looks at the objects its selectors can match.
import type { FederatedObject, ResourceSelector } from '../../api/federation.js';
import { POLICY_STATUS_LIST_LIMIT } from '../../api/federation.js';
import type { KubeObject } from '../../api/meta.js';
import { policyDisplayName } from './overrides.js';
import { selectorError, selectorMatches } from '../../kube/label-selector.js';
import { hasOwnPlacement } from './policies.js';

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

interface KindIndex {
  all: FederatedObject[];
  byNamespace: Map<string, FederatedObject[]>;
}

const keys = new WeakMap<KubeObject, string>();
/** `kind namespace/name` of a policy: the key of its result (memoised per object). */
export function policyKey(p: KubeObject): string {
  let k = keys.get(p);
  if (k === undefined) keys.set(p, (k = `${p.kind} ${policyDisplayName(p)}`));
  return k;
}
/** `namespace/name`, the tie-breaker of both orders. */
const sortName = (p: KubeObject): string => policyKey(p).slice(policyKey(p).indexOf(' ') + 1).replace(/^([^/]*)$/, '/$1');
const objectName = (fed: FederatedObject): string => `${fed.kind} ${fed.metadata.namespace ? `${fed.metadata.namespace}/` : ''}${fed.metadata.name ?? ''}`;
const isPropagation = (p: KubeObject): boolean => p.kind === 'PropagationPolicy' || p.kind === 'ClusterPropagationPolicy';

function index(objects: readonly EvaluatedObject[]): Map<string, KindIndex> {
  const out = new Map<string, KindIndex>();
  for (const { fed, targetKind } of objects) {
    let k = out.get(targetKind);
    if (!k) out.set(targetKind, (k = { all: [], byNamespace: new Map() }));
    k.all.push(fed);
    const ns = fed.metadata.namespace ?? '';
    const list = k.byNamespace.get(ns);
    if (list) list.push(fed);
    else k.byNamespace.set(ns, [fed]);
  }
  return out;
}

/** The target kind a selector kind names (target or Federated<target>), if enabled. */
function resolveKind(kind: string, known: ReadonlySet<string>): string | undefined {
  if (known.has(kind)) return kind;
  const stripped = kind.startsWith('Federated') ? kind.slice('Federated'.length) : '';
  return stripped && known.has(stripped) ? stripped : undefined;
}

/** resourceSelectorMatches for many objects: the label selector is validated once. */
function compile(sel: ResourceSelector): (fed: FederatedObject) => boolean {
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
function firstSorted(names: Iterable<string>, limit: number): string[] {
  const top: string[] = [];
  for (const n of names) {
    if (top.length >= limit && n >= top[top.length - 1]!) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (top[mid]! < n) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, n);
    if (top.length > limit) top.pop();
  }
  return top;
}

/** The objects one policy selects, and the selector kinds that name nothing enabled. */
function select(p: EvaluatedPolicy, idx: Map<string, KindIndex>, known: ReadonlySet<string>): { objects: Set<FederatedObject>; unknown: string[] } {
  const objects = new Set<FederatedObject>();
  const unknown: string[] = [];
  for (const sel of p.spec.resourceSelectors ?? []) {
    const kind = resolveKind(sel.kind, known);
    if (kind === undefined) {
      if (!unknown.includes(sel.kind)) unknown.push(sel.kind);
      continue;
    }
    const k = idx.get(kind);
    if (!k) continue;
    const ns = p.metadata.namespace || sel.namespace;
    const candidates = ns !== undefined ? k.byNamespace.get(ns) ?? [] : k.all;
    const matches = compile(sel);
    for (const fed of candidates) if (matches(fed)) objects.add(fed);
  }
  return { objects, unknown };
}

/** Placement order (selectPropagationPolicy's): priority, namespaced before cluster-scoped, name. */
function before(a: EvaluatedPolicy, b: EvaluatedPolicy): number {
  const scope = (p: KubeObject): number => (p.metadata.namespace ? 0 : 1);
  return (b.spec.priority ?? 0) - (a.spec.priority ?? 0) || scope(a) - scope(b) || (sortName(a) < sortName(b) ? -1 : 1);
}

/** Override application order within one priority (overridePolicyOrder's): cluster-scoped first, then by name; the last wins. */
function overrideOrder(a: EvaluatedPolicy, b: EvaluatedPolicy): number {
  const scope = (p: KubeObject): number => (p.metadata.namespace ? 1 : 0);
  return scope(a) - scope(b) || (sortName(a) < sortName(b) ? -1 : 1);
}

function byPriority(ps: readonly EvaluatedPolicy[]): EvaluatedPolicy[][] {
  const groups = new Map<number, EvaluatedPolicy[]>();
  for (const p of ps) groups.set(p.spec.priority ?? 0, [...(groups.get(p.spec.priority ?? 0) ?? []), p]);
  return [...groups.values()];
}

function conflictsOf(selecting: readonly EvaluatedPolicy[], fed: FederatedObject, out: Map<string, string[]>): void {
  for (const family of [true, false]) {
    // Only policies that take effect: a propagation policy places objects without placement of their own.
    if (family && hasOwnPlacement(fed.spec.placement)) continue;
    const ps = selecting.filter((p) => isPropagation(p) === family).sort(before);
    if (ps.length < 2) continue;
    // Propagation: only the top priority places. Overrides: every equal-priority pair applies, the later wins.
    const groups = family ? [ps.filter((p) => (p.spec.priority ?? 0) === (ps[0]!.spec.priority ?? 0))] : byPriority(ps);
    for (const g of groups) {
      if (g.length < 2) continue;
      const winner = family ? g[0]! : [...g].sort(overrideOrder)[g.length - 1]!;
      for (const p of g) {
        const key = policyKey(p);
        const list = out.get(key) ?? [];
        out.set(key, list);
        if (list.length >= POLICY_STATUS_LIST_LIMIT) continue; // bounded: the rest are not named
        const others = g.filter((o) => o !== p).map(policyKey).join(', ');
        list.push(`${objectName(fed)}: equal priority ${p.spec.priority ?? 0} with ${others}; ${policyKey(winner)} ${family ? 'places it' : 'applies last and wins'}`);
      }
    }
  }
}

/** Every policy's evaluation, keyed by policyKey. `knownKinds`: the enabled target kinds. */
export function evaluatePolicies(policies: readonly EvaluatedPolicy[], objects: readonly EvaluatedObject[], knownKinds: ReadonlySet<string>): Map<string, PolicyEvaluation> {
  const idx = index(objects);
  const selecting = new Map<FederatedObject, EvaluatedPolicy[]>();
  const out = new Map<string, PolicyEvaluation>();
  for (const p of policies) {
    const { objects: sel, unknown } = select(p, idx, knownKinds);
    const names = (function* () {
      for (const fed of sel) yield objectName(fed);
    })();
    out.set(policyKey(p), { matched: sel.size, matchedObjects: firstSorted(names, POLICY_STATUS_LIST_LIMIT), unknownKinds: unknown, conflicts: [] });
    for (const fed of sel) {
      const list = selecting.get(fed);
      if (list) list.push(p);
      else selecting.set(fed, [p]);
    }
  }
  const conflicts = new Map<string, string[]>();
  for (const [fed, ps] of selecting) if (ps.length > 1) conflictsOf(ps, fed, conflicts);
  for (const [key, list] of conflicts) out.get(key)!.conflicts = list.sort();
  return out;
}
