// ChangeResourceRecordSets batches: the changes for a ZoneChanges, and Route53's limits
// on one request (AWS "Quotas on API requests"): at most 1,000 ResourceRecord elements
// and 32,000 characters of Value elements, each counted twice in an UPSERT.
import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { Endpoint } from '../../src/dns/endpoint.js';
import type { ZoneChanges } from '../../src/dns/publish/provider.js';
import { recordSetKey, toRecordSets } from './record-sets.js';

export const MAX_RECORDS = 1000;
export const MAX_VALUE_CHARS = 32_000;

export interface BatchSize {
  records: number;
  chars: number;
}

function routingKind(s: ResourceRecordSet): string {
  if (s.Weight !== undefined) return 'weighted';
  if (s.Region !== undefined) return 'latency';
  if (s.Failover !== undefined) return 'failover';
  if (s.GeoLocation !== undefined) return 'geo';
  if (s.MultiValueAnswer) return 'multivalue';
  return s.SetIdentifier !== undefined ? 'other' : 'simple';
}

/**
 * An update is an UPSERT only when it keeps every set's identity and routing kind; else
 * DELETE + CREATE. Simple (non-routed) sets always take DELETE + CREATE: a DELETE must
 * match the current values exactly, so a writer that read a shared address set before
 * another owner changed it fails (and re-reads) instead of overwriting the other's targets.
 */
export function canUpsert(oldSets: readonly ResourceRecordSet[], newSets: readonly ResourceRecordSet[]): boolean {
  if (oldSets.length !== newSets.length) return false;
  if ([...oldSets, ...newSets].some((s) => routingKind(s) === 'simple')) return false;
  const before = new Map(oldSets.map((s) => [recordSetKey(s), routingKind(s)]));
  return newSets.every((s) => before.get(recordSetKey(s)) === routingKind(s));
}

/** One pair of an update, or a delete or create, as native changes. */
export function updateChanges(oldSets: readonly ResourceRecordSet[], newSets: readonly ResourceRecordSet[]): Change[] {
  if (canUpsert(oldSets, newSets)) return newSets.map((s) => ({ Action: 'UPSERT', ResourceRecordSet: s }));
  return [...oldSets.map((s): Change => ({ Action: 'DELETE', ResourceRecordSet: s })), ...newSets.map((s): Change => ({ Action: 'CREATE', ResourceRecordSet: s }))];
}

/** What a list of changes counts against the limits. Alias sets count as one record (conservative). */
export function batchSize(changes: readonly Change[]): BatchSize {
  let records = 0;
  let chars = 0;
  for (const c of changes) {
    const factor = c.Action === 'UPSERT' ? 2 : 1;
    const rrs = c.ResourceRecordSet?.ResourceRecords;
    if (rrs && rrs.length > 0) {
      records += rrs.length * factor;
      for (const r of rrs) chars += (r.Value ?? '').length * factor;
    } else {
      records += factor;
      chars += (c.ResourceRecordSet?.AliasTarget?.DNSName ?? '').length * factor;
    }
  }
  return { records, chars };
}

function setsOrEmpty(e: Endpoint): ResourceRecordSet[] {
  try {
    return toRecordSets(e);
  } catch {
    // Unmappable: apply rejects it on its own; let it into a batch so it can be isolated.
    return [];
  }
}

// Sizes of single creates and deletes, per endpoint object (the pipeline packs batches
// greedily, asking fits() for every record it adds; endpoints are not mutated).
const createSizes = new WeakMap<Endpoint, BatchSize>();

function add(a: BatchSize, b: BatchSize): void {
  a.records += b.records;
  a.chars += b.chars;
}

/** The size of a ZoneChanges as apply() would send it (health check ids do not count). */
export function zoneChangesSize(z: ZoneChanges, current: (e: Endpoint) => ResourceRecordSet[] | undefined): BatchSize {
  const size: BatchSize = { records: 0, chars: 0 };
  for (const e of z.delete) add(size, batchSize((current(e) ?? setsOrEmpty(e)).map((s) => ({ Action: 'DELETE', ResourceRecordSet: s }))));
  z.updateNew.forEach((n, i) => {
    const o = z.updateOld[i];
    add(size, batchSize(updateChanges(o ? (current(o) ?? setsOrEmpty(o)) : [], setsOrEmpty(n))));
  });
  for (const e of z.create) {
    let s = createSizes.get(e);
    if (!s) {
      s = batchSize(setsOrEmpty(e).map((x) => ({ Action: 'CREATE', ResourceRecordSet: x })));
      createSizes.set(e, s);
    }
    add(size, s);
  }
  return size;
}

export function withinLimits(size: BatchSize): boolean {
  return size.records <= MAX_RECORDS && size.chars <= MAX_VALUE_CHARS;
}
