// dns.kfed.io/v1alpha1 DNSProvider: where kfed publishes the records of its Domains
// (Route53, Cloud DNS, an RFC2136 server), with which ownership id and policy. The
// schema is crds/dns/dnsproviders.dns.kfed.io.yaml; tests check the two agree.
import type { Condition, KubeObject, LabelSelector, ResourceRef } from './meta.js';

export const KFED_DNS_GROUP = 'dns.kfed.io';
export const KFED_DNS_VERSION = 'v1alpha1';

export type DNSProviderType = 'rfc2136' | 'route53' | 'clouddns';
export type PublishPolicy = 'sync' | 'upsert-only' | 'create-only';

/** A key of a Secret in the DNSProvider's namespace. */
export interface SecretKeyRef {
  name: string;
  key?: string;
}

export type TSIGAlgorithm = 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512' | 'hmac-sha1';

export interface RFC2136Spec {
  /** host:port of the primary server, spoken to over TCP. */
  server: string;
  /** Zone to update; default: each Domain's name. */
  zone?: string;
  tsigKeyName?: string;
  tsigAlgorithm?: TSIGAlgorithm;
  /** The base64 secret, as `tsig-keygen` prints it. */
  tsigSecretRef?: SecretKeyRef;
}

export interface Route53Spec {
  /** A VPC endpoint, LocalStack or a test server; default: the SDK's endpoint for the region. */
  endpoint?: string;
  region?: string;
  /** Keys AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (, AWS_SESSION_TOKEN); absent: the SDK's default chain. */
  credentialsSecretRef?: SecretKeyRef;
  zoneType?: 'public' | 'private' | 'any';
  zoneIds?: string[];
  healthChecks?: 'managed' | 'none';
}

export interface CloudDNSSpec {
  project: string;
  endpoint?: string;
  /** A service-account key or external-account JSON; absent: application default credentials. */
  credentialsSecretRef?: SecretKeyRef;
  zoneVisibility?: 'public' | 'private' | 'any';
  /**
   * Compute health check (full URL, `https://www.googleapis.com/compute/v1/projects/P/global/healthChecks/H`)
   * that checks failover's primary addresses. Cloud DNS checks external endpoints only with one;
   * without it failover is published as geo routing by region.
   */
  healthCheck?: string;
}

export interface DNSProviderSpec {
  type: DNSProviderType;
  /** Which Domains' records it publishes; default: every served Domain. */
  domains?: string[];
  /** Which DNSEndpoints it publishes, by their labels; default: all. */
  endpointSelector?: LabelSelector;
  policy?: PublishPolicy;
  /** Ownership id written in the registry; default: stable, derived from the host cluster. */
  ownerId?: string;
  /** Seconds between full resyncs of each zone (default 300). */
  resyncSeconds?: number;
  rfc2136?: RFC2136Spec;
  route53?: Route53Spec;
  cloudDNS?: CloudDNSSpec;
}

export interface DNSProviderZoneStatus {
  zone: string;
  records: number;
  lastSync?: string;
  lastError?: string;
}

export interface DNSProviderStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  /** Records kfed owns in the provider, over all zones. */
  records?: number;
  zones?: DNSProviderZoneStatus[];
  /** What the provider does with routing it cannot store natively. */
  notes?: string[];
}

export interface DNSProvider extends KubeObject {
  spec: DNSProviderSpec;
  status?: DNSProviderStatus;
}

/** One provider's view of a DNSEndpoint, in `DNSEndpoint.status.providers[]`. */
export interface DNSEndpointProviderStatus {
  name: string;
  programmed: boolean;
  observedGeneration?: number;
  records?: number;
  message?: string;
  lastPublished?: string;
}

/** kfed's DNSProviders (dns.kfed.io): where the publishing controller publishes. */
export const DNS_PROVIDERS: ResourceRef = { group: KFED_DNS_GROUP, version: KFED_DNS_VERSION, resource: 'dnsproviders', namespaced: true, kind: 'DNSProvider' };
