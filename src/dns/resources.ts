// The API resources the multi-cluster DNS controllers read and write, as the REST API
// addresses them. Kept in one place so the host and member watches, the controllers and
// the serving feed agree on versions.
import { DNS_GROUP, DNS_VERSION, EXTERNALDNS_GROUP } from '../api/multiclusterdns.js';
import type { ResourceRef } from '../kube/resource.js';

export const DOMAINS: ResourceRef = { group: DNS_GROUP, version: DNS_VERSION, resource: 'domains', namespaced: true, kind: 'Domain' };
export const SERVICE_DNS_RECORDS: ResourceRef = { group: DNS_GROUP, version: DNS_VERSION, resource: 'servicednsrecords', namespaced: true, kind: 'ServiceDNSRecord' };
export const INGRESS_DNS_RECORDS: ResourceRef = { group: DNS_GROUP, version: DNS_VERSION, resource: 'ingressdnsrecords', namespaced: true, kind: 'IngressDNSRecord' };
/** kfed's own DNSEndpoints (what the DNSEndpoint controller writes). */
export const DNS_ENDPOINTS: ResourceRef = { group: DNS_GROUP, version: DNS_VERSION, resource: 'dnsendpoints', namespaced: true, kind: 'DNSEndpoint' };
/** external-dns's DNSEndpoints, which kfed also serves and publishes. */
export const EXTERNALDNS_ENDPOINTS: ResourceRef = { group: EXTERNALDNS_GROUP, version: 'v1alpha1', resource: 'dnsendpoints', namespaced: true, kind: 'DNSEndpoint' };

export const SERVICES: ResourceRef = { group: '', version: 'v1', resource: 'services', namespaced: true, kind: 'Service' };
export const ENDPOINT_SLICES: ResourceRef = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespaced: true, kind: 'EndpointSlice' };
export const INGRESSES: ResourceRef = { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', namespaced: true, kind: 'Ingress' };

/** Kubefed's default namespace for the control plane and its Domains. */
export const DEFAULT_KUBEFED_NAMESPACE = 'kube-federation-system';

/** kfed's DNSProviders (dns.kfed.io): where the publishing controller publishes. */
export const DNS_PROVIDERS: ResourceRef = { group: 'dns.kfed.io', version: 'v1alpha1', resource: 'dnsproviders', namespaced: true, kind: 'DNSProvider' };
/** Secrets of the KubeFed namespace that DNSProviders refer to (TSIG keys, cloud credentials). */
export const SECRETS_REF: ResourceRef = { group: '', version: 'v1', resource: 'secrets', namespaced: true, kind: 'Secret' };
