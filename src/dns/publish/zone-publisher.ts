// Publishes one zone of one provider: desired endpoints in, provider changes out.
//
// The zone's records are listed once and then kept in a cache that is updated from this
// publisher's own successful writes, so a change to one record costs one change
// request, not a re-list of the zone (external-dns re-lists every interval and throttles
// on large zones: its issues #1293, #3397). The cache is dropped, and the zone re-listed,
// on the periodic resync, after a `conflict` (someone else changed the zone) and after
// any failure that may have left a batch half-known.
//
// A pass: registry view of the cache -> plan (policy, owner) -> ownership TXT changes
// -> batches that fit the provider -> each batch paced by the provider's token bucket,
// rejected batches split until the bad name is isolated, throttling retried with
// jittered backoff. The result says, per source resource, what is programmed.
import type { Endpoint } from '../../api/multiclusterdns.js';
import type { Clock } from '../../runtime/clock.js';
import { sleep } from '../../runtime/clock.js';
import type { TokenBucket } from '../../runtime/rate-limiter.js';
import { endpointKey } from '../endpoint.js';
import { calculatePlan, needsUpdate, OWNER_LABEL, type PlanConflict, type PlanPolicy } from '../plan.js';
import { applyIsolating, packBatches, unitsOf, type ChangeUnit } from './batches.js';
import { isProviderError, type Provider, type ProviderZone, type ZoneChanges } from './provider.js';
import { parseClaim, readRegistry, withOwnership } from './registry.js';

export interface ZonePublisherOptions {
  provider: Provider;
  zone: ProviderZone;
  ownerId: string;
  policy: PlanPolicy;
  /** Shared by every zone of one provider account. */
  bucket: TokenBucket;
  clock: Clock;
  /** Attempts of one batch on throttling or unavailability before the pass fails. Default 5. */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt, with jitter. Default 200 ms. */
  baseDelayMs?: number;
}

export interface RejectedRecord {
  endpoint: Endpoint;
  message: string;
}

export interface ZoneSyncResult {
  /** Record sets (not claims) this owner holds in the zone after the pass. */
  owned: number;
  /** Record changes applied (claims not counted). */
  applied: number;
  /** Change requests sent, and list passes made. */
  requests: number;
  lists: number;
  conflicts: PlanConflict[];
  rejected: RejectedRecord[];
  /** Keys of desired endpoints that the zone now holds as desired. */
  programmed: Set<string>;
}

export class ZonePublisher {
  private readonly o: ZonePublisherOptions;
  private cache: Map<string, Endpoint> | undefined;
  private last: { inputKey: string; result: ZoneSyncResult } | undefined;

  constructor(o: ZonePublisherOptions) {
    this.o = o;
  }

  get zone(): ProviderZone {
    return this.o.zone;
  }

  /** Forget the cached records: the next pass re-lists the zone. */
  invalidate(): void {
    this.cache = undefined;
    this.last = undefined;
  }

