// Pure rendering of a ServiceDNSRecord / IngressDNSRecord (plus its Domain and its
// `status.dns[]`) into the external-dns-shaped `Endpoint[]` of its DNSEndpoint.
//
// Kubefed compatibility (policy `simple`, the default):
// - names: see naming.ts; TTL is `spec.recordTTL`, or 180 s when unset or 0;
// - a name with healthy targets gets their addresses; a zone name without any becomes a
//   CNAME to its region name, a region name without any a CNAME to the global name;
// - no global record when no cluster is healthy. As in Kubefed (its NoLBInBothClusters
//   case) the region/zone CNAMEs and the dnsPrefix CNAME are still written and then
//   dangle: a resolver following them ends at NXDOMAIN, exactly what a missing name
//   answers, and the records need not be deleted and recreated when a cluster recovers;
// - `dnsPrefix` adds `<prefix>.D` CNAME to the global name; Ingress hosts get the
//   addresses of every cluster, and no record at all while none has any.
//
// Beyond Kubefed:
// - IPv6 load-balancer addresses become AAAA records (Kubefed wrote them into A);
// - hostname targets (cloud load balancers such as AWS ELB) are not resolved (rendering
//   is pure; Kubefed looked them up when rendering and froze the answer). A DNS name
//   cannot hold a CNAME next to other data, and a CNAME has exactly one target, so:
//     * a name with any IP target publishes A/AAAA for the IPs only; hostname-only
//       clusters are left out of that name (they stay reachable via zone/region names
//       that have no IP target, and with a routing policy via their own set identifier
//       when no cluster of that name has IPs);
//     * a name with only hostname targets publishes one CNAME to the lowest hostname in
//       code-unit order (deterministic). Several hostname-only clusters behind one name
//       need a routing policy (e.g. `weighted`), which gives each cluster its own
//       CNAME (or provider alias) under its own set identifier;
//     * the same holds across set identifiers: routed CNAMEs cannot share a name with
//       routed A/AAAA records (Route53 rejects it too), so when IP and hostname-only
//       clusters are mixed, the hostname-only ones are left out and reported in
//       `skipped` (reason CNAMEConflict);
// - routing policies other than `simple` publish the global name (or each Ingress host)
//   as one endpoint per healthy cluster, `setIdentifier` = cluster name, with the
//   provider-neutral properties of ROUTING in providerSpecific. Region and zone names
//   keep the simple behaviour;
// - output is canonical: targets sorted and deduplicated, providerSpecific sorted by
//   name, endpoints sorted by name, type and set identifier, fixed property order, so
//   an unchanged input renders byte-identical JSON whatever the order of status.dns.
import type { ObjectMeta } from '../../api/meta.js';
import {
  DNS_GROUP,
  DNS_VERSION,
  type ClusterDNS,
  type DNSEndpoint,
  type DomainObject,
  type Endpoint,
  type HealthCheckSpec,
  type IngressDNSRecord,
  type ProviderSpecificProperty,
  type RecordType,
  type RoutingPolicy,
  type RoutingSpec,
  type ServiceDNSRecord,
} from '../../api/multiclusterdns.js';
import {
  classifyTarget,
  compareText,
  dnsEndpointName,
  fitsDNSLimits,
  globalServiceName,
  isDNSHostname,
  normalizeDNSName,
  prefixName,
  regionServiceName,
  serviceNameParts,
  zoneServiceName,
  type DNSRecordKind,
} from '../naming.js';
import { compareEndpoints, endpointKey } from '../endpoint.js';
import { encodeRouting, ROUTING, type RoutedPolicy } from '../routing.js';

/** Kubefed's default record TTL in seconds. */
export const DEFAULT_TTL = 180;

/** Why a name that the scheme calls for was not rendered. */
export type SkipReason = 'InvalidLabel' | 'NameTooLong' | 'CNAMEConflict';

export interface SkippedName {
  dnsName: string;
  reason: SkipReason;
  message: string;
}

export interface RenderResult {
  endpoints: Endpoint[];
  /** Names left out (a bad region/zone label from a cluster, an over-long name, ...). */
  skipped: SkippedName[];
}

