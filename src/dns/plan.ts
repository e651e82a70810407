// The Plan: a pure diff from current to desired DNS records, in external-dns's shape
// ({create, updateOld, updateNew, delete}), keyed by name + record type + set identifier.
//
// Ownership: a current record belongs to this kfed instance when its labels carry
// `kfed.io/owner` = ownerId (the registry reads that back from the provider). The plan
// never updates or deletes a record it does not own, and never creates a record that
// would collide with one it does not own; such desired records come back in `conflicts`
// so that the publisher can report them in the DNSEndpoint's status. A foreign record
// labelled `kfed.io/shared` is the rest of a shared address set: the plan may create its
// own record at that key beside it (the registry merges the two into one record set).
//
// Deterministic conflict resolution:
// - several desired endpoints with the same key (two DNSEndpoints wanting one name):
//   if they are identical they merge; otherwise the one from the resource that already
//   holds the record (label `kfed.io/resource`) wins, else the lowest by (resource
//   label, targets, TTL); the others are conflicts (DuplicateDesired);
// - records that cannot share a name (RFC 1034: a CNAME excludes all other data; and a
//   provider cannot mix a plain record set with set-identifier ones of the same type):
//   among desired records the address (non-CNAME) and plain ones win; against a record
//   owned by someone else ours is a conflict (OwnedByOther); an owned current record in
//   the way of a create is deleted in the same plan (a "replacement", e.g. a zone name
//   switching from CNAME fallback back to A). Apply deletes before creates for a name,
//   or both in one atomic change batch.
//
// Policies: `sync` applies everything; `upsert-only` never deletes, except replacements
// that a create at the same name requires (without them the create cannot succeed);
// `create-only` only creates, and drops creates that would need a replacement.
//
// Change detection compares canonical targets (case, trailing dot, IPv6 spelling and
// order do not matter), the TTL when the desired record sets one (0/unset = "provider
// default", as in external-dns), and providerSpecific in full: the registry must return
// the properties a record was written with, or every pass would update it.
//
// Inputs are treated as immutable (canonical forms are cached per endpoint object), and
// outputs are new objects except `updateOld` and `delete`, which are the current records
// exactly as given, so that providers can match them against what they read.
import type { Endpoint, RecordType } from '../api/multiclusterdns.js';
import { canonicalProps, canonicalTargets, compareEndpoints, endpointKey } from './endpoint.js';
import { compareText, normalizeDNSName } from './naming.js';

export type PlanPolicy = 'sync' | 'upsert-only' | 'create-only';

export const OWNER_LABEL = 'kfed.io/owner';
/** Which source object asked for a record, e.g. `dnsendpoint/ns/name`; used to keep a stable winner. */
export const RESOURCE_LABEL = 'kfed.io/resource';
/**
 * On a foreign record: the set holds other owners' targets but may take ours beside them
 * (a shared address set, see publish/registry.ts); it does not block a create at its key.
 */
export const SHARED_LABEL = 'kfed.io/shared';
/** As external-dns's `--managed-record-types` default. */
export const DEFAULT_MANAGED_TYPES: readonly RecordType[] = ['A', 'AAAA', 'CNAME'];

export interface PlanInput {
  desired: readonly Endpoint[];
  current: readonly Endpoint[];
  ownerId: string;
  /** Default `sync`. */
  policy?: PlanPolicy;
  /** Record types the plan looks at, in both lists; others are ignored. Default A, AAAA, CNAME. */
  managedRecordTypes?: readonly RecordType[];
}

export interface Changes {
  create: Endpoint[];
  updateOld: Endpoint[];
  updateNew: Endpoint[];
  delete: Endpoint[];
}

export type ConflictReason = 'OwnedByOther' | 'DuplicateDesired' | 'RecordTypeConflict' | 'InvalidEndpoint' | 'PolicyForbidsReplace';

export interface PlanConflict {
  /** The desired endpoint that was not planned. */
  endpoint: Endpoint;
  reason: ConflictReason;
  message: string;
}

export interface Plan extends Changes {
  conflicts: PlanConflict[];
}

export function hasChanges(c: Changes): boolean {
  return c.create.length + c.updateOld.length + c.updateNew.length + c.delete.length > 0;
}

/** Canonical forms of one endpoint, computed once per object (plans run over tens of thousands). */
interface Derived {
  name: string;
  key: string;
  targets: string[];
  targetsText: string;
  propsText: string;
}

const derivedCache = new WeakMap<Endpoint, Derived>();

