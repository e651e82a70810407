// Pure mapping between kfed's endpoints and Cloud DNS record sets. kfed renders a routed
// name as one endpoint per cluster (set identifier = cluster); Cloud DNS holds one record
// set per (name, type) whose routing policy lists items. Folding builds that record set
// (plus its companion, see companion.ts); unfolding gives back the endpoints.
//
// What each policy becomes (docs/providers/clouddns.md):
// - weighted: `wrr`, one item per cluster with its weight, in set-identifier order;
// - geo: `geo`, one item per GCP region that the cluster's geo codes map to (regions.ts);
//   `*` (the default set) maps to the cluster's own region; clusters landing on one
//   region share its item (the union of their targets);
// - latency: no Cloud DNS primitive; `geo` by each cluster's own region, which is what
//   "nearest region" means to Cloud DNS's geo routing;
// - failover: A/AAAA with both roles present, and a health check to use (the endpoints
//   carry HEALTH_CHECK_PROPERTY, set by `adjust` from `cloudDNS.healthCheck`), become
//   `primaryBackup`: the primaries' addresses as external endpoints checked by that
//   health check, the secondaries as a geo backup by region. Cloud DNS checks external
//   endpoints only with a health check, so without one, other types, or one role only,
//   failover falls back to geo by region.
// Item data are plain rrdatas: kfed knows addresses, not the forwarding rules Cloud DNS
// needs for internal load-balancer health checks.
import { compareText, normalizeDNSName } from '../../src/dns/naming.js';
import { canonicalTarget } from '../../src/dns/naming.js';
import type { Endpoint, RecordType } from '../../src/dns/endpoint.js';
import { decodeRouting, type RoutedPolicy, type RoutingInfo } from '../../src/dns/routing.js';
import { companionEntries, companionRecordSet } from './companion.js';
import { fqdn, relativeName, rrdataToTarget, targetToRrdata } from './rdata.js';
import { FALLBACK_LOCATION, gcpRegionOf, gcpRegionOfContinent, gcpRegionOfCountry } from './regions.js';
import type { GeoPolicy, GeoPolicyItem, ResourceRecordSet, RoutingPolicy } from './types.js';

/** TTL of a record set whose endpoints set none (Cloud DNS requires one). */
export const DEFAULT_TTL = 300;

export interface Folded {
  rrset: ResourceRecordSet;
  /** Present for routed record sets. */
  companion?: ResourceRecordSet;
}

/** Provider-specific property naming the Compute health check of a failover set's external endpoints. */
export const HEALTH_CHECK_PROPERTY = 'clouddns/health-check';

function healthCheckOf(sets: readonly Pick<Endpoint, 'providerSpecific'>[]): string | undefined {
  for (const e of sets) {
    const v = e.providerSpecific?.find((p) => p.name === HEALTH_CHECK_PROPERTY)?.value;
    if (v) return v;
  }
  return undefined;
}

/** How a routed set is stored: the policy actually used (latency and some failover become geo). */
export type NativePolicy = 'wrr' | 'geo' | 'primaryBackup';

function rrdatas(e: Endpoint): string[] {
  if (e.targets.length === 0) throw new Error(`${e.dnsName} ${e.recordType} [${e.setIdentifier ?? ''}] has no targets`);
  return uniqueSorted(e.targets.map((t) => targetToRrdata(e.recordType, t)));
}

function uniqueSorted(xs: readonly string[]): string[] {
  return [...new Set(xs)].sort(compareText);
}

/** The GCP regions a cluster's items go to under geo routing. */
export function geoLocations(info: RoutingInfo | undefined): string[] {
  const own = gcpRegionOf(info?.region) ?? FALLBACK_LOCATION;
  if (!info) return [own];
  const out = new Set<string>();
  for (const c of info.geo.continents) out.add(gcpRegionOfContinent(c));
  for (const c of info.geo.countries) {
    const r = gcpRegionOfCountry(c);
    if (r) out.add(r);
  }
  if (info.geo.isDefault || out.size === 0) out.add(own);
  return [...out].sort(compareText);
}

function regionLocation(info: RoutingInfo | undefined): string[] {
  return [gcpRegionOf(info?.region) ?? FALLBACK_LOCATION];
}

