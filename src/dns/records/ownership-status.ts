// What the status of each object involved in a name conflict, a rejected record or a TTL
// mismatch should say, from one ownership Resolution (src/dns/ownership.ts). Pure: the
// NameOwnershipController compares it with what the objects carry and writes the
// difference. Conditions appear only while there is something to say, so an object
// without problems is never written to.
import type { Condition } from '../../api/meta.js';
import type { DNSEndpoint } from '../../api/multiclusterdns.js';
import { describeSource, isRenderedByKfed, sourceKey, type Resolution, type SourceId } from '../ownership.js';

/** The condition types this status owns (others on the objects are left alone). */
export const OWNERSHIP_CONDITIONS = ['NameConflict', 'RecordsRejected', 'TTLAdjusted'] as const;
export type OwnershipConditionType = (typeof OWNERSHIP_CONDITIONS)[number];

export type OwnershipReason = 'NameOwned' | 'NameContested' | 'UnsupportedRecord' | 'TTLMismatch';

export type OwnershipCondition = Condition & { type: OwnershipConditionType; reason: OwnershipReason };

/** Object keys: `dnsendpoint/<group>/<ns>/<name>`, `servicednsrecord/<ns>/<name>`, `ingressdnsrecord/<ns>/<name>`. */
export function endpointStatusKey(s: SourceId): string {
  return `dnsendpoint/${sourceKey(s)}`;
}

const RECORD_KEY_PREFIX: Readonly<Record<string, string>> = { ServiceDNSRecord: 'servicednsrecord', IngressDNSRecord: 'ingressdnsrecord' };

/** The record kfed rendered `obj` from, as a status key, or undefined. */
export function recordStatusKey(obj: DNSEndpoint): string | undefined {
  if (!isRenderedByKfed(obj)) return undefined;
  const ref = (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true && RECORD_KEY_PREFIX[r.kind]);
  return ref ? `${RECORD_KEY_PREFIX[ref.kind]}/${obj.metadata.namespace ?? ''}/${ref.name}` : undefined;
}

const MAX_ITEMS = 10;

function list(items: readonly string[]): string {
  const shown = items.slice(0, MAX_ITEMS).join(', ');
  return items.length > MAX_ITEMS ? `${shown} and ${items.length - MAX_ITEMS} more` : shown;
}

interface Notes {
  lost: string[];
  contested: string[];
  rejected: string[];
  ttl: string[];
}

/** Desired ownership conditions per object key; objects with nothing to say are absent. */
export function ownershipConditions(res: Resolution): Map<string, OwnershipCondition[]> {
  const notes = new Map<string, Notes>();
  const keysOf = new Map<string, string[]>();
  for (const a of res.accepted) {
    const keys = [endpointStatusKey(a.source)];
    const rec = recordStatusKey(a.object);
    if (rec) keys.push(rec);
    keysOf.set(sourceKey(a.source), keys);
  }
  const note = (s: SourceId, add: (n: Notes) => void): void => {
    for (const k of keysOf.get(sourceKey(s)) ?? [endpointStatusKey(s)]) {
      let n = notes.get(k);
      if (!n) notes.set(k, (n = { lost: [], contested: [], rejected: [], ttl: [] }));
      add(n);
    }
  };
  for (const c of res.conflicts) {
    note(c.owner, (n) => n.contested.push(`${c.name} (also claimed by ${c.losers.map(describeSource).join(', ')})`));
    for (const l of c.losers) note(l, (n) => n.lost.push(`${c.name} (owned by ${describeSource(c.owner)})`));
  }
  for (const r of res.rejections) note(r.source, (n) => n.rejected.push(`${r.dnsName} ${r.recordType}: ${r.message}`));
  for (const t of res.ttl) note(t.source, (n) => n.ttl.push(`${t.name} ${t.recordType}: TTLs ${t.ttls.map((v) => (v === 0 ? 'unset' : String(v))).join(', ')} -> ${t.used}`));

  const out = new Map<string, OwnershipCondition[]>();
  for (const [key, n] of notes) {
    const conds: OwnershipCondition[] = [];
    if (n.lost.length > 0 || n.contested.length > 0) {
      const parts: string[] = [];
      if (n.lost.length > 0) parts.push(`names owned by an older source, not served or published from this object: ${list(n.lost)}`);
      if (n.contested.length > 0) parts.push(`names this object owns that others also publish (theirs are ignored): ${list(n.contested)}`);
      conds.push({ type: 'NameConflict', status: 'True', reason: n.lost.length > 0 ? 'NameOwned' : 'NameContested', message: parts.join('; ') });
    }
    if (n.rejected.length > 0) conds.push({ type: 'RecordsRejected', status: 'True', reason: 'UnsupportedRecord', message: `not served or published: ${list(n.rejected)}` });
    if (n.ttl.length > 0) conds.push({ type: 'TTLAdjusted', status: 'True', reason: 'TTLMismatch', message: `one TTL per record set (RFC 2181 5.2), the lowest is used: ${list(n.ttl)}` });
    out.set(key, conds);
  }
  return out;
}
