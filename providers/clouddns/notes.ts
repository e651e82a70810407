// What `adjust` tells the DNSProvider status about routing on Cloud DNS: every policy
// is stored, but not always with the primitive its name suggests.
import { groupEndpoints, type Endpoint } from '../../src/dns/endpoint.js';
import { decodeRouting, type RoutingInfo } from '../../src/dns/routing.js';
import { HEALTH_CHECK_PROPERTY, nativePolicy } from './fold.js';
import { FALLBACK_LOCATION, gcpRegionOf } from './regions.js';

export function routingNotes(desired: readonly Endpoint[]): string[] {
  const notes: string[] = [];
  const routed = desired.filter((e) => e.setIdentifier && e.recordType !== 'TXT');
  const groups = groupEndpoints(routed, (e) => `${e.dnsName}\u0000${e.recordType}`);
  let latency = 0;
  let primaryBackup = 0;
  let failoverAsGeo = 0;
  let uncheckedFailover = 0;
  const unknownRegions = new Set<string>();
  for (const eps of groups.values()) {
    const infos = eps.map((e) => decodeRouting(e));
    const first = infos.find((i): i is RoutingInfo => i !== undefined);
    if (!first) continue;
    for (const i of infos) if (i && first.policy !== 'weighted' && !gcpRegionOf(i.region)) unknownRegions.add(`${i.cluster} (${i.region ?? 'no region'})`);
    const checked = eps.some((e) => e.providerSpecific?.some((p) => p.name === HEALTH_CHECK_PROPERTY));
    const native = nativePolicy(first.policy, eps[0]?.recordType ?? 'A', infos, checked);
    if (first.policy === 'failover' && !checked) uncheckedFailover++;
    if (first.policy === 'latency') latency++;
    if (first.policy === 'failover' && native === 'primaryBackup') primaryBackup++;
    if (first.policy === 'failover' && native === 'geo') failoverAsGeo++;
  }
  if (latency > 0) notes.push(`latency routing: Cloud DNS has no latency policy; ${latency} record set(s) use geo routing by each cluster's GCP region (queries go to the nearest region)`);
  if (primaryBackup > 0) {
    notes.push(
      `failover routing: ${primaryBackup} record set(s) use primaryBackup with the primaries' addresses as health-checked external endpoints and the secondaries as a geo backup by region; kfed withdraws a stopped cluster's items itself`,
    );
  }
  if (uncheckedFailover > 0) notes.push(`failover routing: no cloudDNS.healthCheck is set, and Cloud DNS checks external endpoints only with one: ${uncheckedFailover} record set(s) use geo routing by region; kfed withdraws a stopped cluster's items itself`);
  if (failoverAsGeo > uncheckedFailover) notes.push(`failover routing: ${failoverAsGeo - uncheckedFailover} record set(s) without both a primary and a secondary, or not A/AAAA, use geo routing by region`);
  if (unknownRegions.size > 0) notes.push(`clusters whose region has no GCP mapping use ${FALLBACK_LOCATION}: ${[...unknownRegions].sort().join(', ')}`);
  return notes;
}