/** Healthy targets of one cluster (or of a set of clusters), canonical and sorted. */
interface TargetSet {
  ipv4: string[];
  ipv6: string[];
  hostnames: string[];
}

/** TTL the records get: `spec.recordTTL` when positive, else Kubefed's default. */
export function effectiveTTL(recordTTL: number | undefined): number {
  return recordTTL !== undefined && Number.isInteger(recordTTL) && recordTTL > 0 ? recordTTL : DEFAULT_TTL;
}

function clusterTargets(entry: ClusterDNS): TargetSet {
  const set: TargetSet = { ipv4: [], ipv6: [], hostnames: [] };
  for (const ing of entry.loadBalancer?.ingress ?? []) {
    for (const raw of [ing.ip, ing.hostname]) {
      if (!raw) continue;
      const t = classifyTarget(raw);
      if (t.kind === 'ipv4') set.ipv4.push(t.value);
      else if (t.kind === 'ipv6') set.ipv6.push(t.value);
      else if (t.kind === 'hostname') set.hostnames.push(t.value);
    }
  }
  return canonicalSet(set);
}

function canonicalSet(set: TargetSet): TargetSet {
  const uniq = (xs: string[]): string[] => [...new Set(xs)].sort(compareText);
  return { ipv4: uniq(set.ipv4), ipv6: uniq(set.ipv6), hostnames: uniq(set.hostnames) };
}

function union(sets: readonly TargetSet[]): TargetSet {
  return canonicalSet({
    ipv4: sets.flatMap((s) => s.ipv4),
    ipv6: sets.flatMap((s) => s.ipv6),
    hostnames: sets.flatMap((s) => s.hostnames),
  });
}

function isEmpty(set: TargetSet): boolean {
  return set.ipv4.length === 0 && set.ipv6.length === 0 && set.hostnames.length === 0;
}

function endpoint(dnsName: string, recordType: RecordType, targets: string[], ttl: number, setIdentifier?: string, providerSpecific?: ProviderSpecificProperty[]): Endpoint {
  // Property order is part of the canonical output.
  const ep: Endpoint = { dnsName, recordType, recordTTL: ttl, targets };
  if (setIdentifier !== undefined) ep.setIdentifier = setIdentifier;
  if (providerSpecific && providerSpecific.length > 0) ep.providerSpecific = providerSpecific;
  return ep;
}

/** Address records for a name: A/AAAA for IPs, else one CNAME to the lowest hostname, else none. */
function addressEndpoints(dnsName: string, set: TargetSet, ttl: number, setIdentifier?: string, props?: ProviderSpecificProperty[]): Endpoint[] {
  const out: Endpoint[] = [];
  if (set.ipv4.length > 0) out.push(endpoint(dnsName, 'A', set.ipv4, ttl, setIdentifier, props));
  if (set.ipv6.length > 0) out.push(endpoint(dnsName, 'AAAA', set.ipv6, ttl, setIdentifier, props));
  const first = set.hostnames[0];
  if (out.length === 0 && first !== undefined) out.push(endpoint(dnsName, 'CNAME', [first], ttl, setIdentifier, props));
  return out;
}

interface ClusterView {
  entry: ClusterDNS;
  targets: TargetSet;
}

function routingProps(policy: RoutedPolicy, routing: RoutingSpec, entry: ClusterDNS, healthCheck?: HealthCheckSpec): ProviderSpecificProperty[] | undefined {
  const props = encodeRouting({
    policy,
    cluster: entry.cluster,
    region: entry.region,
    zones: entry.zones,
    weight: routing.weights?.[entry.cluster] ?? 1,
    failover: (routing.primary ?? []).includes(entry.cluster) ? 'primary' : 'secondary',
    geo: routing.geo?.[entry.cluster],
  });
  // Health-check settings matter where a provider checks targets itself (Route53 creates
  // checks for weighted and failover sets); the properties keep them provider-neutral.
  if (!props || !healthCheck || (policy !== 'weighted' && policy !== 'failover')) return props;
  const hc: ProviderSpecificProperty[] = [];
  if (healthCheck.protocol) hc.push({ name: ROUTING.healthCheckProtocol, value: healthCheck.protocol });
  if (healthCheck.port !== undefined) hc.push({ name: ROUTING.healthCheckPort, value: String(healthCheck.port) });
  if (healthCheck.path) hc.push({ name: ROUTING.healthCheckPath, value: healthCheck.path });
  return [...props, ...hc].sort((a, b) => compareText(a.name, b.name));
}

