// Policy status, kept up to date change by change. The index holds every federated object
// (by target kind and namespace), every policy (with its compiled selectors, by the kinds
// and namespaces it can select) and, both ways, which policy selects which object. A
// change returns the policies whose status it may have changed:
// - an object: the policies that select it now or selected it before, when that set or
//   its own placement changed, and the policies its override failures name;
// - a policy: itself, and the policies of its family sharing an object with it before or
//   after (whose conflicts may have changed);
// - the enabled kinds: every policy.
// evaluate(key) then computes one policy's status content from the index alone: the
// same as evaluating every policy at once (policy-evaluation.ts builds a fresh index).
import { POLICY_STATUS_LIST_LIMIT, type FederatedObject } from '../../api/federation.js';
import { hasOwnPlacement } from './policies.js';
import {
  compile, conflictMessage, firstSorted, firstSortedBy, isPropagation, objectConflicts, objectName, policyKey, resolveKind,
  type ConflictGroup, type EvaluatedPolicy, type PolicyEvaluation,
} from './policy-match.js';

interface ObjectEntry {
  id: string;
  group: string;
  fed: FederatedObject;
  targetKind: string;
  name: string;
  own: boolean;
  selecting: Set<PolicyEntry>;
  /** policy key -> failure lines, from the object's status */
  failures: Map<string, string[]>;
  /** `name:`, the order of its lines in status lists (names hold no colon) */
  order: string;
  /** each selecting policy's conflict over this object; recomputed lazily */
  conflicts?: Map<EvaluatedPolicy, ConflictGroup> | undefined;
}

interface CompiledSelector {
  kind: string;
  /** the only namespace it can select in, if any */
  namespace: string | undefined;
  matches: (fed: FederatedObject) => boolean;
}

interface PolicyEntry {
  key: string;
  p: EvaluatedPolicy;
  selectors: CompiledSelector[];
  unknown: string[];
  selected: Set<ObjectEntry>;
  /** the first names of `selected` in order, while known: all of them, or the first POLICY_STATUS_LIST_LIMIT */
  top?: string[] | undefined;
}

interface KindIndex {
  all: Map<string, ObjectEntry>;
  byNamespace: Map<string, Map<string, ObjectEntry>>;
}

/** `OverridePolicy ns/name` -> failure lines, from an object's ApplyOverridesFailed cluster statuses. */
export function overrideFailuresOf(fed: FederatedObject): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of fed.status?.clusters ?? []) {
    if (c.status !== 'ApplyOverridesFailed' || !c.message) continue;
    const m = /^((?:Cluster)?OverridePolicy \S+): (.*)$/.exec(c.message);
    if (!m) continue;
    const list = out.get(m[1]!) ?? [];
    list.push(`${objectName(fed)} in ${c.name}: ${m[2]}`);
    out.set(m[1]!, list);
  }
  return out;
}

function* names(entries: Iterable<ObjectEntry>): Generator<string> {
  for (const e of entries) yield e.name;
}

/** Adds an object to a policy's selection, keeping its first names when they are known. */
function select(pe: PolicyEntry, e: ObjectEntry): void {
  pe.selected.add(e);
  if (!pe.top) return;
  if (pe.top.length >= POLICY_STATUS_LIST_LIMIT && e.name >= pe.top[pe.top.length - 1]!) return;
  pe.top = firstSorted([...pe.top, e.name], POLICY_STATUS_LIST_LIMIT);
}

/** Removes an object from a policy's selection; a listed name forgets the list when more are behind it. */
function unselect(pe: PolicyEntry, e: ObjectEntry): void {
  pe.selected.delete(e);
  if (!pe.top?.includes(e.name)) return;
  if (pe.selected.size >= pe.top.length) pe.top = undefined;
  else pe.top = pe.top.filter((n) => n !== e.name);
}

const sameFailures = (a: Map<string, string[]>, b: Map<string, string[]>): boolean =>
  a.size === b.size && [...a].every(([k, v]) => b.get(k)?.join('\n') === v.join('\n'));

export class PolicyIndex {
  private known = new Set<string>();
  private readonly kinds = new Map<string, KindIndex>();
  private readonly objects = new Map<string, ObjectEntry>();
  private readonly policies = new Map<string, PolicyEntry>();
  /** target kind -> namespace (or '*') -> policies with a selector there */
  private readonly policiesByKind = new Map<string, Map<string, Set<PolicyEntry>>>();
  private readonly failures = new Map<string, Set<ObjectEntry>>();
  /** conflicts reported from outside the index (plain resources), by policy key */
  private readonly extra = new Map<string, string[]>();

  policyKeys(): string[] {
    return [...this.policies.keys()];
  }

