// Pure mapping between kfed endpoints and Route53 resource record sets.
//
// Routing (kfed.io/* properties, see src/dns/routing.ts) -> native fields:
//   weighted  Weight,                  SetIdentifier = cluster
//   latency   Region (AWS region),     SetIdentifier = cluster (clusters sharing an AWS region: merged by adjust)
//   failover  Failover PRIMARY|SECONDARY, SetIdentifier = `primary` | `secondary` (one set per role, merged by adjust)
//   geo       GeoLocation, one record set per code: SetIdentifier = cluster for a single code,
//             `<cluster>/<code>` when the cluster has several (Route53 takes one location per set)
// A CNAME to an AWS load balancer becomes an alias A record (no TTL; EvaluateTargetHealth).
// Reading reverses each step, so records() returns exactly what adjust() produced.
import type { AliasTarget, ResourceRecordSet, RRType } from '@aws-sdk/client-route-53';
import type { Endpoint, ProviderSpecificProperty, RecordType } from '../../src/dns/endpoint.js';
import { propertyOf } from '../../src/dns/endpoint.js';
import { compareText, normalizeDNSName } from '../../src/dns/naming.js';
import { decodeRouting, formatGeoCodes, ROUTING, type RoutingInfo } from '../../src/dns/routing.js';
import { isContinent } from '../../src/dns/continents.js';
import { healthProps, type HealthSpec } from './health-spec.js';
import { awsRegionFor, elbHostedZone } from './regions.js';

/** external-dns's property names for what kfed has no routing for. */
export const MULTIVALUE_PROP = 'aws/multi-value-answer';
export const ALIAS_PROP = 'alias';
/** Read back on a weighted or failover set that should have a kfed health check and has none. */
export const MISSING_CHECK_PROP = 'route53/health-check';
/** Route53's TTL when an endpoint sets none (external-dns uses the same). */
export const DEFAULT_TTL = 300;
const TXT_CHUNK = 255;

export class MappingError extends Error {}

/** Name, type and set identifier of a native record set: what Route53 keys it by. */
export function recordSetKey(s: ResourceRecordSet): string {
  return `${fromRoute53Name(s.Name ?? '')}\u0000${s.Type ?? ''}\u0000${s.SetIdentifier ?? ''}`;
}

/** Route53 returns names with a trailing dot and `*` (and other specials) as \ooo octal escapes. */
export function fromRoute53Name(name: string): string {
  return normalizeDNSName(name.replace(/\\(\d{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))));
}

function toRoute53Name(name: string): string {
  return `${normalizeDNSName(name)}.`;
}

/** True for a CNAME that Route53 stores as an alias A record. */
export function isAliasEndpoint(e: Pick<Endpoint, 'recordType' | 'targets'>): boolean {
  const t = e.targets[0];
  return e.recordType === 'CNAME' && e.targets.length === 1 && t !== undefined && elbHostedZone(normalizeDNSName(t)) !== undefined;
}

/** Whether kfed attaches a health check to this endpoint's record sets. */
export function wantsHealthCheck(e: Endpoint, routing: RoutingInfo | undefined): boolean {
  if (!routing || (routing.policy !== 'weighted' && routing.policy !== 'failover')) return false;
  return (e.recordType === 'A' || e.recordType === 'AAAA' || e.recordType === 'CNAME') && !isAliasEndpoint(e);
}

