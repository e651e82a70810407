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
import { calculatePlan, needsUpdate, OWNER_LABEL, type Plan, type PlanConflict, type PlanPolicy } from '../plan.js';
import { applyIsolating, packBatches, unitName, unitsOf, type ChangeUnit } from './batches.js';
import { isProviderError, type Provider, type ProviderZone, type ZoneChanges } from './provider.js';
import { isClaimSet } from './claims.js';
import { readRegistry, withOwnership } from './registry.js';

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

/** Names are planned in this many groups; a change re-plans only the groups it touches. */
const SHARDS = 256;

interface Shard {
  /** The zone's records whose unit name falls in this shard (claims with the name they claim). */
  cache: Map<string, Endpoint>;
  /** Fingerprint of the desired endpoints the last pass planned, and what it found. */
  lastKey?: string;
  last?: ShardResult;
}

interface ShardResult {
  owned: number;
  conflicts: PlanConflict[];
  rejected: RejectedRecord[];
  programmed: string[];
}

function shardOf(e: Endpoint): number {
  const name = unitName(e);
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return (h >>> 0) % SHARDS;
}

export class ZonePublisher {
  private readonly o: ZonePublisherOptions;
  /** Undefined until the zone was read, and after invalidate(). */
  private shards: Map<number, Shard> | undefined;
  private last: { inputKey: string; result: ZoneSyncResult } | undefined;

  constructor(o: ZonePublisherOptions) {
    this.o = o;
  }

  get zone(): ProviderZone {
    return this.o.zone;
  }

  /** Forget the cached records: the next pass re-lists the zone. */
  invalidate(): void {
    this.shards = undefined;
    this.last = undefined;
  }

