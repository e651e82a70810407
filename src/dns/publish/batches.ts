// Packing a zone's changes into provider-sized batches, and isolating a record that the
// provider rejects without holding back the rest (external-dns fails the whole batch:
// its issues #1517 and #421).
//
// The unit of packing is a name: every change at one name (and the ownership TXT that
// claims it) goes into the same batch, so that a delete that a create needs (a CNAME
// turning into A records, a plain set becoming routed) is atomic with it. Batches are
// packed greedily with the provider's `fits`; a unit that does not fit alone is sent
// alone and the provider decides. When a batch is rejected it is split in halves until
// the rejected unit is alone; the others are applied, and the lone unit is reported.
import type { Endpoint } from '../../api/multiclusterdns.js';
import { normalizeDNSName } from '../naming.js';
import { changeCount, isProviderError, type ProviderLimits, type ZoneChanges } from './provider.js';

/** All changes at one name. */
export interface ChangeUnit {
  name: string;
  changes: ZoneChanges;
}

export function emptyChanges(): ZoneChanges {
  return { create: [], updateOld: [], updateNew: [], delete: [] };
}

export function mergeChanges(parts: readonly ZoneChanges[]): ZoneChanges {
  const out = emptyChanges();
  for (const p of parts) {
    out.create.push(...p.create);
    out.updateOld.push(...p.updateOld);
    out.updateNew.push(...p.updateNew);
    out.delete.push(...p.delete);
  }
  return out;
}

const CLAIM_PREFIX = /^(?:\*\.)?(?:a|aaaa|cname|mx|ns|ptr|srv|txt|caa|naptr|tlsa|dname)-/;

/** The name a change belongs to; an ownership TXT belongs to the name it claims. */
export function unitName(e: Endpoint): string {
  const name = normalizeDNSName(e.dnsName);
  if (e.recordType !== 'TXT' || !CLAIM_PREFIX.test(name)) return name;
  return name.startsWith('*.') ? `*.${name.slice(2).replace(CLAIM_PREFIX, '')}` : name.replace(CLAIM_PREFIX, '');
}

/** Splits changes into units by name, in name order. */
export function unitsOf(changes: ZoneChanges): ChangeUnit[] {
  const units = new Map<string, ZoneChanges>();
  const unit = (e: Endpoint): ZoneChanges => {
    const name = unitName(e);
    let u = units.get(name);
    if (!u) {
      u = emptyChanges();
      units.set(name, u);
    }
    return u;
  };
  for (const e of changes.create) unit(e).create.push(e);
  changes.updateNew.forEach((n, i) => {
    const o = changes.updateOld[i];
    if (!o) throw new Error(`changes: updateOld and updateNew are not aligned at ${i}`);
    const u = unit(n);
    u.updateNew.push(n);
    u.updateOld.push(o);
  });
  for (const e of changes.delete) unit(e).delete.push(e);
  return [...units].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, c]) => ({ name, changes: c }));
}

/**
 * Greedy packing of units into batches that `limits.fits`. The batch grows in place (a
 * unit that does not fit is taken back out), so packing n changes costs n appends and
 * n calls of `fits`, not n copies of a growing batch.
 */
export function packBatches(units: readonly ChangeUnit[], limits: Pick<ProviderLimits, 'fits'>): ChangeUnit[][] {
  const batches: ChangeUnit[][] = [];
  let current: ChangeUnit[] = [];
  let merged = emptyChanges();
  const lists = ['create', 'updateOld', 'updateNew', 'delete'] as const;
  for (const u of units) {
    const lengths = lists.map((k) => merged[k].length);
    for (const k of lists) merged[k].push(...u.changes[k]);
    if (current.length > 0 && !limits.fits(merged)) {
      lists.forEach((k, i) => (merged[k].length = lengths[i] ?? 0));
      batches.push(current);
      current = [];
      merged = mergeChanges([u.changes]);
    }
    current.push(u);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export interface RejectedUnit {
  unit: ChangeUnit;
  message: string;
}

export interface BatchOutcome {
  /** Units the provider accepted. */
  applied: ChangeUnit[];
  /** Units the provider refused, each alone. */
  rejected: RejectedUnit[];
  /** Requests sent. */
  requests: number;
}

/**
 * Applies one batch; when the provider rejects it, splits it in halves recursively so
 * that every acceptable unit is applied and each bad one is isolated. Errors other
 * than `rejected` propagate (the caller retries the remaining units later).
 */
export async function applyIsolating(batch: readonly ChangeUnit[], apply: (changes: ZoneChanges) => Promise<void>): Promise<BatchOutcome> {
  const out: BatchOutcome = { applied: [], rejected: [], requests: 0 };
  const run = async (units: readonly ChangeUnit[]): Promise<void> => {
    const changes = mergeChanges(units.map((u) => u.changes));
    if (changeCount(changes) === 0) return;
    out.requests++;
    try {
      await apply(changes);
      out.applied.push(...units);
    } catch (err) {
      if (!isProviderError(err) || err.kind !== 'rejected') throw err;
      const only = units[0];
      if (units.length === 1 && only) {
        out.rejected.push({ unit: only, message: err.message });
        return;
      }
      const half = Math.ceil(units.length / 2);
      await run(units.slice(0, half));
      await run(units.slice(half));
    }
  };
  await run(batch);
  return out;
}