  /** The enabled target kinds; a change re-selects every policy (all returned). */
  setKnownKinds(kinds: ReadonlySet<string>): string[] {
    if (kinds.size === this.known.size && [...kinds].every((k) => this.known.has(k))) return [];
    this.known = new Set(kinds);
    this.addPolicies([...this.policies.values()].map((pe) => pe.p));
    return this.policyKeys();
  }

  /** Adds or replaces an object (`id` unique in the index, `group` e.g. its type's name). */
  upsertObject(id: string, group: string, fed: FederatedObject, targetKind: string): Set<string> {
    const dirty = new Set<string>();
    let e = this.objects.get(id);
    // Another kind, namespace or name under the same id: a different object.
    if (e && (e.targetKind !== targetKind || e.name !== objectName(fed) || (e.fed.metadata.namespace ?? '') !== (fed.metadata.namespace ?? ''))) {
      for (const k of this.deleteObject(id)) dirty.add(k);
      e = undefined;
    }
    const failures = overrideFailuresOf(fed);
    const own = hasOwnPlacement(fed.spec?.placement);
    if (!e) {
      const name = objectName(fed);
      e = { id, group, fed, targetKind, name, order: `${name}:`, own, selecting: new Set(), failures: new Map() };
      this.objects.set(id, e);
      this.place(e);
    }
    const before = e.selecting;
    const after = new Set<PolicyEntry>();
    e.fed = fed;
    const ns = fed.metadata.namespace ?? '';
    const byNs = this.policiesByKind.get(targetKind);
    for (const set of [byNs?.get(ns), byNs?.get('*')]) {
      for (const pe of set ?? []) if (!after.has(pe) && this.selects(pe, e)) after.add(pe);
    }
    const changed = own !== e.own || before.size !== after.size || [...before].some((pe) => !after.has(pe));
    if (changed) {
      for (const pe of before) {
        unselect(pe, e);
        dirty.add(pe.key);
      }
      for (const pe of after) {
        select(pe, e);
        dirty.add(pe.key);
      }
      e.selecting = after;
      e.own = own;
      e.conflicts = undefined;
    }
    if (!sameFailures(e.failures, failures)) {
      for (const k of new Set([...e.failures.keys(), ...failures.keys()])) dirty.add(k);
      this.setFailures(e, failures);
    }
    return dirty;
  }

  deleteObject(id: string): Set<string> {
    const dirty = new Set<string>();
    const e = this.objects.get(id);
    if (!e) return dirty;
    this.objects.delete(id);
    const k = this.kinds.get(e.targetKind)!;
    k.all.delete(id);
    k.byNamespace.get(e.fed.metadata.namespace ?? '')?.delete(id);
    for (const pe of e.selecting) {
      unselect(pe, e);
      dirty.add(pe.key);
    }
    for (const key of e.failures.keys()) dirty.add(key);
    this.setFailures(e, new Map());
    return dirty;
  }

  /** Removes every object added with `group` (a type no longer enabled). */
  deleteGroup(group: string): Set<string> {
    const dirty = new Set<string>();
    for (const e of [...this.objects.values()]) if (e.group === group) for (const k of this.deleteObject(e.id)) dirty.add(k);
    return dirty;
  }

  upsertPolicy(p: EvaluatedPolicy): Set<string> {
    const key = policyKey(p);
    const dirty = this.neighbours(key);
    this.link(p);
    for (const k of this.neighbours(key)) dirty.add(k);
    dirty.add(key);
    return dirty;
  }

  /** Adds policies without working out what they change (building an index at once). */
  addPolicies(ps: Iterable<EvaluatedPolicy>): void {
    for (const p of ps) this.link(p);
  }

  deletePolicy(key: string): Set<string> {
    const pe = this.policies.get(key);
    if (!pe) return new Set();
    const dirty = this.neighbours(key);
    this.unlink(pe);
    this.policies.delete(key);
    dirty.delete(key);
    return dirty;
  }

  /** Conflicts found outside the index for one policy (merged into its conflicts). */
  setExtraConflicts(key: string, conflicts: readonly string[]): void {
    if (conflicts.length > 0) this.extra.set(key, [...conflicts]);
    else this.extra.delete(key);
  }

  /** One policy's status content (undefined for a policy not in the index). */
  evaluate(key: string): PolicyEvaluation | undefined {
    const pe = this.policies.get(key);
    if (!pe) return undefined;
    pe.top ??= firstSorted(names(pe.selected), POLICY_STATUS_LIST_LIMIT);
    // A line starts with its object's name: the first lines are those of the first objects.
    const conflicting = firstSortedBy(this.conflicting(pe), (e) => e.order, POLICY_STATUS_LIST_LIMIT);
    const lines = conflicting.map((e) => {
      const c = e.conflicts!.get(pe.p)!;
      return (c.line ??= conflictMessage(pe.p, c, e.name));
    });
    return {
      matched: pe.selected.size,
      matchedObjects: [...pe.top],
      unknownKinds: [...pe.unknown],
      conflicts: firstSorted([...(this.extra.get(key) ?? []), ...lines], POLICY_STATUS_LIST_LIMIT),
    };
  }

