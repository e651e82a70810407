// One DNSProvider's publishing state between passes: its adapter (rebuilt when the
// spec or a referenced Secret changes), its zones and their publishers, and what the
// last pass achieved per zone and per source resource, from which both statuses are
// written. A pass publishes every zone; zones are independent (a failing zone does not
// stop the others), and within a zone every resource's endpoints are adjusted to the
// provider's abilities separately, so that one resource's routing cannot leak into
// another's records.
import type { DNSEndpointProviderStatus, DNSProviderZoneStatus } from '../../api/dns-provider.js';
import type { DNSEndpoint, Endpoint } from '../../api/multiclusterdns.js';
import { sleep, type Clock } from '../../runtime/clock.js';
import { errorMessage } from '../../runtime/errors.js';
import { TokenBucket } from '../../runtime/rate-limiter.js';
import { describeEndpoint, endpointKey } from '../endpoint.js';
import { RESOURCE_LABEL, type PlanPolicy } from '../plan.js';
import { isProviderError, type Provider, type ProviderErrorKind, type ProviderZone } from './provider.js';
import { desiredState, type SourceRef } from './source.js';
import type { EndpointScope } from '../ownership.js';
import { ZonePublisher } from './zone-publisher.js';

export interface PassResult {
  /** The first zone error's kind and message, when a zone failed. */
  error?: { kind: ProviderErrorKind | 'error'; message: string };
  zones: DNSProviderZoneStatus[];
  records: number;
  notes: string[];
  /** Per source resource id: this provider's entry for its status. */
  resources: Map<string, { ref: SourceRef; status: DNSEndpointProviderStatus }>;
  requests: number;
}

export class ProviderState {
  readonly provider: Provider;
  readonly specKey: string;
  private readonly bucket: TokenBucket;
  private zones: ProviderZone[] | undefined;
  private readonly publishers = new Map<string, ZonePublisher>();
  private lastResync = 0;
  private readonly lastSync = new Map<string, string>();
  /** Last time each resource's records were accepted, by resource id and generation. */
  private readonly published = new Map<string, { generation: number; at: string }>();

  constructor(
    provider: Provider,
    specKey: string,
    private readonly clock: Clock,
  ) {
    this.provider = provider;
    this.specKey = specKey;
    this.bucket = new TokenBucket(provider.limits.requestsPerSecond, provider.limits.burst, clock);
  }

  /** Forget zones and cached records when a resync is due; returns ms until the next one. */
  resyncDue(resyncMs: number): number {
    const now = this.clock.now();
    if (now - this.lastResync >= resyncMs) {
      this.zones = undefined;
      for (const p of this.publishers.values()) p.invalidate();
      this.lastResync = now;
      return resyncMs;
    }
    return resyncMs - (now - this.lastResync);
  }

  async pass(objects: readonly DNSEndpoint[], domains: readonly string[], ownerId: string, policy: PlanPolicy, signal: AbortSignal, scope?: EndpointScope): Promise<PassResult> {
    const result: PassResult = { zones: [], records: 0, notes: [], resources: new Map(), requests: 0 };
    if (!this.zones) {
      await this.pace(signal);
      this.zones = await this.provider.zones(domains, signal);
      result.requests++;
    }
    const zones = this.zones;
    const state = desiredState(objects, zones, domains, scope);
    const notes = new Set<string>();
    const now = new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    const perResource = new Map<string, { total: number; programmed: number; messages: string[] }>();
    const track = (id: string) => {
      let t = perResource.get(id);
      if (!t) perResource.set(id, (t = { total: 0, programmed: 0, messages: [] }));
      return t;
    };
    for (const { zone, byResource } of state.zones.values()) {
      const desired: Endpoint[] = [];
      for (const [id, endpoints] of byResource) {
        const adjusted = this.provider.adjust(endpoints);
        adjusted.notes.forEach((n) => notes.add(n));
        for (const e of adjusted.endpoints) desired.push({ ...e, labels: { ...(e.labels ?? {}), [RESOURCE_LABEL]: id } });
        track(id).total += adjusted.endpoints.length;
      }
      const publisher = this.publisher(zone, ownerId, policy);
      const zoneStatus: DNSProviderZoneStatus = { zone: zone.name, records: 0 };
      // What this zone's desired records were computed from: the sources and their versions.
      const inputKey = JSON.stringify([domains, [...byResource.keys()].map((id) => { const r = state.sources.get(id); return [id, r?.generation, r?.version]; })]);
      try {
        const r = await publisher.sync(desired, signal, inputKey);
        result.requests += r.requests + r.lists;
        zoneStatus.records = r.owned;
        // Only a pass that read or wrote the zone moves lastSync: a pass that found
        // nothing to do writes no status.
        if (r.applied > 0 || r.lists > 0 || !this.lastSync.has(zone.id)) this.lastSync.set(zone.id, now);
        zoneStatus.lastSync = this.lastSync.get(zone.id) ?? now;
        result.records += r.owned;
        for (const d of desired) {
          const id = d.labels?.[RESOURCE_LABEL] ?? '';
          if (r.programmed.has(endpointKey(d))) track(id).programmed++;
        }
        for (const c of r.conflicts) track(c.endpoint.labels?.[RESOURCE_LABEL] ?? '').messages.push(`${describeEndpoint(c.endpoint)}: ${c.reason}: ${c.message}`);
        for (const x of r.rejected) track(x.endpoint.labels?.[RESOURCE_LABEL] ?? '').messages.push(`${describeEndpoint(x.endpoint)}: rejected by the provider: ${x.message}`);
      } catch (err) {
        const message = errorMessage(err);
        zoneStatus.lastError = message;
        result.error ??= { kind: isProviderError(err) ? err.kind : 'error', message: `zone ${zone.name}: ${message}` };
        for (const id of byResource.keys()) track(id).messages.push(`zone ${zone.name}: ${message}`);
      }
      result.zones.push(zoneStatus);
    }
    for (const [id, t] of perResource) {
      const ref = state.sources.get(id);
      if (!ref) continue;
      const programmed = t.messages.length === 0 && t.programmed === t.total;
      if (programmed) this.published.set(id, { generation: ref.generation, at: this.published.get(id)?.generation === ref.generation ? (this.published.get(id)?.at ?? now) : now });
      const last = this.published.get(id);
      const status: DNSEndpointProviderStatus = { name: '', programmed, records: t.programmed };
      if (programmed) status.observedGeneration = ref.generation;
      if (t.messages.length > 0) status.message = t.messages.slice(0, 10).join('; ');
      else if (!programmed) status.message = `${t.total - t.programmed} of ${t.total} records not yet published`;
      if (last) status.lastPublished = last.at;
      result.resources.set(id, { ref, status });
    }
    result.notes = [...notes].sort();
    return result;
  }

  async close(): Promise<void> {
    await this.provider.close();
  }

  private publisher(zone: ProviderZone, ownerId: string, policy: PlanPolicy): ZonePublisher {
    const key = `${zone.id}\u0000${ownerId}\u0000${policy}`;
    let p = this.publishers.get(key);
    if (!p) {
      p = new ZonePublisher({ provider: this.provider, zone, ownerId, policy, bucket: this.bucket, clock: this.clock });
      this.publishers.set(key, p);
    }
    return p;
  }

  private async pace(signal: AbortSignal): Promise<void> {
    const wait = this.bucket.reserve();
    if (wait > 0) await sleep(wait, signal, this.clock);
  }
}