/** One endpoint set per healthy cluster under `dnsName`, for policies other than simple. */
function routedEndpoints(dnsName: string, clusters: readonly ClusterView[], routing: RoutingSpec, policy: RoutedPolicy, ttl: number, healthCheck?: HealthCheckSpec): Endpoint[] {
  const out: Endpoint[] = [];
  for (const c of clusters) {
    if (isEmpty(c.targets)) continue;
    const props = routingProps(policy, routing, c.entry, healthCheck);
    if (!props) continue;
    out.push(...addressEndpoints(dnsName, c.targets, ttl, c.entry.cluster, props));
  }
  return out;
}

function policyOf(routing: RoutingSpec | undefined): RoutingPolicy {
  return routing?.policy ?? 'simple';
}

function views(dns: readonly ClusterDNS[]): ClusterView[] {
  return [...dns].sort((a, b) => compareText(a.cluster, b.cluster)).map((entry) => ({ entry, targets: clusterTargets(entry) }));
}

/** Accumulates endpoints and skipped names, then emits the canonical result. */
class Collector {
  readonly endpoints: Endpoint[] = [];
  readonly skipped: SkippedName[] = [];

  /** Checks the name against DNS limits; false (and a skip entry) when it cannot be published. */
  accept(dnsName: string, labels: readonly string[] = []): boolean {
    const bad = labels.find((l) => !isDNSHostname(normalizeDNSName(l)) || normalizeDNSName(l).includes('.'));
    if (bad !== undefined) {
      this.skip(dnsName, 'InvalidLabel', `label ${JSON.stringify(bad)} is not a single DNS label`);
      return false;
    }
    if (!fitsDNSLimits(dnsName)) {
      this.skip(dnsName, 'NameTooLong', 'name exceeds 253 characters or a label exceeds 63');
      return false;
    }
    return true;
  }

  skip(dnsName: string, reason: SkipReason, message: string): void {
    if (!this.skipped.some((s) => s.dnsName === dnsName && s.reason === reason)) this.skipped.push({ dnsName, reason, message });
  }

