// From the plan's endpoint changes to one Cloud DNS change. The plan speaks of
// endpoints (one per cluster); Cloud DNS of whole record sets. So the changes are
// grouped by (name, type), applied to what the adapter knows of that record set (its
// endpoints as last read or written), and the result is folded again: the change deletes
// the record set exactly as it exists and adds the new one (no upsert in Cloud DNS).
import { canonicalProps, canonicalTargets, describeEndpoint, type Endpoint } from '../../src/dns/endpoint.js';
import { normalizeDNSName } from '../../src/dns/naming.js';
import type { ZoneChanges } from '../../src/dns/publish/provider.js';
import { foldEndpoints, recordSetKey, type Folded } from './fold.js';
import type { ChangeBody, ResourceRecordSet } from './types.js';

/** What the adapter knows of one (name, type) in a zone. */
export interface KeyState {
  rrset?: ResourceRecordSet;
  companion?: ResourceRecordSet;
  endpoints: Endpoint[];
  /** True when read from Cloud DNS or written by the adapter; false for a guess from the plan's old records. */
  known: boolean;
  /** A routed record set without a matching companion: written by another tool or edited by hand; kfed leaves it alone. */
  foreign?: boolean;
}

export interface KeyChanges {
  create: Endpoint[];
  updateOld: Endpoint[];
  updateNew: Endpoint[];
  delete: Endpoint[];
}

/** `name\0TYPE`, the key of a Cloud DNS record set. */
export function rrsetKey(dnsName: string, type: string): string {
  return `${normalizeDNSName(dnsName)}\u0000${type}`;
}

export function groupChanges(c: ZoneChanges): Map<string, KeyChanges> {
  const out = new Map<string, KeyChanges>();
  const get = (e: Endpoint): KeyChanges => {
    const k = rrsetKey(e.dnsName, e.recordType);
    let kc = out.get(k);
    if (!kc) out.set(k, (kc = { create: [], updateOld: [], updateNew: [], delete: [] }));
    return kc;
  };
  for (const e of c.create) get(e).create.push(e);
  c.updateOld.forEach((old, i) => {
    const neu = c.updateNew[i];
    if (!neu) throw new Error(`update of ${describeEndpoint(old)} has no new record`);
    // A rename across keys is a deletion in one record set and a creation in another.
    if (rrsetKey(old.dnsName, old.recordType) !== rrsetKey(neu.dnsName, neu.recordType)) {
      get(old).delete.push(old);
      get(neu).create.push(neu);
    } else {
      const kc = get(old);
      kc.updateOld.push(old);
      kc.updateNew.push(neu);
    }
  });
  for (const e of c.delete) get(e).delete.push(e);
  return out;
}

function sameRecord(a: Endpoint, b: Endpoint): boolean {
  const form = (e: Endpoint): string => JSON.stringify([canonicalTargets(e.targets), e.recordTTL ?? 0, canonicalProps(e.providerSpecific)]);
  return form(a) === form(b);
}

/** A record the plan expected differs from what Cloud DNS holds. */
export class StaleRecordError extends Error {
  constructor(readonly endpoint: Endpoint, message: string) {
    super(message);
    this.name = 'StaleRecordError';
  }
}

/**
 * The endpoints of a record set after the changes. When the state is known, a change
 * whose precondition does not hold (the record to delete or update differs from the one
 * held, or a record to create exists with other data) throws StaleRecordError; a change
 * already made (deleting an absent set, creating an equal one) is accepted, so that a
 * retried change is idempotent.
 */
export function rebase(state: KeyState, kc: KeyChanges): Endpoint[] {
  const sets = new Map(state.endpoints.map((e) => [e.setIdentifier ?? '', e] as const));
  const check = (cur: Endpoint | undefined, ok: (cur: Endpoint) => boolean, e: Endpoint, what: string): void => {
    if (state.known && cur && !ok(cur)) throw new StaleRecordError(e, `${what} ${describeEndpoint(e)}: Cloud DNS holds other data`);
  };
  for (const d of kc.delete) {
    check(sets.get(d.setIdentifier ?? ''), (cur) => sameRecord(cur, d), d, 'delete');
    sets.delete(d.setIdentifier ?? '');
  }
  kc.updateOld.forEach((old, i) => {
    const neu = kc.updateNew[i] as Endpoint;
    check(sets.get(old.setIdentifier ?? ''), (cur) => sameRecord(cur, old) || sameRecord(cur, neu), old, 'update');
    sets.delete(old.setIdentifier ?? '');
    sets.set(neu.setIdentifier ?? '', neu);
  });
  for (const c of kc.create) {
    check(sets.get(c.setIdentifier ?? ''), (cur) => sameRecord(cur, c), c, 'create');
    sets.set(c.setIdentifier ?? '', c);
  }
  return [...sets.values()];
}

/** A guess at a record set the adapter has not read: the plan's old records of it. */
export function guessState(kc: KeyChanges): KeyState {
  const endpoints = [...kc.updateOld, ...kc.delete];
  if (endpoints.length === 0) return { endpoints: [], known: false };
  try {
    const f = foldEndpoints(endpoints);
    const s: KeyState = { rrset: f.rrset, endpoints, known: false };
    if (f.companion) s.companion = f.companion;
    return s;
  } catch {
    return { endpoints: [], known: false };
  }
}

/** One record set's part of a change: what to delete and add, and the state after. */
export interface KeyChange {
  key: string;
  deletions: ResourceRecordSet[];
  additions: ResourceRecordSet[];
  next: Folded | undefined;
  endpoints: Endpoint[];
}

function differs(a: ResourceRecordSet | undefined, b: ResourceRecordSet | undefined): boolean {
  if (!a || !b) return a !== b;
  return recordSetKey(a) !== recordSetKey(b);
}

/** The deletions and additions that take a record set from `state` to `endpoints` (none when equal). */
export function keyChange(key: string, state: KeyState, endpoints: Endpoint[]): KeyChange {
  const next = endpoints.length > 0 ? foldEndpoints(endpoints) : undefined;
  const deletions: ResourceRecordSet[] = [];
  const additions: ResourceRecordSet[] = [];
  if (differs(state.rrset, next?.rrset)) {
    if (state.rrset) deletions.push(state.rrset);
    if (next) additions.push(next.rrset);
  }
  // The companion's entries also change when only a cluster's properties do.
  const companionChanged = differs(state.companion, next?.companion) || JSON.stringify(state.companion?.rrdatas ?? []) !== JSON.stringify(next?.companion?.rrdatas ?? []);
  if (companionChanged) {
    if (state.companion) deletions.push(state.companion);
    if (next?.companion) additions.push(next.companion);
  }
  return { key, deletions, additions, next, endpoints };
}

export function changeBody(parts: readonly KeyChange[]): ChangeBody {
  return { additions: parts.flatMap((p) => p.additions), deletions: parts.flatMap((p) => p.deletions) };
}

/** The endpoints behind `entity.change.additions[i]` / `deletions[i]` in a Cloud DNS error, for `rejected`. */
export function endpointsNamedIn(message: string, parts: readonly KeyChange[], changes: KeyChanges[]): Endpoint[] {
  const out: Endpoint[] = [];
  for (const m of message.matchAll(/change\.(additions|deletions)\[(\d+)\]/g)) {
    const list = m[1] === 'additions' ? 'additions' : 'deletions';
    let i = Number(m[2]);
    for (const [n, p] of parts.entries()) {
      if (i < p[list].length) {
        const kc = changes[n];
        if (kc) out.push(...kc.create, ...kc.updateNew, ...kc.delete);
        break;
      }
      i -= p[list].length;
    }
  }
  return out;
}