  /** The objects `pe` selects over which it conflicts with another policy. */
  private *conflicting(pe: PolicyEntry): Generator<ObjectEntry> {
    for (const e of pe.selected) {
      if (e.selecting.size < 2) continue;
      e.conflicts ??= objectConflicts([...e.selecting].map((x) => x.p), e.own);
      if (e.conflicts.has(pe.p)) yield e;
    }
  }

  /** The override failures objects' status names this policy with (bounded, sorted). */
  overrideFailures(key: string): string[] {
    const lines = function* (entries: Iterable<ObjectEntry>): Generator<string> {
      for (const e of entries) yield* e.failures.get(key) ?? [];
    };
    return firstSorted(lines(this.failures.get(key) ?? []), POLICY_STATUS_LIST_LIMIT);
  }

  /** (Re)compiles a policy's selectors and links it with the objects it selects. */
  private link(p: EvaluatedPolicy): void {
    const key = policyKey(p);
    let pe = this.policies.get(key);
    if (pe) this.unlink(pe);
    else this.policies.set(key, (pe = { key, p, selectors: [], unknown: [], selected: new Set() }));
    pe.p = p;
    pe.unknown = [];
    pe.selectors = [];
    for (const sel of p.spec.resourceSelectors ?? []) {
      const kind = resolveKind(sel.kind, this.known);
      if (kind === undefined) {
        if (!pe.unknown.includes(sel.kind)) pe.unknown.push(sel.kind);
        continue;
      }
      pe.selectors.push({ kind, namespace: p.metadata.namespace || sel.namespace, matches: compile(sel) });
    }
    for (const s of pe.selectors) {
      let byNs = this.policiesByKind.get(s.kind);
      if (!byNs) this.policiesByKind.set(s.kind, (byNs = new Map()));
      const slot = s.namespace ?? '*';
      byNs.set(slot, (byNs.get(slot) ?? new Set()).add(pe));
      const k = this.kinds.get(s.kind);
      const candidates = s.namespace !== undefined ? k?.byNamespace.get(s.namespace) : k?.all;
      for (const e of candidates?.values() ?? []) {
        if (pe.selected.has(e) || !s.matches(e.fed)) continue;
        select(pe, e);
        e.selecting.add(pe);
        e.conflicts = undefined;
      }
    }
  }

  private selects(pe: PolicyEntry, e: ObjectEntry): boolean {
    const ns = e.fed.metadata.namespace ?? '';
    return pe.selectors.some((s) => s.kind === e.targetKind && (s.namespace === undefined || s.namespace === ns) && s.matches(e.fed));
  }

  /** Policies of `key`'s family that share an object with it (their conflicts depend on it). */
  private neighbours(key: string): Set<string> {
    const out = new Set<string>();
    const pe = this.policies.get(key);
    if (!pe) return out;
    const family = isPropagation(pe.p);
    for (const e of pe.selected) {
      for (const other of e.selecting) if (other !== pe && isPropagation(other.p) === family) out.add(other.key);
    }
    return out;
  }

  private unlink(pe: PolicyEntry): void {
    for (const e of pe.selected) {
      e.selecting.delete(pe);
      e.conflicts = undefined;
    }
    pe.selected.clear();
    pe.top = undefined;
    for (const s of pe.selectors) this.policiesByKind.get(s.kind)?.get(s.namespace ?? '*')?.delete(pe);
  }

  private place(e: ObjectEntry): void {
    let k = this.kinds.get(e.targetKind);
    if (!k) this.kinds.set(e.targetKind, (k = { all: new Map(), byNamespace: new Map() }));
    k.all.set(e.id, e);
    const ns = e.fed.metadata.namespace ?? '';
    let m = k.byNamespace.get(ns);
    if (!m) k.byNamespace.set(ns, (m = new Map()));
    m.set(e.id, e);
  }

  private setFailures(e: ObjectEntry, next: Map<string, string[]>): void {
    for (const key of e.failures.keys()) if (!next.has(key)) this.failures.get(key)?.delete(e);
    for (const key of next.keys()) {
      let s = this.failures.get(key);
      if (!s) this.failures.set(key, (s = new Set()));
      s.add(e);
    }
    e.failures = next;
  }
}
