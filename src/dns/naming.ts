// DNS names of multi-cluster records (Kubefed's scheme) and the syntax helpers the
// rest of src/dns shares: DNS label/name checks, canonical names and addresses.
//
// Kubefed's scheme, for a ServiceDNSRecord S in namespace N referencing Domain F
// whose `domain` is D:
//   global  S.N.F.svc.D
//   region  S.N.F.svc.<region>.D
//   zone    S.N.F.svc.<zone>.<region>.D      (zone label first, then region)
//   prefix  <dnsPrefix>.D                     (CNAME to the global name)
// S is `spec.externalName` when set. Names are written the way external-dns's
// `dnsName` is: no trailing dot. kfed lowercases every label (DNS is case-insensitive
// and lowercase names keep the rendered output canonical); Kubefed used labels as given.
import { isIPv4, isIPv6 } from 'node:net';

/** RFC 1035 limits: 63 octets per label, 253 characters for a name without the trailing dot. */
export const MAX_LABEL_LENGTH = 63;
export const MAX_NAME_LENGTH = 253;

/** Kubefed's DNSEndpoint naming: `<kind>-<record name>` in the record's namespace. */
export type DNSRecordKind = 'service' | 'ingress';

const LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Hostnames seen in DNS (load-balancer names, Ingress hosts) may carry underscores.
const HOST_LABEL_RE = /^[a-z0-9_]([-a-z0-9_]*[a-z0-9_])?$/;

/** Code-unit order: locale-independent, so every process sorts names and targets the same way. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Lowercase and drop one trailing dot: the form every name is compared and rendered in. */
export function normalizeDNSName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** A DNS-1123 label: lowercase alphanumerics and '-', 1..63 characters, alphanumeric at both ends. */
export function isDNS1123Label(value: string): boolean {
  return value.length > 0 && value.length <= MAX_LABEL_LENGTH && LABEL_RE.test(value);
}

/** A DNS-1123 subdomain: dot-separated DNS-1123 labels, at most 253 characters. */
export function isDNS1123Subdomain(value: string): boolean {
  if (value.length === 0 || value.length > MAX_NAME_LENGTH) return false;
  return value.split('.').every(isDNS1123Label);
}

/**
 * A hostname as it may appear in DNS data (already normalized): labels of letters,
 * digits, '-' and '_' (1..63), total at most 253, optionally a leading `*.` wildcard.
 */
export function isDNSHostname(value: string, allowWildcard = false): boolean {
  if (value.length === 0 || value.length > MAX_NAME_LENGTH) return false;
  const labels = value.split('.');
  if (allowWildcard && labels[0] === '*' && labels.length > 1) labels.shift();
  return labels.every((l) => l.length <= MAX_LABEL_LENGTH && HOST_LABEL_RE.test(l));
}

/** What a load-balancer ingress point or record target is. */
export type TargetKind = 'ipv4' | 'ipv6' | 'hostname' | 'invalid';

export interface ClassifiedTarget {
  kind: TargetKind;
  /** Canonical text: dotted quad, RFC 5952 IPv6, or a normalized hostname. */
  value: string;
}

/**
 * Classify and canonicalize one target. IPv6 is written in RFC 5952 form (lowercase,
 * longest zero run compressed) so that `2001:DB8:0::1` and `2001:db8::1` compare equal;
 * the WHATWG URL parser does exactly that serialization without any I/O.
 */
export function classifyTarget(raw: string): ClassifiedTarget {
  const text = raw.trim();
  if (isIPv4(text)) return { kind: 'ipv4', value: text };
  if (isIPv6(text)) {
    // Zone ids (fe80::1%eth0) are meaningless in DNS data and make URL parsing fail.
    if (text.includes('%')) return { kind: 'invalid', value: text };
    const host = new URL(`http://[${text}]/`).hostname;
    return { kind: 'ipv6', value: host.slice(1, -1) };
  }
  const name = normalizeDNSName(text);
  if (isDNSHostname(name)) return { kind: 'hostname', value: name };
  return { kind: 'invalid', value: text };
}

/** Canonical text of a target for comparisons (plan) — unknown shapes compare as trimmed text. */
export function canonicalTarget(raw: string): string {
  const c = classifyTarget(raw);
  return c.kind === 'invalid' ? raw.trim() : c.value;
}

/** Inputs of a service's names. */
export interface ServiceNameParts {
  /** Service name, or the record's `spec.externalName` when set. */
  service: string;
  namespace: string;
  /** The Domain object's name (`spec.domainRef`): Kubefed's "federation" label. */
  federation: string;
  /** The Domain's `domain` (D). */
  domain: string;
}

/** `S.N.F.svc`: the part shared by the global, region and zone names. */
export function serviceNamePrefix(parts: ServiceNameParts): string {
  return [parts.service, parts.namespace, parts.federation, 'svc'].map(normalizeDNSName).join('.');
}

/** `S.N.F.svc.D` */
export function globalServiceName(parts: ServiceNameParts): string {
  return `${serviceNamePrefix(parts)}.${normalizeDNSName(parts.domain)}`;
}

/** `S.N.F.svc.<region>.D` */
export function regionServiceName(parts: ServiceNameParts, region: string): string {
  return `${serviceNamePrefix(parts)}.${normalizeDNSName(region)}.${normalizeDNSName(parts.domain)}`;
}

/** `S.N.F.svc.<zone>.<region>.D` */
export function zoneServiceName(parts: ServiceNameParts, zone: string, region: string): string {
  return `${serviceNamePrefix(parts)}.${normalizeDNSName(zone)}.${normalizeDNSName(region)}.${normalizeDNSName(parts.domain)}`;
}

/** `<dnsPrefix>.D` */
export function prefixName(dnsPrefix: string, domain: string): string {
  return `${normalizeDNSName(dnsPrefix)}.${normalizeDNSName(domain)}`;
}

/** Name parts of a ServiceDNSRecord: S is `spec.externalName` when set, else the record's name. */
export function serviceNameParts(
  record: { metadata: { name?: string; namespace?: string }; spec: { domainRef: string; externalName?: string } },
  domain: string,
): ServiceNameParts {
  const externalName = record.spec.externalName?.trim();
  return {
    service: externalName ? externalName : (record.metadata.name ?? ''),
    namespace: record.metadata.namespace ?? '',
    federation: record.spec.domainRef,
    domain,
  };
}

/** Kubefed names a record's DNSEndpoint `service-<name>` / `ingress-<name>`, same namespace. */
export function dnsEndpointName(kind: DNSRecordKind, recordName: string): string {
  return `${kind}-${recordName}`;
}

/** True when every label of a normalized name fits 63 octets and the name fits 253. */
export function fitsDNSLimits(name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) return false;
  return name.split('.').every((l) => l.length > 0 && l.length <= MAX_LABEL_LENGTH);
}
