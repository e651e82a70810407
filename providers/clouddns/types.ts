// The parts of Cloud DNS's JSON REST API v1 that kfed reads and writes, typed here
// because @google-cloud/dns types record sets as rrdatas only (no routingPolicy) and has
// no call for projects.get. Field names are the API's.

export interface ManagedZone {
  name: string;
  /** FQDN with a trailing dot, e.g. `example.com.`. */
  dnsName: string;
  id?: string;
  visibility?: 'public' | 'private';
  privateVisibilityConfig?: unknown;
  /** A peering zone answers from another network's zones: nothing to write here. */
  peeringConfig?: unknown;
  /** A forwarding zone sends queries elsewhere: nothing to write here. */
  forwardingConfig?: unknown;
  reverseLookupConfig?: unknown;
  serviceDirectoryConfig?: unknown;
}

export interface InternalLoadBalancer {
  loadBalancerType?: string;
  ipAddress?: string;
  port?: string;
  ipProtocol?: string;
  networkUrl?: string;
  project?: string;
  region?: string;
}

export interface HealthCheckTargets {
  internalLoadBalancers?: InternalLoadBalancer[];
  externalEndpoints?: string[];
}

export interface GeoPolicyItem {
  location: string;
  rrdatas?: string[];
  healthCheckedTargets?: HealthCheckTargets;
}

export interface GeoPolicy {
  items: GeoPolicyItem[];
  enableFencing?: boolean;
}

export interface WrrPolicyItem {
  weight: number;
  rrdatas?: string[];
  healthCheckedTargets?: HealthCheckTargets;
}

export interface WrrPolicy {
  items: WrrPolicyItem[];
}

export interface PrimaryBackupPolicy {
  primaryTargets: HealthCheckTargets;
  backupGeoTargets: GeoPolicy;
  trickleTraffic?: number;
}

export interface RoutingPolicy {
  geo?: GeoPolicy;
  wrr?: WrrPolicy;
  primaryBackup?: PrimaryBackupPolicy;
  healthCheck?: string;
}

export interface ResourceRecordSet {
  /** FQDN with a trailing dot. */
  name: string;
  type: string;
  ttl?: number;
  rrdatas?: string[];
  routingPolicy?: RoutingPolicy;
  kind?: string;
}

export interface ChangeBody {
  additions: ResourceRecordSet[];
  deletions: ResourceRecordSet[];
}

export interface Change extends ChangeBody {
  id?: string;
  status?: 'pending' | 'done';
}

/** The quota fields of projects.get that bound one change (others are ignored). */
export interface ProjectQuota {
  rrsetAdditionsPerChange?: number;
  rrsetDeletionsPerChange?: number;
  totalRrdataSizePerChange?: number;
  resourceRecordsPerRrset?: number;
  rrsetsPerManagedZone?: number;
  itemsPerRoutingPolicy?: number;
}

export interface Project {
  id?: string;
  number?: string;
  quota?: ProjectQuota;
}