  /**
   * One pass. `inputKey` identifies the desired input (e.g. the source objects' ids and
   * generations): when it and the cache are unchanged since the last pass, nothing can
   * have changed and the last result is returned without planning. Otherwise names are
   * planned in shards, and a shard whose desired records and cached records did not
   * change keeps its last result: an edit of one record re-plans a few dozen names, not
   * the zone.
   */
  async sync(desired: readonly Endpoint[], signal: AbortSignal, inputKey?: string): Promise<ZoneSyncResult> {
    if (inputKey !== undefined && this.shards && this.last && this.last.inputKey === inputKey) {
      return { ...this.last.result, applied: 0, requests: 0, lists: 0 };
    }
    this.last = undefined;
    let lists = 0;
    if (!this.shards) {
      await this.pace(signal);
      const records = await this.o.provider.records(this.o.zone, signal);
      this.shards = new Map();
      for (const r of records) this.shard(shardOf(r)).cache.set(endpointKey(r), r);
      lists++;
    }
    const shards = this.shards;
    const desiredByShard = new Map<number, Endpoint[]>();
    for (const d of desired) {
      const i = shardOf(d);
      const list = desiredByShard.get(i);
      if (list) list.push(d);
      else desiredByShard.set(i, [d]);
    }
    const result: ZoneSyncResult = { owned: 0, applied: 0, requests: 0, lists, conflicts: [], rejected: [], programmed: new Set() };
    const planned: { index: number; key: string; desired: Endpoint[]; plan: Plan }[] = [];
    const units: ChangeUnit[] = [];
    for (const index of new Set([...desiredByShard.keys(), ...shards.keys()])) {
      const shard = this.shard(index);
      const want = desiredByShard.get(index) ?? [];
      const key = fingerprint(want);
      if (shard.lastKey === key && shard.last) continue;
      const view = readRegistry([...shard.cache.values()], this.o.ownerId);
      const plan = calculatePlan({ desired: want, current: view.records, ownerId: this.o.ownerId, policy: this.o.policy });
      units.push(...unitsOf(withOwnership(plan, view, this.o.ownerId)));
      planned.push({ index, key, desired: want, plan });
    }
    const rejectedKeys = new Set<string>();
    try {
      for (const batch of packBatches(units, this.o.provider.limits)) {
        const outcome = await applyIsolating(batch, (c) => this.applyWithRetry(c, signal, result));
        for (const unit of outcome.applied) this.remember(unit);
        for (const r of outcome.rejected) {
          const records = [...r.unit.changes.create, ...r.unit.changes.updateNew].filter((e) => !isClaimSet(e));
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
    for (const p of planned) {
      const shard = this.shard(p.index);
      const rejected = result.rejected.filter((r) => shardOf(r.endpoint) === p.index);
      shard.last = { owned: this.ownedIn(shard), conflicts: p.plan.conflicts, rejected, programmed: this.programmed(shard, p.desired, p.plan, rejectedKeys) };
      shard.lastKey = p.key;
    }
    result.rejected = [];
    for (const shard of shards.values()) {
      const r = shard.last;
      if (!r) continue;
      result.owned += r.owned;
      result.conflicts.push(...r.conflicts);
      result.rejected.push(...r.rejected);
      for (const k of r.programmed) result.programmed.add(k);
    }
    if (inputKey !== undefined) this.last = { inputKey, result };
    return result;
  }

  /** Keys of a shard's desired endpoints the zone now holds as desired. */
  private programmed(shard: Shard, desired: readonly Endpoint[], plan: Plan, rejectedKeys: ReadonlySet<string>): string[] {
    if (this.o.policy === 'create-only') {
      // Updates are dropped by the policy: compare with what the zone holds.
      const after = readRegistry([...shard.cache.values()], this.o.ownerId);
      const byKey = new Map(after.records.filter((r) => r.labels?.[OWNER_LABEL] === this.o.ownerId).map((r) => [endpointKey(r), r]));
      return desired.filter((d) => {
        const held = byKey.get(endpointKey(d));
        return held !== undefined && !needsUpdate(d, held);
      }).map(endpointKey);
    }
    // Every desired record is held as desired now, except conflicts and rejections.
    const refused = new Set([...plan.conflicts.map((c) => endpointKey(c.endpoint)), ...rejectedKeys]);
    return desired.map(endpointKey).filter((k) => !refused.has(k));
  }

  /** Record sets (or slices of shared ones) the owner holds in a shard's cache. */
  private ownedIn(shard: Shard): number {
    return readRegistry([...shard.cache.values()], this.o.ownerId).records.filter((r) => r.labels?.[OWNER_LABEL] === this.o.ownerId && r.targets.length > 0).length;
  }

  private shard(index: number): Shard {
    const shards = (this.shards ??= new Map());
    let s = shards.get(index);
    if (!s) shards.set(index, (s = { cache: new Map() }));
    return s;
  }

  /** Applies a unit's changes to the cache. */
  private remember(unit: ChangeUnit): void {
    if (!this.shards) return;
    const c = unit.changes;
    const any = c.create[0] ?? c.updateNew[0] ?? c.delete[0];
    if (!any) return;
    const index = shardOf(any);
    const cache = this.shard(index).cache;
    for (const e of [...c.delete, ...c.updateOld]) cache.delete(endpointKey(e));
    for (const e of [...c.create, ...c.updateNew]) cache.set(endpointKey(e), withoutLabels(e));
    // The shard's records changed: plan it again next pass.
    delete this.shard(index).lastKey;
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

/** Desired endpoints as text, order-independent: equal input, equal plan. */
function fingerprint(desired: readonly Endpoint[]): string {
  return desired.map((e) => JSON.stringify([e.dnsName, e.recordType, e.setIdentifier, e.recordTTL, e.targets, e.providerSpecific, e.labels])).sort().join('\n');
}

function recordChanges(u: ChangeUnit): number {
  const c = u.changes;
  return [...c.create, ...c.updateNew, ...c.delete].filter((e) => !isClaimSet(e)).length;
}

function withoutLabels(e: Endpoint): Endpoint {
  const { labels: _labels, ...rest } = e;
  return rest;
}