function geoPolicy(sets: readonly Endpoint[], infos: ReadonlyMap<Endpoint, RoutingInfo | undefined>, where: (i: RoutingInfo | undefined) => string[]): GeoPolicy {
  const byLocation = new Map<string, string[]>();
  for (const e of sets) {
    for (const loc of where(infos.get(e))) byLocation.set(loc, [...(byLocation.get(loc) ?? []), ...rrdatas(e)]);
  }
  const items: GeoPolicyItem[] = [...byLocation.keys()].sort(compareText).map((location) => ({ location, rrdatas: uniqueSorted(byLocation.get(location) ?? []) }));
  return { items };
}

/** The native policy a routed (name, type) is stored with. */
export function nativePolicy(policy: RoutedPolicy | undefined, recordType: RecordType, infos: readonly (RoutingInfo | undefined)[], healthChecked = true): NativePolicy {
  if (policy === undefined || policy === 'weighted') return 'wrr';
  if (policy === 'failover' && healthChecked && (recordType === 'A' || recordType === 'AAAA')) {
    const primaries = infos.filter((i) => i?.failover === 'primary').length;
    if (primaries > 0 && primaries < infos.length) return 'primaryBackup';
  }
  return 'geo';
}

function routingPolicy(sets: readonly Endpoint[]): RoutingPolicy {
  const infos = new Map(sets.map((e) => [e, decodeRouting(e)] as const));
  const first = sets.map((e) => infos.get(e)).find((i) => i !== undefined);
  const recordType = sets[0]?.recordType ?? 'A';
  const healthCheck = healthCheckOf(sets);
  const native = nativePolicy(first?.policy, recordType, [...infos.values()], healthCheck !== undefined);
  if (native === 'wrr') return { wrr: { items: sets.map((e) => ({ weight: infos.get(e)?.weight ?? 1, rrdatas: rrdatas(e) })) } };
  if (native === 'primaryBackup' && healthCheck !== undefined) {
    const primaries = sets.filter((e) => infos.get(e)?.failover === 'primary');
    const backups = sets.filter((e) => infos.get(e)?.failover !== 'primary');
    return {
      primaryBackup: {
        primaryTargets: { externalEndpoints: uniqueSorted(primaries.flatMap(rrdatas)) },
        backupGeoTargets: geoPolicy(backups, infos, regionLocation),
        trickleTraffic: 0,
      },
      healthCheck,
    };
  }
  return { geo: geoPolicy(sets, infos, first?.policy === 'geo' ? geoLocations : regionLocation) };
}

/**
 * The record set (and companion) for every endpoint of one (name, type). Throws when
 * they cannot form one: a plain endpoint beside routed ones, or an endpoint without targets.
 */
export function foldEndpoints(endpoints: readonly Endpoint[]): Folded {
  const first = endpoints[0];
  if (!first) throw new Error('fold of no endpoints');
  const name = fqdn(first.dnsName);
  const ttl = Math.max(...endpoints.map((e) => (e.recordTTL && e.recordTTL > 0 ? e.recordTTL : DEFAULT_TTL)));
  if (endpoints.length === 1 && !first.setIdentifier) return { rrset: { name, type: first.recordType, ttl, rrdatas: rrdatas(first) } };
  const plain = endpoints.find((e) => !e.setIdentifier);
  if (plain) throw new Error(`${normalizeDNSName(plain.dnsName)} ${plain.recordType}: a plain record set cannot share its name and type with routed ones`);
  const sets = [...endpoints].sort((a, b) => compareText(a.setIdentifier ?? '', b.setIdentifier ?? ''));
  const rrset: ResourceRecordSet = { name, type: first.recordType, ttl, routingPolicy: routingPolicy(sets) };
  return { rrset, companion: companionRecordSet(sets, rrset) };
}

function canonicalData(type: string, xs: readonly string[] | undefined): string[] {
  return uniqueSorted((xs ?? []).map((x) => (type === 'TXT' ? x : canonicalTarget(x))));
}

function canonicalGeo(type: string, g: GeoPolicy | undefined): unknown {
  if (!g) return undefined;
  const items = [...g.items].sort((a, b) => compareText(a.location, b.location));
  return { fencing: g.enableFencing ?? false, items: items.map((i) => [i.location, canonicalData(type, i.rrdatas), i.healthCheckedTargets ?? null]) };
}

