// Builders shared by the DNS unit tests. Addresses come from the documentation ranges.
import type { ClusterDNS, DomainObject, IngressDNSRecord, RoutingSpec, ServiceDNSRecord, ServiceDNSRecordSpec } from '../../../src/api/multiclusterdns.js';

export const LB1 = '192.0.2.10';
export const LB2 = '198.51.100.20';
export const LB3 = '203.0.113.30';
export const LB6A = '2001:db8::10';
export const LB6B = '2001:db8:0:1::20';
export const ELB1 = 'a9.us-west-2.elb.amazonaws.test';
export const ELB2 = 'b7.eu-west-1.elb.amazonaws.test';

export function domain(name: string, d: string, nameServer?: string): DomainObject {
  return {
    apiVersion: 'multiclusterdns.kubefed.io/v1alpha1',
    kind: 'Domain',
    metadata: { name, namespace: 'kube-federation-system' },
    domain: d,
    ...(nameServer !== undefined ? { nameServer } : {}),
  };
}

export function serviceRecord(
  name: string,
  namespace: string,
  spec: Partial<ServiceDNSRecordSpec> & { domainRef: string },
  dns: ClusterDNS[] = [],
): ServiceDNSRecord {
  return {
    apiVersion: 'multiclusterdns.kubefed.io/v1alpha1',
    kind: 'ServiceDNSRecord',
    metadata: { name, namespace, uid: `uid-${name}`, generation: 1 },
    spec,
    status: { dns },
  };
}

export function ingressRecord(hosts: string[], dns: ClusterDNS[] = [], extra: { recordTTL?: number; routing?: RoutingSpec } = {}): IngressDNSRecord {
  return {
    apiVersion: 'multiclusterdns.kubefed.io/v1alpha1',
    kind: 'IngressDNSRecord',
    metadata: { name: 'test-ingress', namespace: 'test-namespace', uid: 'uid-ingress' },
    spec: { hosts, ...extra },
    status: { dns },
  };
}

/** A status.dns entry; `lb` entries that look like IPs go to `ip`, others to `hostname`. */
export function cdns(cluster: string, region: string | undefined, zones: string[] | undefined, lb: string[] = []): ClusterDNS {
  const entry: ClusterDNS = { cluster, loadBalancer: {} };
  if (region !== undefined) entry.region = region;
  if (zones !== undefined) entry.zones = zones;
  if (lb.length > 0) entry.loadBalancer = { ingress: lb.map((t) => (/^[0-9.]+$|:/.test(t) ? { ip: t } : { hostname: t })) };
  return entry;
}
