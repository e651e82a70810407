// The fake's record set: parsed from and written back to Route53's XML, with the
// per-set checks Route53 documents for ChangeResourceRecordSets.
import { isIPv4, isIPv6 } from 'node:net';
import { child, children, text, type XmlNode, type XmlObject } from './xml.js';

export interface FakeRecordSet {
  /** Lowercase, with the trailing dot, `*` unescaped. */
  name: string;
  type: string;
  setId?: string;
  weight?: number;
  region?: string;
  geo?: { continent?: string; country?: string; subdivision?: string };
  failover?: 'PRIMARY' | 'SECONDARY';
  multiValue?: boolean;
  ttl?: number;
  values: string[];
  alias?: { zoneId: string; dnsName: string; evaluate: boolean };
  healthCheckId?: string;
}

export type RoutingKind = 'simple' | 'weighted' | 'latency' | 'geo' | 'failover' | 'multivalue';

export function kindOf(s: FakeRecordSet): RoutingKind {
  if (s.weight !== undefined) return 'weighted';
  if (s.region !== undefined) return 'latency';
  if (s.geo !== undefined) return 'geo';
  if (s.failover !== undefined) return 'failover';
  if (s.multiValue) return 'multivalue';
  return 'simple';
}

export function canonicalName(raw: string): string {
  const unescaped = raw.trim().toLowerCase().replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return unescaped.endsWith('.') ? unescaped : `${unescaped}.`;
}

export function setKey(s: Pick<FakeRecordSet, 'name' | 'type' | 'setId'>): string {
  return `${s.name}\u0000${s.type}\u0000${s.setId ?? ''}`;
}

/** How Route53 names a set in its messages. */
export function describeSet(s: FakeRecordSet): string {
  return `[name='${s.name}', type='${s.type}'${s.setId !== undefined ? `, set-identifier='${s.setId}'` : ''}]`;
}

function num(n: XmlNode, name: string): number | undefined {
  const t = text(n, name);
  return t === undefined ? undefined : Number(t);
}

export function parseRecordSet(n: XmlNode): FakeRecordSet {
  const s: FakeRecordSet = { name: canonicalName(text(n, 'Name') ?? ''), type: text(n, 'Type') ?? '', values: [] };
  const setId = text(n, 'SetIdentifier');
  if (setId !== undefined) s.setId = setId;
  const weight = num(n, 'Weight');
  if (weight !== undefined) s.weight = weight;
  const region = text(n, 'Region');
  if (region !== undefined) s.region = region;
  const geo = child(n, 'GeoLocation');
  if (geo) {
    s.geo = {};
    const c = text(geo, 'ContinentCode');
    const k = text(geo, 'CountryCode');
    const d = text(geo, 'SubdivisionCode');
    if (c !== undefined) s.geo.continent = c;
    if (k !== undefined) s.geo.country = k;
    if (d !== undefined) s.geo.subdivision = d;
  }
  const failover = text(n, 'Failover');
  if (failover !== undefined) s.failover = failover as 'PRIMARY' | 'SECONDARY';
  if (text(n, 'MultiValueAnswer') === 'true') s.multiValue = true;
  const ttl = num(n, 'TTL');
  if (ttl !== undefined) s.ttl = ttl;
  s.values = children(child(n, 'ResourceRecords'), 'ResourceRecord').map((r) => text(r, 'Value') ?? '');
  const alias = child(n, 'AliasTarget');
  if (alias) s.alias = { zoneId: text(alias, 'HostedZoneId') ?? '', dnsName: canonicalName(text(alias, 'DNSName') ?? ''), evaluate: text(alias, 'EvaluateTargetHealth') === 'true' };
  const hc = text(n, 'HealthCheckId');
  if (hc !== undefined) s.healthCheckId = hc;
  return s;
}

