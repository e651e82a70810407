// What one Cloud DNS change may hold. The per-change quotas come from projects.get;
// until the first read the adapter assumes Cloud DNS's documented defaults, the smallest
// values a project has. Counting is in record sets, not endpoints: a routed name's
// endpoints fold into one record set (plus its companion), and an update is one
// deletion and one addition of the whole record set.
import type { ProjectQuota, ResourceRecordSet } from './types.js';

export interface ChangeQuota {
  additions: number;
  deletions: number;
  /** Bytes of rrdata in additions and deletions together. */
  rrdataBytes: number;
}

export const DEFAULT_QUOTA: ChangeQuota = { additions: 100, deletions: 100, rrdataBytes: 10_000 };

/** The change quota from a projects.get answer; missing or non-positive fields keep the default. */
export function changeQuota(q: ProjectQuota | undefined): ChangeQuota {
  const pick = (v: number | undefined, d: number): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : d);
  return {
    additions: pick(q?.rrsetAdditionsPerChange, DEFAULT_QUOTA.additions),
    deletions: pick(q?.rrsetDeletionsPerChange, DEFAULT_QUOTA.deletions),
    rrdataBytes: pick(q?.totalRrdataSizePerChange, DEFAULT_QUOTA.rrdataBytes),
  };
}

/** Bytes of rrdata a record set carries, routing items and health-checked addresses included. */
export function rrdataSize(r: ResourceRecordSet | undefined): number {
  if (!r) return 0;
  const sum = (xs: readonly string[] | undefined): number => (xs ?? []).reduce((n, x) => n + Buffer.byteLength(x), 0);
  const p = r.routingPolicy;
  let n = sum(r.rrdatas);
  for (const i of p?.wrr?.items ?? []) n += sum(i.rrdatas) + sum(i.healthCheckedTargets?.externalEndpoints);
  for (const i of p?.geo?.items ?? []) n += sum(i.rrdatas) + sum(i.healthCheckedTargets?.externalEndpoints);
  if (p?.primaryBackup) {
    n += sum(p.primaryBackup.primaryTargets.externalEndpoints);
    for (const i of p.primaryBackup.backupGeoTargets.items) n += sum(i.rrdatas);
  }
  return n;
}

export interface ChangeSize {
  additions: number;
  deletions: number;
  rrdataBytes: number;
}

export function changeSize(additions: readonly ResourceRecordSet[], deletions: readonly ResourceRecordSet[]): ChangeSize {
  const bytes = [...additions, ...deletions].reduce((n, r) => n + rrdataSize(r), 0);
  return { additions: additions.length, deletions: deletions.length, rrdataBytes: bytes };
}

export function withinQuota(size: ChangeSize, q: ChangeQuota): boolean {
  return size.additions <= q.additions && size.deletions <= q.deletions && size.rrdataBytes <= q.rrdataBytes;
}

/**
 * Pacing for one provider account. Cloud DNS meters API requests per project per
 * minute; these are kept well below its default so that several kfed instances (or
 * other tools) sharing a project are not throttled into each other.
 */
export const REQUESTS_PER_SECOND = 5;
export const BURST = 10;