  /**
   * One pass. `inputKey` identifies the desired input (e.g. the source objects' ids and
   * generations): when it and the cache are unchanged since the last pass, nothing can
   * have changed and the last result is returned without planning (a change elsewhere
   * costs this zone nothing).
   */
  async sync(desired: readonly Endpoint[], signal: AbortSignal, inputKey?: string): Promise<ZoneSyncResult> {
    if (inputKey !== undefined && this.cache && this.last && this.last.inputKey === inputKey) {
      return { ...this.last.result, applied: 0, requests: 0, lists: 0 };
    }
    this.last = undefined;
    let lists = 0;
    if (!this.cache) {
      await this.pace(signal);
      const records = await this.o.provider.records(this.o.zone, signal);
      this.cache = new Map(records.map((r) => [endpointKey(r), r]));
      lists++;
    }
    const view = readRegistry([...this.cache.values()]);
    const plan = calculatePlan({ desired, current: view.records, ownerId: this.o.ownerId, policy: this.o.policy });
    const changes = withOwnership(plan, view, this.o.ownerId);
    const result: ZoneSyncResult = { owned: 0, applied: 0, requests: 0, lists, conflicts: plan.conflicts, rejected: [], programmed: new Set() };
    let owned = view.records.filter((r) => r.labels?.[OWNER_LABEL] === this.o.ownerId && r.targets.length > 0).length;
    const rejectedKeys = new Set<string>();
    try {
      for (const batch of packBatches(unitsOf(changes), this.o.provider.limits)) {
        const outcome = await applyIsolating(batch, (c) => this.applyWithRetry(c, signal, result));
        for (const unit of outcome.applied) {
          this.remember(unit);
          owned += unit.changes.create.filter((e) => !isClaim(e)).length - unit.changes.delete.filter((e) => !isClaim(e)).length;
        }
        for (const r of outcome.rejected) {
          const records = [...r.unit.changes.create, ...r.unit.changes.updateNew].filter((e) => !isClaim(e));
          for (const endpoint of records.length > 0 ? records : r.unit.changes.delete) {
            result.rejected.push({ endpoint, message: r.message });
            rejectedKeys.add(endpointKey(endpoint));
          }
        }
        result.applied += outcome.applied.reduce((n, u) => n + recordChanges(u), 0);
      }
    } catch (err) {
      // A batch may have been applied before the failure was seen: re-read next time.
      this.invalidate();
      throw err;
    }
    result.owned = owned;
    if (this.o.policy === 'create-only') {
      // Updates are dropped by the policy: compare with what the zone holds.
      const after = readRegistry([...this.cache.values()]);
      const byKey = new Map(after.records.filter((r) => r.labels?.[OWNER_LABEL] === this.o.ownerId).map((r) => [endpointKey(r), r]));
      for (const d of desired) {
        const held = byKey.get(endpointKey(d));
        if (held && !needsUpdate(d, held)) result.programmed.add(endpointKey(d));
      }
    } else {
      // Every desired record is held as desired now, except conflicts and rejections.
      const refused = new Set([...plan.conflicts.map((c) => endpointKey(c.endpoint)), ...rejectedKeys]);
      for (const d of desired) if (!refused.has(endpointKey(d))) result.programmed.add(endpointKey(d));
    }
    if (inputKey !== undefined) this.last = { inputKey, result };
    return result;
  }

  private remember(unit: ChangeUnit): void {
    const cache = this.cache;
    if (!cache) return;
    const c = unit.changes;
    for (const e of [...c.delete, ...c.updateOld]) cache.delete(endpointKey(e));
    for (const e of [...c.create, ...c.updateNew]) cache.set(endpointKey(e), withoutLabels(e));
  }

  private async applyWithRetry(changes: ZoneChanges, signal: AbortSignal, result: ZoneSyncResult): Promise<void> {
    const max = this.o.maxAttempts ?? 5;
    const base = this.o.baseDelayMs ?? 200;
    for (let attempt = 1; ; attempt++) {
      await this.pace(signal);
      result.requests++;
      try {
        await this.o.provider.apply(this.o.zone, changes, signal);
        return;
      } catch (err) {
        const retry = isProviderError(err) && (err.kind === 'throttled' || err.kind === 'unavailable') && attempt < max && !signal.aborted;
        if (!retry) throw err;
        const backoff = base * 2 ** (attempt - 1);
        const delay = Math.max(err.retryAfterMs ?? 0, backoff / 2 + Math.random() * backoff);
        await sleep(delay, signal, this.o.clock);
      }
    }
  }

  private async pace(signal: AbortSignal): Promise<void> {
    const wait = this.o.bucket.reserve();
    if (wait > 0) await sleep(wait, signal, this.o.clock);
  }
}

function isClaim(e: Endpoint): boolean {
  return e.recordType === 'TXT' && e.targets.length === 1 && (e.targets[0]?.startsWith('heritage=') ?? false) && parseClaim(e.targets[0] ?? '') !== undefined;
}

function recordChanges(u: ChangeUnit): number {
  const c = u.changes;
  return [...c.create, ...c.updateNew, ...c.delete].filter((e) => !isClaim(e)).length;
}

function withoutLabels(e: Endpoint): Endpoint {
  const { labels: _labels, ...rest } = e;
  return rest;
}
