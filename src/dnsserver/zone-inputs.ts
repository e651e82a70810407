// What the serving feed hands to buildSnapshot besides the records: the zones of the
// valid Domains (name servers, their addresses, SOA) and a SOA serial that every replica
// computes alike.
//
// The serial is the highest Kubernetes resourceVersion among the objects the zones are
// built from (Domains, DNSEndpoints of both groups, the DNS Service) and among the
// deletions this replica saw, modulo 2^32. The API server assigns resourceVersions from
// one increasing counter (etcd's revision), so every replica that has seen the same
// objects derives the same serial, and any change of the published content (a write or
// a deletion) raises it. Status-only writes raise it too (the feed rebuilds after them,
// later than after a spec change), so replicas also agree after those. Limitation: a
// replica started after a deletion that was the newest change never saw that deletion
// and serves a lower serial until the next change. Where resourceVersions are not
// integers (no API server kfed knows does this), a time-based serial is used instead.
import type { KubeObject } from '../api/meta.js';
import type { DomainObject } from '../api/multiclusterdns.js';
import { classifyTarget, compareText, normalizeDNSName } from '../dns/naming.js';
import { hasErrors, validateDomain } from '../dns/records/validate.js';
import { nextSerial, type ZoneInput } from './snapshot.js';

const SERIAL_SPACE = 2 ** 32;

/** Highest resourceVersion of `objects` and `floor`, or undefined when one is not an integer. */
export function highestResourceVersion(objects: Iterable<KubeObject>, floor = 0n): bigint | undefined {
  let max = floor;
  for (const o of objects) {
    const rv = o.metadata.resourceVersion;
    if (rv === undefined) continue;
    if (!/^\d+$/.test(rv)) return undefined;
    const n = BigInt(rv);
    if (n > max) max = n;
  }
  return max;
}

/** The SOA serial for content whose newest resourceVersion is `rv` (see the file comment). */
export function serialFor(rv: bigint | undefined): number {
  if (rv === undefined) return nextSerial();
  return Number(rv % BigInt(SERIAL_SPACE));
}

/** Defaults from the controller's configuration for Domains that do not set them. */
export interface ZoneDefaults {
  /** Addresses of in-zone name servers (flag, or the DNS Service's load balancer). */
  nameServerAddresses?: readonly string[];
}

/**
 * Zones served for a set of Domains: valid ones only, one per apex (the first by object
 * name). Name servers: `nameServer` when it is a hostname, then `nameServers`; an IP in
 * `nameServer` (Kubefed allowed one) is the address of the default `ns1.<domain>`.
 */
export function zonesFromDomains(domains: readonly DomainObject[], defaults: ZoneDefaults = {}): ZoneInput[] {
  const byApex = new Map<string, ZoneInput>();
  for (const d of [...domains].sort((a, b) => compareText(a.metadata.name ?? '', b.metadata.name ?? ''))) {
    if (d.metadata.deletionTimestamp || hasErrors(validateDomain(d))) continue;
    const apex = normalizeDNSName(d.domain);
    if (byApex.has(apex)) continue;
    const legacy = typeof d.nameServer === 'string' && d.nameServer !== '' ? classifyTarget(d.nameServer) : undefined;
    const names = [...(legacy?.kind === 'hostname' ? [legacy.value] : []), ...(d.nameServers ?? []).map(normalizeDNSName)];
    const legacyIp = legacy && legacy.kind !== 'hostname' && legacy.kind !== 'invalid' ? [legacy.value] : [];
    const addresses = d.nameServerAddresses && d.nameServerAddresses.length > 0 ? d.nameServerAddresses : legacyIp.length > 0 ? legacyIp : defaults.nameServerAddresses ?? [];
    const zone: ZoneInput = { domain: apex };
    if (names.length > 0) zone.nameServers = [...new Set(names)];
    if (addresses.length > 0) zone.nameServerAddresses = [...addresses];
    if (d.soa) zone.soa = { ...d.soa };
    byApex.set(apex, zone);
  }
  return [...byApex.values()];
}

/** Load-balancer IPs of a Service (`status.loadBalancer.ingress[].ip`), sorted. */
export function serviceAddresses(svc: KubeObject | undefined): string[] {
  const ingress = (svc as { status?: { loadBalancer?: { ingress?: { ip?: string }[] } } } | undefined)?.status?.loadBalancer?.ingress ?? [];
  return [...new Set(ingress.map((i) => i.ip).filter((ip): ip is string => typeof ip === 'string' && ip !== ''))].sort();
}
