// adjust(): desired endpoints in the exact form Route53 stores and records() reads back,
// so that the plan compares like with like:
// - kfed.io/* properties rebuilt from what Route53 keeps: policy, cluster (= set
//   identifier), weight, failover role, geo codes, the AWS region of latency sets, and
//   non-default health-check settings of weighted and failover address records. Zones,
//   and regions of non-latency sets, have no place in a Route53 record and are dropped;
// - failover: Route53 holds one PRIMARY and one SECONDARY set per name and type, so the
//   clusters of each role are merged into one set (`primary` / `secondary`);
// - latency: one set per AWS region; clusters that map to the same region are merged
//   (set identifier: their names joined with `+`);
// - geo: a location can be claimed once per name and type; a code claimed by a cluster
//   earlier in name order is taken away from the later ones;
// - a CNAME to an AWS load balancer is written as an alias, which has no TTL.
// Running adjust on its own output changes nothing.
import type { Endpoint, ProviderSpecificProperty } from '../../src/dns/endpoint.js';
import { canonicalTargets, compareEndpoints, describeEndpoint } from '../../src/dns/endpoint.js';
import { compareText, normalizeDNSName } from '../../src/dns/naming.js';
import { decodeRouting, formatGeoCodes, ROUTING, type RoutingInfo } from '../../src/dns/routing.js';
import type { AdjustResult } from '../../src/dns/publish/provider.js';
import { healthProps, healthSpecOf } from './health-spec.js';
import { isAliasEndpoint, wantsHealthCheck } from './record-sets.js';
import { awsRegionFor } from './regions.js';

export interface AdjustOptions {
  /** Health checks managed by kfed: keep their settings in the properties. */
  healthChecks: boolean;
}

interface Routed {
  e: Endpoint;
  info: RoutingInfo;
}

export function adjustEndpoints(desired: readonly Endpoint[], opts: AdjustOptions): AdjustResult {
  const notes: string[] = [];
  const plain: Endpoint[] = [];
  const routed: Routed[] = [];
  for (const e of desired) {
    const info = decodeRouting(e, (m) => notes.push(`${describeEndpoint(e)}: ${m}`));
    if (info) routed.push({ e, info });
    else plain.push(isAliasEndpoint(e) ? withoutTTL(e) : e);
  }
  // Within a name and type, clusters in name order: the geo claim and merge order.
  routed.sort((a, b) => compareText(a.info.cluster, b.info.cluster));
  const groups = new Map<string, Routed[]>();
  for (const r of routed) {
    const k = `${normalizeDNSName(r.e.dnsName)}\u0000${r.e.recordType}\u0000${mergeKey(r.info)}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const claimed = new Map<string, string>();
  const out: Endpoint[] = [...plain];
  for (const members of groups.values()) {
    const first = members[0];
    if (!first) continue;
    if (first.info.policy === 'geo') {
      for (const m of members) {
        const adjusted = adjustGeo(m, claimed, notes);
        if (adjusted) out.push(native(adjusted.e, adjusted.info, opts));
      }
      continue;
    }
    if (members.length === 1 && first.info.policy !== 'failover') {
      out.push(native(first.e, first.info, opts));
      continue;
    }
    out.push(merge(members, opts, notes));
  }
  return { endpoints: out.sort(compareEndpoints), notes };
}

function mergeKey(info: RoutingInfo): string {
  if (info.policy === 'failover') return `failover:${info.failover}`;
  if (info.policy === 'latency') return `latency:${awsRegionFor(info.region) ?? `?${info.cluster}`}`;
  return `${info.policy}:${info.cluster}`;
}

function adjustGeo(m: Routed, claimed: Map<string, string>, notes: string[]): Routed | undefined {
  const base = `${normalizeDNSName(m.e.dnsName)}\u0000${m.e.recordType}`;
  const kept: string[] = [];
  for (const code of formatGeoCodes(m.info.geo)) {
    const owner = claimed.get(`${base}\u0000${code}`);
    if (owner !== undefined && owner !== m.info.cluster) {
      notes.push(`${describeEndpoint(m.e)}: geo location ${code} is already routed to cluster ${owner}; Route53 takes one set per location`);
      continue;
    }
    claimed.set(`${base}\u0000${code}`, m.info.cluster);
    kept.push(code);
  }
  if (kept.length === 0) return undefined;
  const info: RoutingInfo = { ...m.info, geo: { continents: [], countries: [], isDefault: false } };
  for (const c of kept) {
    if (c === '*') info.geo.isDefault = true;
    else if (c.startsWith('continent:')) info.geo.continents.push(c.slice(10) as RoutingInfo['geo']['continents'][number]);
    else info.geo.countries.push(c.slice(8));
  }
  return { e: m.e, info };
}

/** One endpoint for several clusters' sets (failover role, or latency in one AWS region). */
function merge(members: Routed[], opts: AdjustOptions, notes: string[]): Endpoint {
  const first = members[0] as Routed;
  const clusters = members.map((m) => m.info.cluster);
  const setIdentifier = first.info.policy === 'failover' ? first.info.failover : clusters.join('+');
  const targets = canonicalTargets(members.flatMap((m) => m.e.targets));
  if (members.length > 1) notes.push(`${describeEndpoint({ ...first.e, setIdentifier })}: clusters ${clusters.join(', ')} share one Route53 ${first.info.policy === 'failover' ? `${first.info.failover} failover` : 'latency'} set`);
  const e: Endpoint = { ...first.e, targets, setIdentifier };
  return native(e, { ...first.info, cluster: setIdentifier }, opts);
}

/** The endpoint with exactly the properties records() reads back for it. */
function native(e: Endpoint, info: RoutingInfo, opts: AdjustOptions): Endpoint {
  const setIdentifier = info.policy === 'failover' ? info.failover : (e.setIdentifier ?? info.cluster);
  const cluster = info.policy === 'failover' ? setIdentifier : info.cluster;
  const props: ProviderSpecificProperty[] = (e.providerSpecific ?? []).filter((p) => !p.name.startsWith('kfed.io/'));
  props.push({ name: ROUTING.policy, value: info.policy }, { name: ROUTING.cluster, value: cluster });
  if (info.policy === 'weighted') props.push({ name: ROUTING.weight, value: String(info.weight) });
  if (info.policy === 'failover') props.push({ name: ROUTING.failover, value: info.failover });
  if (info.policy === 'geo') props.push({ name: ROUTING.geo, value: formatGeoCodes(info.geo).join(',') });
  if (info.policy === 'latency') {
    // An unknown region is kept as given: apply rejects the record and says why.
    const region = awsRegionFor(info.region) ?? info.region;
    if (region) props.push({ name: ROUTING.region, value: region });
  }
  const out: Endpoint = { ...e, setIdentifier };
  if (opts.healthChecks && wantsHealthCheck(e, info)) props.push(...healthProps(healthSpecOf(e)));
  out.providerSpecific = props.sort((a, b) => compareText(a.name, b.name) || compareText(a.value, b.value));
  return isAliasEndpoint(out) ? withoutTTL(out) : out;
}

function withoutTTL(e: Endpoint): Endpoint {
  if (e.recordTTL === undefined) return e;
  const { recordTTL: _ttl, ...rest } = e;
  return rest;
}