/** A comparable form of a record set: what Cloud DNS would answer, whatever the order it lists things in. */
export function recordSetKey(r: ResourceRecordSet): string {
  const p = r.routingPolicy;
  return JSON.stringify([
    normalizeDNSName(r.name),
    r.type,
    r.ttl ?? null,
    canonicalData(r.type, r.rrdatas),
    p?.wrr ? p.wrr.items.map((i) => [i.weight, canonicalData(r.type, i.rrdatas), i.healthCheckedTargets ?? null]) : null,
    canonicalGeo(r.type, p?.geo),
    p?.primaryBackup
      ? [canonicalData(r.type, p.primaryBackup.primaryTargets.externalEndpoints), p.primaryBackup.primaryTargets.internalLoadBalancers ?? null, canonicalGeo(r.type, p.primaryBackup.backupGeoTargets), p.primaryBackup.trickleTraffic ?? 0]
      : null,
    p?.healthCheck ?? null,
  ]);
}

function itemEndpoint(r: ResourceRecordSet, type: RecordType, setIdentifier: string, data: readonly string[] | undefined, extra: readonly string[] = []): Endpoint {
  const e: Endpoint = { dnsName: relativeName(r.name), recordType: type, setIdentifier, targets: [...(data ?? []).map((d) => rrdataToTarget(type, d)), ...extra] };
  if (r.ttl !== undefined) e.recordTTL = r.ttl;
  return e;
}

/** Endpoints of a routed record set written by someone else (or edited by hand): one per item, named after it. */
function unfoldItems(r: ResourceRecordSet, type: RecordType): Endpoint[] {
  const p = r.routingPolicy ?? {};
  const out: Endpoint[] = [];
  p.wrr?.items.forEach((i, n) => out.push(itemEndpoint(r, type, `wrr/${n}`, i.rrdatas)));
  for (const i of p.geo?.items ?? []) out.push(itemEndpoint(r, type, `geo/${i.location}`, i.rrdatas));
  const pb = p.primaryBackup;
  if (pb) {
    const lbs = (pb.primaryTargets.internalLoadBalancers ?? []).map((l) => l.ipAddress ?? '').filter(Boolean);
    out.push(itemEndpoint(r, type, 'primary', pb.primaryTargets.externalEndpoints, lbs));
    for (const i of pb.backupGeoTargets.items) out.push(itemEndpoint(r, type, `backup/${i.location}`, i.rrdatas));
  }
  return out;
}

export interface Unfolded {
  endpoints: Endpoint[];
  /** Routed, but without a companion that folds back into it: someone else's record set, or one edited by hand. */
  foreign: boolean;
}

/** Endpoints of a record set: plain, routed with a matching companion (lossless), or item by item. */
export function unfold(r: ResourceRecordSet, type: RecordType, companion?: ResourceRecordSet): Unfolded {
  if (!r.routingPolicy) {
    const e: Endpoint = { dnsName: relativeName(r.name), recordType: type, targets: (r.rrdatas ?? []).map((d) => rrdataToTarget(type, d)) };
    if (r.ttl !== undefined) e.recordTTL = r.ttl;
    return { endpoints: [e], foreign: false };
  }
  const checked = companion ? companionEntries(companion, r, type) : undefined;
  // The companion does not repeat the health check: it is the record set's own.
  const hc = r.routingPolicy.primaryBackup ? r.routingPolicy.healthCheck : undefined;
  const entries = hc && checked ? checked.map((e) => ({ ...e, providerSpecific: [...(e.providerSpecific ?? []).filter((p) => p.name !== HEALTH_CHECK_PROPERTY), { name: HEALTH_CHECK_PROPERTY, value: hc }].sort((a, b) => compareText(a.name, b.name)) })) : checked;
  if (entries) {
    try {
      if (recordSetKey(foldEndpoints(entries).rrset) === recordSetKey(r)) return { endpoints: entries, foreign: false };
    } catch {
      // An entry list that does not fold is not ours to trust: fall through.
    }
  }
  return { endpoints: unfoldItems(r, type), foreign: true };
}

export function unfoldRecordSet(r: ResourceRecordSet, type: RecordType, companion?: ResourceRecordSet): Endpoint[] {
  return unfold(r, type, companion).endpoints;
}