export function recordSetXml(s: FakeRecordSet): XmlObject {
  const geo = s.geo ? { ContinentCode: s.geo.continent, CountryCode: s.geo.country, SubdivisionCode: s.geo.subdivision } : undefined;
  return {
    // Route53 writes `*` (and other specials) as octal escapes.
    Name: s.name.replace(/\*/g, '\\052'),
    Type: s.type,
    SetIdentifier: s.setId,
    Weight: s.weight,
    Region: s.region,
    GeoLocation: geo,
    Failover: s.failover,
    MultiValueAnswer: s.multiValue ? true : undefined,
    TTL: s.ttl,
    ResourceRecords: s.values.length > 0 ? { member: 'ResourceRecord', items: s.values.map((v) => ({ Value: v })) } : undefined,
    AliasTarget: s.alias ? { HostedZoneId: s.alias.zoneId, DNSName: s.alias.dnsName, EvaluateTargetHealth: s.alias.evaluate } : undefined,
    HealthCheckId: s.healthCheckId,
  };
}

export function sameSet(a: FakeRecordSet, b: FakeRecordSet): boolean {
  const norm = (s: FakeRecordSet): string => JSON.stringify({ ...s, values: [...s.values].sort() });
  return norm(a) === norm(b);
}

const CONTINENTS = new Set(['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA']);

/** Problems with one set on its own, in Route53's wording where we know it. */
export function checkSet(s: FakeRecordSet): string[] {
  const out: string[] = [];
  const kind = kindOf(s);
  const routingFields = [s.weight, s.region, s.geo, s.failover, s.multiValue].filter((x) => x !== undefined).length;
  if (routingFields > 1) out.push(`Invalid request: ${describeSet(s)} has more than one routing policy`);
  if (kind !== 'simple' && (s.setId === undefined || s.setId.length === 0)) out.push(`Invalid request: Missing field 'SetIdentifier' in Change with ${describeSet(s)}`);
  if (kind === 'simple' && s.setId !== undefined) out.push(`Invalid request: Unsupported field 'SetIdentifier' without a routing policy in Change with ${describeSet(s)}`);
  if (s.setId !== undefined && s.setId.length > 128) out.push(`Invalid request: SetIdentifier longer than 128 characters in ${describeSet(s)}`);
  if (s.weight !== undefined && (!Number.isInteger(s.weight) || s.weight < 0 || s.weight > 255)) out.push(`Invalid request: Weight must be 0..255 in ${describeSet(s)}`);
  if (s.geo) {
    const { continent, country } = s.geo;
    if ((continent === undefined) === (country === undefined)) out.push(`Invalid request: GeoLocation needs exactly one of ContinentCode and CountryCode in ${describeSet(s)}`);
    else if (continent !== undefined && !CONTINENTS.has(continent)) out.push(`Invalid request: unknown ContinentCode ${continent} in ${describeSet(s)}`);
    else if (country !== undefined && country !== '*' && !/^[A-Z]{2}$/.test(country)) out.push(`Invalid request: unknown CountryCode ${country} in ${describeSet(s)}`);
  }
  if (s.alias) {
    if (s.ttl !== undefined || s.values.length > 0) out.push(`Invalid request: Alias ${describeSet(s)} cannot have TTL or ResourceRecords`);
    return out;
  }
  if (s.ttl === undefined) out.push(`Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords]], but found none in Change with ${describeSet(s)}`);
  if (s.values.length === 0) out.push(`Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords]], but found none in Change with ${describeSet(s)}`);
  if (s.type === 'CNAME' && s.values.length > 1) out.push(`Invalid Resource Record: FATAL problem: RRCountMismatch (CNAME must have exactly one value) ${describeSet(s)}`);
  if ((kind === 'multivalue') && s.values.length > 8) out.push(`Invalid request: a multivalue answer set holds at most 8 values ${describeSet(s)}`);
  for (const v of s.values) {
    if (s.type === 'A' && !isIPv4(v)) out.push(`Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '${v}''`);
    if (s.type === 'AAAA' && !isIPv6(v)) out.push(`Invalid Resource Record: 'FATAL problem: AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address) encountered with '${v}''`);
    if (s.type === 'TXT' && !/^"/.test(v)) out.push(`Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with '${v}''`);
  }
  return out;
}
