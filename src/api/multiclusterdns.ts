// multiclusterdns.kubefed.io/v1alpha1 and the external-dns DNSEndpoint shape.
import type { Condition, KubeObject, ObjectMeta, ResourceRef } from './meta.js';

export const DNS_GROUP = 'multiclusterdns.kubefed.io';
export const DNS_VERSION = 'v1alpha1';
export const EXTERNALDNS_GROUP = 'externaldns.k8s.io';

export type RecordType = 'A' | 'AAAA' | 'CNAME' | 'TXT' | 'NS' | 'SRV' | 'MX' | 'PTR' | 'CAA';

export interface ProviderSpecificProperty {
  name: string;
  value: string;
}

/** One record set: field-compatible with external-dns's `endpoint.Endpoint`. */
export interface Endpoint {
  dnsName: string;
  targets: string[];
  recordType: RecordType;
  setIdentifier?: string;
  recordTTL?: number;
  labels?: Record<string, string>;
  providerSpecific?: ProviderSpecificProperty[];
}

export interface DNSEndpointSpec {
  endpoints: Endpoint[];
}

export interface DNSEndpointStatus {
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface DNSEndpoint extends KubeObject {
  metadata: ObjectMeta;
  spec: DNSEndpointSpec;
  status?: DNSEndpointStatus;
}

export type RoutingPolicy = 'simple' | 'latency' | 'geo' | 'weighted' | 'failover';

/**
 * Provider-neutral routing properties carried in `providerSpecific` of an endpoint
 * that has a `setIdentifier` (one endpoint per cluster). Each provider maps them to
 * its native form; the embedded DNS server evaluates them per query.
 */
export const ROUTING = {
  /** latency | geo | weighted | failover */
  policy: 'kfed.io/routing-policy',
  /** cloud region of the cluster, e.g. eu-west-1 */
  region: 'kfed.io/region',
  /** zone of the cluster, e.g. eu-west-1a; comma-separated (sorted) when the cluster spans several */
  zone: 'kfed.io/zone',
  /** integer weight, 0..255 */
  weight: 'kfed.io/weight',
  /** primary | secondary */
  failover: 'kfed.io/failover',
  /** comma-separated geo codes: continents as `continent:EU`, countries as ISO-3166 `country:DE`, or `*` for the default set */
  geo: 'kfed.io/geo',
  /** name of the member cluster behind this endpoint (also its setIdentifier); only healthy clusters are published */
  cluster: 'kfed.io/cluster',
  /** health check of a cluster's targets where the provider creates them (Route53, weighted and failover): HTTP | HTTPS | TCP */
  healthCheckProtocol: 'kfed.io/health-check-protocol',
  /** port the health check connects to */
  healthCheckPort: 'kfed.io/health-check-port',
  /** request path of an HTTP(S) health check */
  healthCheckPath: 'kfed.io/health-check-path',
} as const;

export interface DomainObject extends KubeObject {
  domain: string;
  /** Kubefed's single name server (hostname, or the IP of the default `ns1.<domain>`). */
  nameServer?: string;
  /** kfed addition: every name server of the zone (the NS set), after `nameServer` when both are set. */
  nameServers?: string[];
  /** kfed addition: addresses the in-zone name servers answer; default the controller's (flag or DNS Service). */
  nameServerAddresses?: string[];
  /** kfed addition: SOA fields; unset ones take the server's defaults. */
  soa?: DomainSOA;
  /** kfed addition: the Valid condition (see src/dns/records/validate.ts). */
  status?: { observedGeneration?: number; conditions?: Condition[] };
}

export interface DomainSOA {
  mname?: string;
  /** `hostmaster.example.com` or `hostmaster@example.com`. */
  rname?: string;
  refresh?: number;
  retry?: number;
  expire?: number;
  /** Negative-caching TTL (RFC 2308). */
  minimum?: number;
}

export interface RoutingSpec {
  policy?: RoutingPolicy;
  /** weight per cluster name (weighted policy); clusters not listed get weight 1 */
  weights?: Record<string, number>;
  /** primary clusters (failover policy) */
  primary?: string[];
  /** geo codes per cluster name (geo policy), e.g. { "cluster-2": ["continent:EU"] }; `*` marks the default */
  geo?: Record<string, string[]>;
}

export interface ServiceDNSRecordSpec {
  domainRef: string;
  recordTTL?: number;
  dnsPrefix?: string;
  externalName?: string;
  allowServiceWithoutEndpoints?: boolean;
  routing?: RoutingSpec;
  /** How a provider that creates health checks (Route53, weighted and failover) checks each cluster's targets. */
  healthCheck?: HealthCheckSpec;
}

export interface HealthCheckSpec {
  /** HTTP, HTTPS or TCP (default TCP). */
  protocol?: 'HTTP' | 'HTTPS' | 'TCP';
  /** Default 80 (443 for HTTPS). */
  port?: number;
  /** HTTP(S) request path, default `/`. */
  path?: string;
}

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
}

export interface ClusterDNS {
  cluster: string;
  zones?: string[];
  region?: string;
  loadBalancer?: { ingress?: LoadBalancerIngress[] };
}

export interface DNSRecordStatus {
  observedGeneration?: number;
  domain?: string;
  dns?: ClusterDNS[];
  conditions?: Condition[];
}

export interface ServiceDNSRecord extends KubeObject {
  spec: ServiceDNSRecordSpec;
  status?: DNSRecordStatus;
}

export interface IngressDNSRecordSpec {
  hosts: string[];
  recordTTL?: number;
  routing?: RoutingSpec;
}

export interface IngressDNSRecord extends KubeObject {
  spec: IngressDNSRecordSpec;
  status?: DNSRecordStatus;
}

// The REST coordinates of multiclusterdns.kubefed.io (Kubefed's) and of external-dns's DNSEndpoint.
const dnsRef = (resource: string, kind: string): ResourceRef => ({ group: DNS_GROUP, version: DNS_VERSION, resource, namespaced: true, kind });
export const DOMAINS = dnsRef('domains', 'Domain');
export const SERVICE_DNS_RECORDS = dnsRef('servicednsrecords', 'ServiceDNSRecord');
export const INGRESS_DNS_RECORDS = dnsRef('ingressdnsrecords', 'IngressDNSRecord');
/** kfed's own DNSEndpoints (what the DNSEndpoint controller writes). */
export const DNS_ENDPOINTS = dnsRef('dnsendpoints', 'DNSEndpoint');
/** external-dns's DNSEndpoints, which kfed also serves and publishes. */
export const EXTERNALDNS_ENDPOINTS: ResourceRef = { group: EXTERNALDNS_GROUP, version: 'v1alpha1', resource: 'dnsendpoints', namespaced: true, kind: 'DNSEndpoint' };