function txtValue(text: string): string {
  // A TXT string holds 255 octets; longer values are several quoted strings in one record.
  const parts: string[] = [];
  for (let i = 0; i < text.length || i === 0; i += TXT_CHUNK) parts.push(text.slice(i, i + TXT_CHUNK));
  return parts.map((p) => `"${p.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(' ');
}

function fromTxtValue(value: string): string {
  const strings = [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? '').replace(/\\(.)/g, '$1'));
  return strings.length > 0 ? strings.join('') : value;
}

function values(e: Endpoint): string[] {
  return e.recordType === 'TXT' ? e.targets.map(txtValue) : [...e.targets];
}

/**
 * The record sets that store `e` (several for a geo set with several codes).
 * `healthCheckId` goes on every set. Throws MappingError when Route53 cannot hold it.
 */
export function toRecordSets(e: Endpoint, healthCheckId?: string): ResourceRecordSet[] {
  const name = toRoute53Name(e.dnsName);
  if (e.targets.length === 0) throw new MappingError(`${name} ${e.recordType}: no targets`);
  const base: ResourceRecordSet = isAliasEndpoint(e)
    ? { Name: name, Type: 'A', AliasTarget: aliasTarget(normalizeDNSName(e.targets[0] ?? '')) }
    : { Name: name, Type: e.recordType as RRType, TTL: e.recordTTL && e.recordTTL > 0 ? e.recordTTL : DEFAULT_TTL, ResourceRecords: values(e).map((v) => ({ Value: v })) };
  const routing = decodeRouting(e);
  if (!routing) {
    if (!e.setIdentifier) return [base];
    if (propertyOf(e, MULTIVALUE_PROP) === 'true') return [{ ...base, SetIdentifier: e.setIdentifier, MultiValueAnswer: true, ...hc(healthCheckId) }];
    throw new MappingError(`${name} ${e.recordType} [${e.setIdentifier}]: a set identifier needs a routing policy (kfed.io/routing-policy)`);
  }
  const set: ResourceRecordSet = { ...base, SetIdentifier: e.setIdentifier ?? routing.cluster, ...hc(healthCheckId) };
  switch (routing.policy) {
    case 'weighted':
      return [{ ...set, Weight: routing.weight }];
    case 'failover':
      return [{ ...set, Failover: routing.failover === 'primary' ? 'PRIMARY' : 'SECONDARY' }];
    case 'latency': {
      const region = awsRegionFor(routing.region);
      if (!region) throw new MappingError(`${name} ${e.recordType} [${set.SetIdentifier}]: region "${routing.region ?? ''}" has no AWS region for latency routing`);
      return [{ ...set, Region: region as ResourceRecordSet['Region'] }];
    }
    case 'geo': {
      const codes = formatGeoCodes(routing.geo);
      if (codes.length === 0) throw new MappingError(`${name} ${e.recordType} [${set.SetIdentifier}]: geo routing without a location`);
      return codes.map((code) => ({ ...set, SetIdentifier: codes.length === 1 ? set.SetIdentifier : `${set.SetIdentifier}/${code}`, GeoLocation: geoLocation(code) }));
    }
  }
}

function hc(id: string | undefined): Partial<ResourceRecordSet> {
  return id ? { HealthCheckId: id } : {};
}

function aliasTarget(hostname: string): AliasTarget {
  return { HostedZoneId: elbHostedZone(hostname), DNSName: hostname, EvaluateTargetHealth: true };
}

function geoLocation(code: string): NonNullable<ResourceRecordSet['GeoLocation']> {
  if (code === '*') return { CountryCode: '*' };
  const [kind, value] = code.split(':');
  return kind === 'continent' ? { ContinentCode: value } : { CountryCode: value };
}

function geoCodeOf(set: ResourceRecordSet): string | undefined {
  const g = set.GeoLocation;
  if (!g || g.SubdivisionCode) return undefined;
  if (g.ContinentCode && isContinent(g.ContinentCode)) return `continent:${g.ContinentCode}`;
  if (g.CountryCode === '*') return '*';
  if (g.CountryCode && /^[A-Z]{2}$/.test(g.CountryCode)) return `country:${g.CountryCode}`;
  return undefined;
}

/** A decoded endpoint with the native record sets it came from (kept for deletes and updates). */
export interface ReadRecord {
  endpoint: Endpoint;
  sets: ResourceRecordSet[];
}

/**
 * Endpoints from native record sets. `healthOf` gives the spec of a health check kfed
 * manages (undefined for any other), whose non-default values become properties.
 */
export function fromRecordSets(sets: readonly ResourceRecordSet[], healthOf: (id: string) => HealthSpec | undefined = () => undefined): ReadRecord[] {
  const out: ReadRecord[] = [];
  const geoParts = new Map<string, ReadRecord>();
  for (const s of sets) {
    const dnsName = fromRoute53Name(s.Name ?? '');
    const alias = s.AliasTarget;
    const aliasName = alias?.DNSName ? normalizeDNSName(alias.DNSName) : undefined;
    const isElb = aliasName !== undefined && elbHostedZone(aliasName) !== undefined;
    const endpoint: Endpoint = {
      dnsName,
      recordType: (isElb ? 'CNAME' : s.Type) as RecordType,
      targets: aliasName !== undefined ? [aliasName] : (s.ResourceRecords ?? []).map((r) => (s.Type === 'TXT' ? fromTxtValue(r.Value ?? '') : (r.Value ?? ''))),
    };
    if (alias === undefined && s.TTL !== undefined) endpoint.recordTTL = s.TTL;
    const props: ProviderSpecificProperty[] = aliasName !== undefined && !isElb ? [{ name: ALIAS_PROP, value: 'true' }] : [];
    const id = s.SetIdentifier;
    if (id !== undefined) {
      endpoint.setIdentifier = id;
      const health = s.HealthCheckId ? healthOf(s.HealthCheckId) : undefined;
      const routed = (policy: string, cluster: string, extra: ProviderSpecificProperty[]): void => {
        props.push({ name: ROUTING.policy, value: policy }, { name: ROUTING.cluster, value: cluster }, ...extra);
        if (health && (policy === 'weighted' || policy === 'failover') && s.Type !== 'TXT') props.push(...healthProps(health));
      };
      const geo = geoCodeOf(s);
      if (s.Weight !== undefined) routed('weighted', id, [{ name: ROUTING.weight, value: String(s.Weight) }]);
      else if (s.Region !== undefined) routed('latency', id, [{ name: ROUTING.region, value: s.Region }]);
      else if (s.Failover !== undefined) routed('failover', id, [{ name: ROUTING.failover, value: s.Failover === 'PRIMARY' ? 'primary' : 'secondary' }]);
      else if (geo !== undefined) {
        const slash = id.indexOf('/');
        const cluster = slash > 0 && id.slice(slash + 1) === geo ? id.slice(0, slash) : id;
        const key = `${dnsName}\u0000${endpoint.recordType}\u0000${cluster}`;
        const prior = geoParts.get(key);
        if (prior) {
          prior.sets.push(s);
          const codes = new Set([...(propertyOf(prior.endpoint, ROUTING.geo) ?? '').split(','), geo]);
          setProp(prior.endpoint, ROUTING.geo, [...codes].sort(compareText).join(','));
          continue;
        }
        endpoint.setIdentifier = cluster;
        routed('geo', cluster, [{ name: ROUTING.geo, value: geo }]);
        const rec: ReadRecord = { endpoint, sets: [s] };
        geoParts.set(key, rec);
        finish(endpoint, props);
        out.push(rec);
        continue;
      } else if (s.MultiValueAnswer) props.push({ name: MULTIVALUE_PROP, value: 'true' });
    }
    finish(endpoint, props);
    out.push({ endpoint, sets: [s] });
  }
  return out;
}

function finish(e: Endpoint, props: ProviderSpecificProperty[]): void {
  if (props.length > 0) e.providerSpecific = props.sort((a, b) => compareText(a.name, b.name));
}

function setProp(e: Endpoint, name: string, value: string): void {
  const p = e.providerSpecific?.find((x) => x.name === name);
  if (p) p.value = value;
}
