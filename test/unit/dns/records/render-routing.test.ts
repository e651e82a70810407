import { describe, expect, it } from 'vitest';
import type { ClusterDNS, Endpoint, RoutingSpec } from '../../../../src/api/multiclusterdns.js';
import { ROUTING } from '../../../../src/api/multiclusterdns.js';
import { renderIngressEndpoints, renderServiceEndpoints } from '../../../../src/dns/records/render-endpoints.js';
import { cdns, domain, ELB1, ELB2, ingressRecord, LB1, LB2, LB3, LB6A, serviceRecord } from '../fixtures.js';

const FED = domain('myfed', 'example.com');
const G = 'go-app.go-app.myfed.svc.example.com';
const DNS: ClusterDNS[] = [
  cdns('cluster-1', 'us-east-1', ['us-east-1a'], [LB1]),
  cdns('cluster-2', 'eu-west-1', ['eu-west-1a', 'eu-west-1b'], [LB2]),
  cdns('cluster-3', 'eu-west-1', ['eu-west-1c'], [LB3]),
];

function render(routing: RoutingSpec, dns: ClusterDNS[] = DNS): Endpoint[] {
  return renderServiceEndpoints(serviceRecord('go-app', 'go-app', { domainRef: 'myfed', routing }), FED, dns).endpoints;
}

const props = (o: Record<string, string>) =>
  Object.entries(o)
    .map(([name, value]) => ({ name, value }))
    .sort((x, y) => (x.name < y.name ? -1 : 1));

function routed(cluster: string, recordType: Endpoint['recordType'], targets: string[], extra: Record<string, string>): Endpoint {
  return { dnsName: G, recordType, recordTTL: 180, targets, setIdentifier: cluster, providerSpecific: props({ [ROUTING.cluster]: cluster, ...extra }) };
}