  result(): RenderResult {
    // A CNAME cannot share its name with other data (RFC 1034 3.6.2), not even under
    // another set identifier: keep the address records, drop the CNAMEs. Reached by
    // routed names mixing IP and hostname-only clusters, or by odd inputs such as a
    // dnsPrefix equal to a generated name.
    const byName = new Map<string, Endpoint[]>();
    for (const ep of this.endpoints) byName.set(ep.dnsName, [...(byName.get(ep.dnsName) ?? []), ep]);
    const kept: Endpoint[] = [];
    for (const [name, eps] of byName) {
      const hasOther = eps.some((e) => e.recordType !== 'CNAME');
      for (const e of eps) {
        if (hasOther && e.recordType === 'CNAME') this.skip(name, 'CNAMEConflict', 'a CNAME cannot coexist with address records at the same name');
        else kept.push(e);
      }
    }
    const seen = new Set<string>();
    const endpoints = kept
      .sort(compareEndpoints)
      .filter((e) => {
        const key = endpointKey(e);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    return { endpoints, skipped: [...this.skipped].sort((a, b) => compareText(a.dnsName, b.dnsName) || compareText(a.reason, b.reason)) };
  }
}

/**
 * Endpoints of a ServiceDNSRecord. `dns` defaults to `record.status.dns`; pass the freshly
 * computed list to render before (or without) writing status.
 */
export function renderServiceEndpoints(record: ServiceDNSRecord, domain: DomainObject, dns: readonly ClusterDNS[] = record.status?.dns ?? []): RenderResult {
  const out = new Collector();
  const ttl = effectiveTTL(record.spec.recordTTL);
  const parts = serviceNameParts(record, domain.domain);
  const globalName = globalServiceName(parts);
  const clusters = views(dns);
  const routing = record.spec.routing ?? {};
  const policy = policyOf(routing);

  if (clusters.length > 0 && out.accept(globalName)) {
    if (policy === 'simple') out.endpoints.push(...addressEndpoints(globalName, union(clusters.map((c) => c.targets)), ttl));
    else out.endpoints.push(...routedEndpoints(globalName, clusters, routing, policy, ttl, record.spec.healthCheck));

    const regions = groupBy(clusters, (c) => c.entry.region?.trim() || undefined);
    for (const [region, members] of regions) {
      const regionName = regionServiceName(parts, region);
      if (!out.accept(regionName, [region])) continue;
      const set = union(members.map((c) => c.targets));
      out.endpoints.push(...(isEmpty(set) ? [endpoint(regionName, 'CNAME', [globalName], ttl)] : addressEndpoints(regionName, set, ttl)));

      const zones = groupByMany(members, (c) => (c.entry.zones ?? []).map((z) => z.trim()).filter((z) => z.length > 0));
      for (const [zone, zoneMembers] of zones) {
        const zoneName = zoneServiceName(parts, zone, region);
        if (!out.accept(zoneName, [zone, region])) continue;
        const zset = union(zoneMembers.map((c) => c.targets));
        out.endpoints.push(...(isEmpty(zset) ? [endpoint(zoneName, 'CNAME', [regionName], ttl)] : addressEndpoints(zoneName, zset, ttl)));
      }
    }
  }

  const dnsPrefix = record.spec.dnsPrefix?.trim();
  if (dnsPrefix) {
    const name = prefixName(dnsPrefix, domain.domain);
    if (out.accept(name) && out.accept(globalName)) out.endpoints.push(endpoint(name, 'CNAME', [globalName], ttl));
  }
  return out.result();
}

/** Endpoints of an IngressDNSRecord: each host as given (normalized), all clusters' addresses. */
export function renderIngressEndpoints(record: IngressDNSRecord, dns: readonly ClusterDNS[] = record.status?.dns ?? []): RenderResult {
  const out = new Collector();
  const ttl = effectiveTTL(record.spec.recordTTL);
  const clusters = views(dns);
  const routing = record.spec.routing ?? {};
  const policy = policyOf(routing);
  const hosts = [...new Set((record.spec.hosts ?? []).map(normalizeDNSName).filter((h) => h.length > 0))].sort(compareText);
  for (const host of hosts) {
    if (!isDNSHostname(host, true)) {
      out.skip(host, 'InvalidLabel', 'host is not a valid DNS name');
      continue;
    }
    if (!out.accept(host)) continue;
    if (policy === 'simple') out.endpoints.push(...addressEndpoints(host, union(clusters.map((c) => c.targets)), ttl));
    else out.endpoints.push(...routedEndpoints(host, clusters, routing, policy, ttl));
  }
  return out.result();
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  return groupByMany(items, (item) => {
    const k = key(item);
    return k === undefined ? [] : [k];
  });
}

function groupByMany<T>(items: readonly T[], keys: (item: T) => readonly string[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    // Labels are compared the way they are rendered, so "EU-West" and "eu-west" are one name.
    for (const k of new Set(keys(item).map(normalizeDNSName))) groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return new Map([...groups].sort(([a], [b]) => compareText(a, b)));
}

/**
 * The DNSEndpoint object for a record (Kubefed names it `<kind>-<record name>` in the
 * record's namespace), owned by the record so that deleting the record deletes it.
 */
export function buildDNSEndpoint(kind: DNSRecordKind, record: ServiceDNSRecord | IngressDNSRecord, endpoints: Endpoint[]): DNSEndpoint {
  const name = record.metadata.name ?? '';
  const metadata: ObjectMeta = { name: dnsEndpointName(kind, name) };
  if (record.metadata.namespace !== undefined) metadata.namespace = record.metadata.namespace;
  if (record.metadata.uid) {
    metadata.ownerReferences = [
      { apiVersion: record.apiVersion, kind: record.kind, name, uid: record.metadata.uid, controller: true, blockOwnerDeletion: true },
    ];
  }
  return { apiVersion: `${DNS_GROUP}/${DNS_VERSION}`, kind: 'DNSEndpoint', metadata, spec: { endpoints } };
}
