// Pure computation of `status.dns[]` for ServiceDNSRecord and IngressDNSRecord from
// what the controller observed in each joined member cluster. No I/O: the controller
// reads its caches, builds the facts below and writes the result only if it changed.
//
// Rules (docs/architecture.md, "DNS names and the embedded server"):
// - every cluster the controller passes in is listed, sorted by cluster name;
// - a cluster contributes load-balancer ingress only when it is Ready and, for a
//   Service, the Service has at least one ready endpoint (EndpointSlices) or the record
//   sets `allowServiceWithoutEndpoints`;
// - an unready cluster stays listed with an empty load balancer (Kubefed meant to keep
//   offline clusters but lost them by accident), so its zone and region names become
//   CNAMEs one level up instead of disappearing.
import type { KubeObject } from '../../api/meta.js';
import type { ClusterDNS, LoadBalancerIngress } from '../../api/multiclusterdns.js';
import { compareText } from '../naming.js';

/** Label an EndpointSlice carries naming the Service it belongs to. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** What the controller knows about one member cluster for one ServiceDNSRecord. */
export interface ServiceClusterFacts {
  cluster: string;
  /** The KubeFedCluster's Ready condition is True (not Offline). */
  ready: boolean;
  region?: string | undefined;
  zones?: readonly string[] | undefined;
  /** The member Service with the record's name and namespace, if it exists there. */
  service?: KubeObject | undefined;
  /** The member's discovery.k8s.io/v1 EndpointSlices of that Service. */
  endpointSlices: readonly KubeObject[];
}

/** What the controller knows about one member cluster for one IngressDNSRecord. */
export interface IngressClusterFacts {
  cluster: string;
  ready: boolean;
  region?: string | undefined;
  zones?: readonly string[] | undefined;
  /** The member Ingress with the record's name and namespace, if it exists there. */
  ingress?: KubeObject | undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * `status.loadBalancer.ingress` of a Service or Ingress, reduced to `{ip, hostname}`,
 * without empty entries or duplicates, sorted by ip then hostname (as Kubefed sorted
 * them) so that an unchanged load balancer always yields an identical status.
 */
export function loadBalancerIngress(obj: KubeObject | undefined): LoadBalancerIngress[] {
  if (!obj || obj.metadata.deletionTimestamp) return [];
  const lb = asRecord(asRecord(obj['status'])?.['loadBalancer']);
  return normalizeIngress(asArray(lb?.['ingress']));
}

/** Reduce raw ingress entries to trimmed `{ip, hostname}`, dropping empties and duplicates, sorted. */
export function normalizeIngress(raw: readonly unknown[]): LoadBalancerIngress[] {
  const seen = new Set<string>();
  const out: LoadBalancerIngress[] = [];
  for (const value of raw) {
    const entry = asRecord(value);
    if (!entry) continue;
    const ip = typeof entry['ip'] === 'string' ? entry['ip'].trim() : '';
    const hostname = typeof entry['hostname'] === 'string' ? entry['hostname'].trim() : '';
    if (!ip && !hostname) continue;
    const key = `${ip}\u0000${hostname}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const item: LoadBalancerIngress = {};
    if (ip) item.ip = ip;
    if (hostname) item.hostname = hostname;
    out.push(item);
  }
  return out.sort((a, b) => compareText(a.ip ?? '', b.ip ?? '') || compareText(a.hostname ?? '', b.hostname ?? ''));
}

/**
 * True when one of the slices has an endpoint with an address whose `ready` condition is
 * not false. EndpointSlice v1 says an absent `ready` means "unknown" and consumers should
 * treat it as ready. Slices labelled for another Service are ignored (defensive: the
 * caller is expected to pass only this Service's slices).
 */
export function hasReadyEndpoint(serviceName: string | undefined, slices: readonly KubeObject[]): boolean {
  for (const slice of slices) {
    if (slice.metadata.deletionTimestamp) continue;
    const owner = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (serviceName !== undefined && owner !== undefined && owner !== serviceName) continue;
    for (const raw of asArray(slice['endpoints'])) {
      const ep = asRecord(raw);
      if (!ep || asArray(ep['addresses']).length === 0) continue;
      const ready = asRecord(ep['conditions'])?.['ready'];
      if (ready !== false) return true;
    }
  }
  return false;
}

function placement(region: string | undefined, zones: readonly string[] | undefined): Pick<ClusterDNS, 'region' | 'zones'> {
  const out: Pick<ClusterDNS, 'region' | 'zones'> = {};
  const z = [...new Set((zones ?? []).map((s) => s.trim()).filter((s) => s.length > 0))].sort(compareText);
  if (z.length > 0) out.zones = z;
  const r = region?.trim();
  if (r) out.region = r;
  return out;
}

function clusterEntry(
  cluster: string,
  region: string | undefined,
  zones: readonly string[] | undefined,
  ingress: LoadBalancerIngress[],
): ClusterDNS {
  // Fixed property order keeps the serialized status byte-identical across runs.
  const entry: ClusterDNS = { cluster, ...placement(region, zones), loadBalancer: {} };
  if (ingress.length > 0) entry.loadBalancer = { ingress };
  return entry;
}

function byCluster(a: ClusterDNS, b: ClusterDNS): number {
  return compareText(a.cluster, b.cluster);
}

/** `status.dns[]` of a ServiceDNSRecord. */
export function computeServiceClusterDNS(
  clusters: readonly ServiceClusterFacts[],
  allowServiceWithoutEndpoints: boolean,
): ClusterDNS[] {
  return clusters
    .map((c) => {
      const serviceName = c.service?.metadata.name;
      const routable = c.ready && c.service !== undefined && (allowServiceWithoutEndpoints || hasReadyEndpoint(serviceName, c.endpointSlices));
      return clusterEntry(c.cluster, c.region, c.zones, routable ? loadBalancerIngress(c.service) : []);
    })
    .sort(byCluster);
}

/** `status.dns[]` of an IngressDNSRecord: Ingress has no endpoint check (as in Kubefed). */
export function computeIngressClusterDNS(clusters: readonly IngressClusterFacts[]): ClusterDNS[] {
  return clusters
    .map((c) => clusterEntry(c.cluster, c.region, c.zones, c.ready ? loadBalancerIngress(c.ingress) : []))
    .sort(byCluster);
}

/** Structural equality of two `status.dns[]` lists, so that status is written only on change. */
export function clusterDNSEqual(a: readonly ClusterDNS[] | undefined, b: readonly ClusterDNS[] | undefined): boolean {
  return JSON.stringify(canonicalClusterDNS(a ?? [])) === JSON.stringify(canonicalClusterDNS(b ?? []));
}

function canonicalClusterDNS(list: readonly ClusterDNS[]): ClusterDNS[] {
  return list
    .map((c) => clusterEntry(c.cluster, c.region, c.zones, normalizeIngress(c.loadBalancer?.ingress ?? [])))
    .sort(byCluster);
}