describe('routing policies on the global name', () => {
  it('simple (default) keeps one Kubefed-style record', () => {
    expect(render({ policy: 'simple' }).filter((e) => e.dnsName === G)).toEqual([{ dnsName: G, recordType: 'A', recordTTL: 180, targets: [LB1, LB2, LB3] }]);
  });

  it('latency: one endpoint per cluster with region and zone', () => {
    expect(render({ policy: 'latency' }).filter((e) => e.dnsName === G)).toEqual([
      routed('cluster-1', 'A', [LB1], { [ROUTING.policy]: 'latency', [ROUTING.region]: 'us-east-1', [ROUTING.zone]: 'us-east-1a' }),
      routed('cluster-2', 'A', [LB2], { [ROUTING.policy]: 'latency', [ROUTING.region]: 'eu-west-1', [ROUTING.zone]: 'eu-west-1a,eu-west-1b' }),
      routed('cluster-3', 'A', [LB3], { [ROUTING.policy]: 'latency', [ROUTING.region]: 'eu-west-1', [ROUTING.zone]: 'eu-west-1c' }),
    ]);
  });

  it('weighted: explicit weights, 1 for clusters not listed', () => {
    const eps = render({ policy: 'weighted', weights: { 'cluster-1': 10, 'cluster-3': 0 } }).filter((e) => e.dnsName === G);
    const weights = Object.fromEntries(eps.map((e) => [e.setIdentifier, e.providerSpecific?.find((p) => p.name === ROUTING.weight)?.value]));
    expect(weights).toEqual({ 'cluster-1': '10', 'cluster-2': '1', 'cluster-3': '0' });
    expect(eps.every((e) => e.providerSpecific?.some((p) => p.name === ROUTING.policy && p.value === 'weighted'))).toBe(true);
  });

  it('failover: primary role for listed clusters, secondary for the others', () => {
    const eps = render({ policy: 'failover', primary: ['cluster-2'] }).filter((e) => e.dnsName === G);
    const roles = Object.fromEntries(eps.map((e) => [e.setIdentifier, e.providerSpecific?.find((p) => p.name === ROUTING.failover)?.value]));
    expect(roles).toEqual({ 'cluster-1': 'secondary', 'cluster-2': 'primary', 'cluster-3': 'secondary' });
  });

  it('geo: codes sorted and comma-joined; a cluster without codes is left out', () => {
    const eps = render({ policy: 'geo', geo: { 'cluster-1': ['country:US', 'continent:NA'], 'cluster-2': ['continent:EU', '*'] } }).filter((e) => e.dnsName === G);
    expect(eps).toEqual([
      routed('cluster-1', 'A', [LB1], { [ROUTING.policy]: 'geo', [ROUTING.region]: 'us-east-1', [ROUTING.zone]: 'us-east-1a', [ROUTING.geo]: 'continent:NA,country:US' }),
      routed('cluster-2', 'A', [LB2], { [ROUTING.policy]: 'geo', [ROUTING.region]: 'eu-west-1', [ROUTING.zone]: 'eu-west-1a,eu-west-1b', [ROUTING.geo]: '*,continent:EU' }),
    ]);
  });

  it('region and zone names keep simple behaviour under a routing policy', () => {
    const eps = render({ policy: 'latency' }, [...DNS.slice(0, 2), cdns('cluster-3', 'eu-west-1', ['eu-west-1c'])]);
    expect(eps.find((e) => e.dnsName === 'go-app.go-app.myfed.svc.eu-west-1.example.com')).toEqual({
      dnsName: 'go-app.go-app.myfed.svc.eu-west-1.example.com',
      recordType: 'A',
      recordTTL: 180,
      targets: [LB2],
    });
    expect(eps.find((e) => e.dnsName === 'go-app.go-app.myfed.svc.eu-west-1c.eu-west-1.example.com')?.recordType).toBe('CNAME');
    expect(eps.filter((e) => e.dnsName === G).map((e) => e.setIdentifier)).toEqual(['cluster-1', 'cluster-2']);
  });

  it('no healthy cluster: no global endpoint at all, region CNAMEs stay', () => {
    const eps = render({ policy: 'weighted' }, [cdns('cluster-1', 'us-east-1', ['us-east-1a'])]);
    expect(eps.filter((e) => e.dnsName === G)).toEqual([]);
    expect(eps.find((e) => e.dnsName === 'go-app.go-app.myfed.svc.us-east-1.example.com')?.targets).toEqual([G]);
  });

  it('dual-stack cluster: A and AAAA under the same set identifier', () => {
    const eps = render({ policy: 'weighted' }, [cdns('cluster-1', 'us-east-1', undefined, [LB1, LB6A]), cdns('cluster-2', undefined, undefined, [LB2])]).filter((e) => e.dnsName === G);
    expect(eps.map((e) => [e.recordType, e.setIdentifier, e.targets])).toEqual([
      ['A', 'cluster-1', [LB1]],
      ['A', 'cluster-2', [LB2]],
      ['AAAA', 'cluster-1', [LB6A]],
    ]);
  });

  it('hostname-only clusters: one CNAME per cluster under its own set identifier', () => {
    const eps = render({ policy: 'failover', primary: ['cluster-1'] }, [cdns('cluster-1', undefined, undefined, [ELB1]), cdns('cluster-2', undefined, undefined, [ELB2])]);
    expect(eps.map((e) => [e.recordType, e.setIdentifier, e.targets])).toEqual([
      ['CNAME', 'cluster-1', [ELB1]],
      ['CNAME', 'cluster-2', [ELB2]],
    ]);
  });

  it('IP and hostname-only clusters mixed: the CNAME cannot share the name, it is left out and reported', () => {
    const r = renderServiceEndpoints(
      serviceRecord('go-app', 'go-app', { domainRef: 'myfed', routing: { policy: 'weighted' } }),
      FED,
      [cdns('cluster-1', undefined, undefined, [LB1]), cdns('cluster-2', undefined, undefined, [ELB1])],
    );
    expect(r.endpoints.map((e) => [e.recordType, e.setIdentifier])).toEqual([['A', 'cluster-1']]);
    expect(r.skipped).toEqual([expect.objectContaining({ dnsName: G, reason: 'CNAMEConflict' })]);
  });

  it('the dnsPrefix CNAME still points at the global name', () => {
    const eps = renderServiceEndpoints(serviceRecord('go-app', 'go-app', { domainRef: 'myfed', dnsPrefix: 'go', routing: { policy: 'latency' } }), FED, DNS).endpoints;
    expect(eps.find((e) => e.dnsName === 'go.example.com')).toEqual({ dnsName: 'go.example.com', recordType: 'CNAME', recordTTL: 180, targets: [G] });
  });
});

describe('routing policies on Ingress hosts', () => {
  it('weighted: each host is published per cluster', () => {
    const dns = [cdns('c1', 'us', undefined, [LB1]), cdns('c2', 'eu', undefined, [LB2]), cdns('c3', 'eu', undefined)];
    const eps = renderIngressEndpoints(ingressRecord(['a.example.com', 'b.example.com'], dns, { routing: { policy: 'weighted', weights: { c2: 5 } } })).endpoints;
    expect(eps.map((e) => `${e.dnsName}/${e.setIdentifier}/${e.targets.join()}`)).toEqual([
      `a.example.com/c1/${LB1}`,
      `a.example.com/c2/${LB2}`,
      `b.example.com/c1/${LB1}`,
      `b.example.com/c2/${LB2}`,
    ]);
    expect(eps[1]?.providerSpecific).toEqual(props({ [ROUTING.cluster]: 'c2', [ROUTING.policy]: 'weighted', [ROUTING.region]: 'eu', [ROUTING.weight]: '5' }));
  });
});
