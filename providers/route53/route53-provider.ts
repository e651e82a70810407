// Orchestration of the Route53 adapter: zone discovery with a cache, reading a zone's
// record sets (remembering the native sets each endpoint came from, which deletes and
// updates must name exactly), and applying one batch with the health checks it needs.
// Batching, splitting, pacing and backoff are the pipeline's (src/dns/publish).
import type { Change, HostedZone, ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { Route53Spec } from '../../src/api/dns-provider.js';
import type { Endpoint } from '../../src/dns/endpoint.js';
import { endpointKey } from '../../src/dns/endpoint.js';
import { compareText, normalizeDNSName } from '../../src/dns/naming.js';
import { decodeRouting } from '../../src/dns/routing.js';
import { ProviderError, type AdjustResult, type Provider, type ProviderContext, type ProviderLimits, type ProviderZone, type ZoneChanges } from '../../src/dns/publish/provider.js';
import { adjustEndpoints } from './adjust.js';
import { updateChanges, withinLimits, zoneChangesSize } from './change-batch.js';
import type { Route53Api } from './client.js';
import { HealthChecks } from './health-checks.js';
import { healthSpecOf } from './health-spec.js';
import { fromRecordSets, MappingError, MISSING_CHECK_PROP, toRecordSets, wantsHealthCheck } from './record-sets.js';

/** Route53 allows five API requests per second per account. */
export const REQUESTS_PER_SECOND = 5;
const ZONE_CACHE_MS = 5 * 60_000;

export function zoneIdOf(id: string): string {
  return id.replace(/^\/?hostedzone\//, '');
}

export class Route53Provider implements Provider {
  readonly type = 'route53' as const;
  readonly limits: ProviderLimits;
  private readonly managedChecks: boolean;
  private readonly checks: HealthChecks;
  private zoneCache: { at: number; zones: HostedZone[] } | undefined;
  /** Native sets per endpoint key, per zone, as last read or written. */
  private readonly native = new Map<string, Map<string, ResourceRecordSet[]>>();
  private readonly byObject = new WeakMap<Endpoint, ResourceRecordSet[]>();
  /** The last operation per zone: reads and writes of one zone run one at a time. */
  private readonly zoneTail = new Map<string, Promise<unknown>>();

  constructor(
    private readonly spec: Route53Spec,
    private readonly ctx: ProviderContext,
    readonly api: Route53Api,
    private readonly now: () => number = Date.now,
  ) {
    this.managedChecks = (spec.healthChecks ?? 'managed') === 'managed';
    this.checks = new HealthChecks(api, ctx.ownerId, ctx.logger);
    this.limits = {
      fits: (c) => withinLimits(zoneChangesSize(c, (e) => this.current(e))),
      requestsPerSecond: REQUESTS_PER_SECOND,
      burst: REQUESTS_PER_SECOND,
    };
  }

  async zones(domains: readonly string[], signal: AbortSignal): Promise<ProviderZone[]> {
    if (!this.zoneCache || this.now() - this.zoneCache.at > ZONE_CACHE_MS) {
      this.zoneCache = { at: this.now(), zones: await this.api.listHostedZones(signal) };
    }
    const wantIds = new Set((this.spec.zoneIds ?? []).map(zoneIdOf));
    const type = this.spec.zoneType ?? 'any';
    const usable = this.zoneCache.zones
      .map((z) => ({ id: zoneIdOf(z.Id ?? ''), name: normalizeDNSName(z.Name ?? ''), visibility: z.Config?.PrivateZone ? ('private' as const) : ('public' as const) }))
      .filter((z) => (wantIds.size === 0 || wantIds.has(z.id)) && (type === 'any' || z.visibility === type));
    const out = new Map<string, ProviderZone>();
    for (const raw of domains) {
      const domain = normalizeDNSName(raw);
      const matching = usable.filter((z) => z.name === domain || domain.endsWith(`.${z.name}`));
      for (const visibility of ['public', 'private'] as const) {
        const of = matching.filter((z) => z.visibility === visibility);
        const longest = Math.max(-1, ...of.map((z) => z.name.length));
        // The most specific zone; private zones of one name (one per VPC set) all count.
        for (const z of of) if (z.name.length === longest && (visibility === 'private' || !out.has(`public:${domain}`))) {
          out.set(visibility === 'public' ? `public:${domain}` : `private:${z.id}`, z);
        }
      }
    }
    return [...new Map([...out.values()].map((z) => [z.id, z])).values()];
  }

  /**
   * Runs `op` after every earlier operation on the zone: the health-check sweep of a read
   * and the checks an apply creates must not interleave, and the native-set cache must
   * follow the zone's order of changes.
   */
  private serialized<T>(zoneId: string, op: () => Promise<T>): Promise<T> {
    const prior = this.zoneTail.get(zoneId) ?? Promise.resolve();
    const run = prior.then(op, op);
    const tail = run.catch(() => undefined);
    this.zoneTail.set(zoneId, tail);
    void tail.then(() => {
      if (this.zoneTail.get(zoneId) === tail) this.zoneTail.delete(zoneId);
    });
    return run;
  }

  records(zone: ProviderZone, signal: AbortSignal): Promise<Endpoint[]> {
    return this.serialized(zone.id, () => this.readZone(zone, signal));
  }

  private async readZone(zone: ProviderZone, signal: AbortSignal): Promise<Endpoint[]> {
    const sets = await this.listed(zone, signal);
    const referenced = new Set(sets.flatMap((s) => (s.HealthCheckId ? [s.HealthCheckId] : [])));
    if (this.managedChecks) await this.checks.refresh(signal);
    const read = fromRecordSets(sets, (id) => this.checks.specOf(id));
    if (this.managedChecks) {
      // A set that should have a check and has none (written while healthChecks was
      // `none`, or by another tool) reads back different from what adjust() wants, so the
      // plan updates it and apply() creates its check.
      for (const r of read) {
        if (r.sets.some((s) => s.HealthCheckId) || !wantsHealthCheck(r.endpoint, decodeRouting(r.endpoint))) continue;
        r.endpoint.providerSpecific = [...(r.endpoint.providerSpecific ?? []), { name: MISSING_CHECK_PROP, value: 'missing' }].sort((a, b) => compareText(a.name, b.name));
      }
    }
    const byKey = new Map<string, ResourceRecordSet[]>();
    for (const r of read) {
      byKey.set(endpointKey(r.endpoint), r.sets);
      this.byObject.set(r.endpoint, r.sets);
    }
    this.native.set(zone.id, byKey);
    if (this.managedChecks) {
      try {
        await this.checks.sweep(zone.id, referenced, signal);
      } catch (err) {
        // The sweep is housekeeping: the zone was read; the next resync tries again.
        this.ctx.logger.warn({ zone: zone.name, err: String(err) }, 'health check sweep failed');
      }
    }
    return read.map((r) => r.endpoint);
  }

  private async listed(zone: ProviderZone, signal: AbortSignal): Promise<ResourceRecordSet[]> {
    try {
      return await this.api.listRecordSets(zone.id, signal);
    } catch (err) {
      this.forgetZonesOn(err);
      throw err;
    }
  }

  private forgetZonesOn(err: unknown): void {
    if ((err as { cause?: { name?: string } }).cause?.name === 'NoSuchHostedZone') this.zoneCache = undefined;
  }

  /** The native sets an endpoint read from Route53 came from. */
  private current(e: Endpoint): ResourceRecordSet[] | undefined {
    return this.byObject.get(e) ?? [...this.native.values()].find((m) => m.has(endpointKey(e)))?.get(endpointKey(e));
  }

  private currentIn(zoneId: string, e: Endpoint): ResourceRecordSet[] {
    return this.byObject.get(e) ?? this.native.get(zoneId)?.get(endpointKey(e)) ?? toRecordSets(e);
  }

  apply(zone: ProviderZone, changes: ZoneChanges, signal: AbortSignal): Promise<void> {
    return this.serialized(zone.id, () => this.applyBatch(zone, changes, signal));
  }

  private async applyBatch(zone: ProviderZone, changes: ZoneChanges, signal: AbortSignal): Promise<void> {
    const all = [...changes.delete, ...changes.updateOld, ...changes.updateNew, ...changes.create];
    // 1. Map everything first: a record Route53 cannot hold fails the batch before any call.
    const bad: Endpoint[] = [];
    const reasons: string[] = [];
    const mapped = new Map<Endpoint, ResourceRecordSet[]>();
    const written = new Set([...changes.create, ...changes.updateNew]);
    for (const e of all) {
      try {
        mapped.set(e, written.has(e) ? toRecordSets(e) : this.currentIn(zone.id, e));
      } catch (err) {
        if (!(err instanceof MappingError)) throw err;
        bad.push(e);
        reasons.push(err.message);
      }
    }
    if (bad.length > 0) throw new ProviderError('rejected', `zone ${zone.name}: ${reasons.join('; ')}`, { rejected: bad });

    // 2. Health checks: reuse a check that covers the same targets, else create one.
    const oldIds = [...changes.delete, ...changes.updateOld].flatMap((e) => (mapped.get(e) ?? []).flatMap((s) => (s.HealthCheckId ? [s.HealthCheckId] : [])));
    if (this.managedChecks && oldIds.length > 0) await this.checks.learnIds(oldIds, signal);
    const created: string[] = [];
    const reused = new Set<string>();
    try {
      const withCheck = async (e: Endpoint, old: Endpoint | undefined): Promise<void> => {
        if (!this.managedChecks || !wantsHealthCheck(e, decodeRouting(e))) return;
        const spec = healthSpecOf(e);
        const prior = old ? mapped.get(old)?.[0]?.HealthCheckId : undefined;
        let id: string | undefined;
        if (prior && this.checks.reusable(prior, e.targets, spec)) {
          id = prior;
          reused.add(prior);
        } else {
          const ids = await this.checks.create(zone.id, e, spec, signal);
          created.push(...ids);
          id = HealthChecks.attachId(ids);
        }
        for (const s of mapped.get(e) ?? []) if (id) s.HealthCheckId = id;
      };
      for (let i = 0; i < changes.updateNew.length; i++) await withCheck(changes.updateNew[i] as Endpoint, changes.updateOld[i]);
      for (const e of changes.create) await withCheck(e, undefined);

      // 3. One atomic batch: deletes, then updates (UPSERT, or DELETE + CREATE when the
      //    routing kind or set identifier changes), then creates.
      const batch: Change[] = [];
      for (const e of changes.delete) for (const s of mapped.get(e) ?? []) batch.push({ Action: 'DELETE', ResourceRecordSet: s });
      changes.updateNew.forEach((n, i) => {
        const o = changes.updateOld[i];
        batch.push(...updateChanges(o ? (mapped.get(o) ?? []) : [], mapped.get(n) ?? []));
      });
      for (const e of changes.create) for (const s of mapped.get(e) ?? []) batch.push({ Action: 'CREATE', ResourceRecordSet: s });
      if (batch.length > 0) await this.api.changeRecordSets(zone.id, batch, all, signal);
    } catch (err) {
      if (created.length > 0) await this.checks.discard(created, new AbortController().signal).catch(() => undefined);
      this.forgetZonesOn(err);
      throw err;
    }
    this.checks.commit(created);
    this.remember(zone.id, changes, mapped);

    // 4. Checks the batch left unreferenced; a failure here waits for the next sweep.
    const released = [...new Set(oldIds)].filter((id) => !reused.has(id) && this.checks.isOwned(id));
    if (released.length > 0) {
      await this.checks.discard(released, signal).catch((err: unknown) => this.ctx.logger.warn({ zone: zone.name, err: String(err) }, 'could not delete released health checks'));
    }
    this.ctx.logger.debug({ zone: zone.name, create: changes.create.length, update: changes.updateNew.length, delete: changes.delete.length }, 'applied change batch');
  }

  private remember(zoneId: string, changes: ZoneChanges, mapped: Map<Endpoint, ResourceRecordSet[]>): void {
    const byKey = this.native.get(zoneId) ?? new Map<string, ResourceRecordSet[]>();
    for (const e of [...changes.delete, ...changes.updateOld]) byKey.delete(endpointKey(e));
    for (const e of [...changes.updateNew, ...changes.create]) {
      const sets = mapped.get(e) ?? [];
      byKey.set(endpointKey(e), sets);
      this.byObject.set(e, sets);
    }
    this.native.set(zoneId, byKey);
  }

  adjust(desired: readonly Endpoint[]): AdjustResult {
    return adjustEndpoints(desired, { healthChecks: this.managedChecks });
  }

  async close(): Promise<void> {
    this.api.close();
  }
}