function derive(e: Endpoint): Derived {
  let d = derivedCache.get(e);
  if (!d) {
    const targets = canonicalTargets(e.targets);
    d = { name: normalizeDNSName(e.dnsName), key: endpointKey(e), targets, targetsText: targets.join(','), propsText: JSON.stringify(canonicalProps(e.providerSpecific)) };
    derivedCache.set(e, d);
  }
  return d;
}

function nameKey(e: Endpoint): string {
  return derive(e).name;
}

function keyOf(e: Endpoint): string {
  return derive(e).key;
}

function sortedLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => compareText(a, b)));
}

/** Canonical copy of a desired endpoint, labelled with the owner. */
function owned(e: Endpoint, ownerId: string): Endpoint {
  const props = canonicalProps(e.providerSpecific);
  return {
    dnsName: normalizeDNSName(e.dnsName),
    recordType: e.recordType,
    ...(e.recordTTL !== undefined ? { recordTTL: e.recordTTL } : {}),
    targets: [...derive(e).targets],
    ...(e.setIdentifier ? { setIdentifier: e.setIdentifier } : {}),
    labels: sortedLabels({ ...(e.labels ?? {}), [OWNER_LABEL]: ownerId }),
    ...(props.length > 0 ? { providerSpecific: props } : {}),
  };
}

function ttlConfigured(ttl: number | undefined): ttl is number {
  return ttl !== undefined && ttl > 0;
}

/** True when `current` must be rewritten to become `desired`. */
export function needsUpdate(desired: Endpoint, current: Endpoint): boolean {
  const d = derive(desired);
  const c = derive(current);
  if (d.targetsText !== c.targetsText) return true;
  if (ttlConfigured(desired.recordTTL) && desired.recordTTL !== current.recordTTL) return true;
  return d.propsText !== c.propsText;
}

/**
 * True when two records at the same name cannot both exist: exactly one is a CNAME, or
 * they have the same type but only one of them has a set identifier.
 */
export function recordsCollide(a: Endpoint, b: Endpoint): boolean {
  if (nameKey(a) !== nameKey(b)) return false;
  if ((a.recordType === 'CNAME') !== (b.recordType === 'CNAME')) return true;
  const sa = a.setIdentifier ? 1 : 0;
  const sb = b.setIdentifier ? 1 : 0;
  return a.recordType === b.recordType && sa !== sb;
}

function candidateOrder(a: Endpoint, b: Endpoint): number {
  return (
    compareText(a.labels?.[RESOURCE_LABEL] ?? '', b.labels?.[RESOURCE_LABEL] ?? '') ||
    compareText(derive(a).targetsText, derive(b).targetsText) ||
    (a.recordTTL ?? 0) - (b.recordTTL ?? 0) ||
    compareText(derive(a).propsText, derive(b).propsText)
  );
}

function equivalent(a: Endpoint, b: Endpoint): boolean {
  // Same data from two sources is not worth a conflict; only the winner's labels are kept.
  return !needsUpdate(a, b) && !needsUpdate(b, a);
}

function groupBy(list: readonly Endpoint[], key: (e: Endpoint) => string): Map<string, Endpoint[]> {
  const m = new Map<string, Endpoint[]>();
  for (const e of list) {
    const k = key(e);
    const group = m.get(k);
    if (group) group.push(e);
    else m.set(k, [e]);
  }
  return m;
}

/** Records at the same name as `e` that collide with it (indexes keep the plan linear in the record count). */
function collisions(byName: Map<string, Endpoint[]>, e: Endpoint): Endpoint[] {
  return (byName.get(nameKey(e)) ?? []).filter((o) => o !== e && recordsCollide(o, e));
}

