// RFC 2136 stores plain record sets: no set identifiers, no routing. `adjust` folds the
// routed endpoints of a name and type (one per cluster, setIdentifier = cluster, see
// ../../src/dns/routing.ts) into one record set:
//   failover            the targets of the primaries (only healthy clusters are
//                       rendered), or of the secondaries when no primary is there
//   latency, geo        every cluster's targets
//   weighted            the targets of clusters with weight > 0 (all when every weight is 0)
// Ownership TXT endpoints with a set identifier fold the same way (without routing
// properties: the union of their targets). A CNAME keeps one target: the lowest.
// Provider-specific properties are dropped (RFC 2136 cannot store them and a record
// read back has none, so keeping them would make the plan rewrite it every pass).
import { canonicalTargets, compareEndpoints, endpointKey, groupEndpoints, type Endpoint } from '../../src/dns/endpoint.js';
import type { AdjustResult } from '../../src/dns/publish/provider.js';
import { decodeRouting, type RoutingInfo } from '../../src/dns/routing.js';

type Fold = 'failover' | 'latency' | 'geo' | 'weighted' | 'set';

const NOTES: Record<Fold, string> = {
  failover: 'failover: RFC2136 has no health-checked failover; the name is a plain record set with the healthy primaries\' targets, or the secondaries\' when no primary is healthy',
  latency: 'latency: RFC2136 has no latency routing; the name is a plain record set with every healthy cluster\'s targets (resolvers rotate among them)',
  geo: 'geo: RFC2136 has no geo routing; the name is a plain record set with every healthy cluster\'s targets, whatever the client\'s location',
  weighted: 'weighted: RFC2136 has no weights; the name is a plain record set with the targets of every healthy cluster of weight > 0, served in equal shares',
  set: 'set identifiers: records with a set identifier and no routing policy (e.g. ownership TXT) are merged into one record set per name and type',
};

interface Member {
  e: Endpoint;
  routing: RoutingInfo | undefined;
}

function chosenTargets(fold: Fold, members: readonly Member[]): string[] {
  let picked = members;
  if (fold === 'failover') {
    const primaries = members.filter((m) => m.routing?.failover === 'primary');
    if (primaries.length > 0) picked = primaries;
  } else if (fold === 'weighted') {
    const weighted = members.filter((m) => (m.routing?.weight ?? 1) > 0);
    if (weighted.length > 0) picked = weighted;
  }
  return canonicalTargets(picked.flatMap((m) => m.e.targets));
}

function plain(e: Endpoint, targets: string[], ttl: number | undefined): Endpoint {
  const out: Endpoint = { dnsName: e.dnsName, recordType: e.recordType, targets };
  if (ttl !== undefined) out.recordTTL = ttl;
  if (e.labels) out.labels = { ...e.labels };
  return out;
}

export function foldRoutedEndpoints(desired: readonly Endpoint[]): AdjustResult {
  const notes = new Set<string>();
  const out: Endpoint[] = [];
  const plainKeys = new Set(desired.filter((e) => !e.setIdentifier).map((e) => endpointKey(e)));
  const routed = groupEndpoints(
    desired.filter((e) => e.setIdentifier),
    (e) => endpointKey({ dnsName: e.dnsName, recordType: e.recordType }),
  );
  for (const e of desired) {
    if (e.setIdentifier) continue;
    if (e.providerSpecific?.length) notes.add('provider-specific properties are not stored by RFC2136 and were dropped');
    out.push(plain(e, [...e.targets], e.recordTTL));
  }
  for (const [key, group] of routed) {
    const members = [...group].sort(compareEndpoints).map((e) => ({ e, routing: decodeRouting(e) }));
    const first = members[0];
    if (!first) continue;
    if (plainKeys.has(key)) {
      notes.add(`${first.e.dnsName} ${first.e.recordType}: a plain record set and routed sets share the name; the plain one is published`);
      continue;
    }
    const policies = new Set(members.map((m) => m.routing?.policy ?? 'set'));
    const fold: Fold = policies.size === 1 ? (first.routing?.policy ?? 'set') : 'set';
    if (policies.size > 1) notes.add(`${first.e.dnsName} ${first.e.recordType}: sets with different routing policies (${[...policies].sort().join(', ')}) are merged into one record set`);
    notes.add(NOTES[fold]);
    let targets = chosenTargets(fold, members);
    if (first.e.recordType === 'CNAME' && targets.length > 1) {
      notes.add(`${first.e.dnsName} CNAME: routed CNAMEs to ${targets.length} targets fold to one (a CNAME has exactly one target); the lowest is published`);
      targets = targets.slice(0, 1);
    }
    if (targets.length === 0) continue;
    const ttls = members.map((m) => m.e.recordTTL).filter((t): t is number => t !== undefined && t > 0);
    out.push(plain(first.e, targets, ttls.length > 0 ? Math.min(...ttls) : undefined));
  }
  return { endpoints: out.sort(compareEndpoints), notes: [...notes].sort() };
}