/** Compute the changes that move `current` to `desired` for records owned by `ownerId`. */
export function calculatePlan(input: PlanInput): Plan {
  const { ownerId } = input;
  if (ownerId.trim() === '') throw new Error('calculate DNS plan: ownerId must not be empty (records of every owner would look like ours)');
  const policy = input.policy ?? 'sync';
  const managed = new Set<RecordType>(input.managedRecordTypes ?? DEFAULT_MANAGED_TYPES);
  const conflicts: PlanConflict[] = [];
  const conflict = (endpoint: Endpoint, reason: ConflictReason, message: string): void => {
    conflicts.push({ endpoint, reason, message });
  };

  const current = input.current.filter((e) => managed.has(e.recordType));
  const isOwned = (e: Endpoint): boolean => e.labels?.[OWNER_LABEL] === ownerId;
  const ownedCurrent = groupBy(current.filter(isOwned), keyOf);
  const foreign = current.filter((e) => !isOwned(e));
  const foreignByKey = groupBy(foreign, keyOf);
  const foreignByName = groupBy(foreign, nameKey);

  // 1. Valid desired endpoints, one winner per key.
  const valid: Endpoint[] = [];
  for (const e of input.desired) {
    if (!managed.has(e.recordType)) continue;
    const { targets } = derive(e);
    if (nameKey(e) === '' || targets.length === 0) conflict(e, 'InvalidEndpoint', 'endpoint has no name or no targets');
    else if (e.recordType === 'CNAME' && targets.length > 1) conflict(e, 'InvalidEndpoint', 'a CNAME has exactly one target');
    else valid.push(e);
  }
  const winners: Endpoint[] = [];
  for (const [key, candidates] of groupBy(valid, keyOf)) {
    const held = ownedCurrent.get(key)?.[0]?.labels?.[RESOURCE_LABEL];
    const sorted = [...candidates].sort(candidateOrder);
    const winner = (held !== undefined ? sorted.find((c) => c.labels?.[RESOURCE_LABEL] === held) : undefined) ?? sorted[0];
    if (!winner) continue;
    winners.push(winner);
    for (const c of sorted) {
      if (c !== winner && !equivalent(c, winner)) conflict(c, 'DuplicateDesired', `another source wants ${key.replaceAll('\u0000', ' ')} with different data`);
    }
  }

  // 2. Desired records that collide with each other: address and plain records win.
  const rank = (e: Endpoint): number => (e.recordType === 'CNAME' ? 2 : 0) + (e.setIdentifier ? 1 : 0);
  const desired: Endpoint[] = [];
  const winnersByName = groupBy(winners, nameKey);
  for (const e of winners) {
    const rival = collisions(winnersByName, e).find((o) => rank(o) < rank(e));
    if (rival) conflict(e, 'RecordTypeConflict', `collides with desired ${rival.recordType} record at ${nameKey(e)}`);
    else desired.push(e);
  }

  // 3. Diff per key.
  const plan: Plan = { create: [], updateOld: [], updateNew: [], delete: [], conflicts };
  const desiredKeys = new Set<string>();
  for (const e of desired) {
    const key = keyOf(e);
    desiredKeys.add(key);
    const mine = ownedCurrent.get(key);
    const cur = mine?.[0];
    if (cur) {
      if (needsUpdate(e, cur)) {
        plan.updateOld.push(cur);
        plan.updateNew.push(owned(e, ownerId));
      }
      // Extra owned copies of one key (a registry hiccup) are cleaned up.
      plan.delete.push(...(mine ?? []).slice(1));
      continue;
    }
    const blocker = foreignByKey.get(key)?.find((f) => f.labels?.[SHARED_LABEL] !== 'true') ?? collisions(foreignByName, e)[0];
    if (blocker) {
      const who = blocker.labels?.[OWNER_LABEL];
      conflict(e, 'OwnedByOther', `${blocker.recordType} record at ${nameKey(e)} is owned by ${who ? JSON.stringify(who) : 'no kfed instance'}`);
      continue;
    }
    plan.create.push(owned(e, ownerId));
  }
  for (const [key, list] of ownedCurrent) {
    if (!desiredKeys.has(key)) plan.delete.push(...list);
  }

  return sortPlan(applyPolicy(plan, policy));
}

function applyPolicy(plan: Plan, policy: PlanPolicy): Plan {
  if (policy === 'sync') return plan;
  // Deletes that a create at the same name needs (type switch, plain <-> routed).
  const createsByName = groupBy(plan.create, nameKey);
  const required = (d: Endpoint): boolean => collisions(createsByName, d).length > 0;
  if (policy === 'upsert-only') return { ...plan, delete: plan.delete.filter(required) };
  const deletesByName = groupBy(plan.delete, nameKey);
  const conflicts = [...plan.conflicts];
  const create = plan.create.filter((c) => {
    const replaced = collisions(deletesByName, c)[0];
    if (replaced) conflicts.push({ endpoint: c, reason: 'PolicyForbidsReplace', message: `create-only policy: would replace owned ${replaced.recordType} record at ${nameKey(c)}` });
    return !replaced;
  });
  return { create, updateOld: [], updateNew: [], delete: [], conflicts };
}

function sortPlan(plan: Plan): Plan {
  // updateOld and updateNew stay index-aligned: sort the pairs together.
  const pairs = plan.updateNew.map((n, i) => ({ n, o: plan.updateOld[i] as Endpoint })).sort((a, b) => compareEndpoints(a.n, b.n));
  return {
    create: [...plan.create].sort(compareEndpoints),
    updateOld: pairs.map((p) => p.o),
    updateNew: pairs.map((p) => p.n),
    delete: [...plan.delete].sort(compareEndpoints),
    conflicts: [...plan.conflicts].sort((a, b) => compareEndpoints(a.endpoint, b.endpoint) || compareText(a.reason, b.reason)),
  };
}
