import { describe, expect, it } from 'vitest';
import type { ClusterDNS, Endpoint } from '../../../../src/api/multiclusterdns.js';
import { buildDNSEndpoint, DEFAULT_TTL, effectiveTTL, renderIngressEndpoints, renderServiceEndpoints } from '../../../../src/dns/records/render-endpoints.js';
import { cdns, domain, ELB1, ELB2, ingressRecord, LB1, LB2, LB3, LB6A, LB6B, serviceRecord } from '../fixtures.js';

// Kubefed's own unit-test fixture: Domain "galactic" for zone dzone.io, clusters in
// regions us/eu with zones us1/eu1.
const FED = domain('galactic', 'dzone.io');
const PFX = 'nginx.test.galactic.svc';
const G = `${PFX}.dzone.io`;
const US = `${PFX}.us.dzone.io`;
const US1 = `${PFX}.us1.us.dzone.io`;
const EU = `${PFX}.eu.dzone.io`;
const EU1 = `${PFX}.eu1.eu.dzone.io`;

/** Expected lists are written in reading order; the renderer emits code-unit order of name, type, set id. */
const byKey = (eps: Endpoint[]): Endpoint[] =>
  [...eps].sort((x, y) => (x.dnsName < y.dnsName ? -1 : x.dnsName > y.dnsName ? 1 : x.recordType < y.recordType ? -1 : x.recordType > y.recordType ? 1 : (x.setIdentifier ?? '') < (y.setIdentifier ?? '') ? -1 : 1));

const a = (dnsName: string, targets: string[], recordTTL = DEFAULT_TTL): Endpoint => ({ dnsName, recordType: 'A', recordTTL, targets });
const aaaa = (dnsName: string, targets: string[], recordTTL = DEFAULT_TTL): Endpoint => ({ dnsName, recordType: 'AAAA', recordTTL, targets });
const cname = (dnsName: string, target: string, recordTTL = DEFAULT_TTL): Endpoint => ({ dnsName, recordType: 'CNAME', recordTTL, targets: [target] });

function svc(dns: ClusterDNS[], spec: Record<string, unknown> = {}) {
  return renderServiceEndpoints(serviceRecord('nginx', 'test', { domainRef: 'galactic', ...spec }), FED, dns);
}

describe('renderServiceEndpoints: Kubefed dnsendpoint/service_test.go cases', () => {
  const cases: { name: string; dns: ClusterDNS[]; ttl?: number; want: Endpoint[] }[] = [
    { name: 'NoClusters', dns: [], want: [] },
    {
      name: 'SingleLBInSingleCluster',
      dns: [cdns('c1', 'us', ['us1'], [LB1])],
      want: [a(G, [LB1]), a(US1, [LB1]), a(US, [LB1])],
    },
    {
      name: 'LBsInBothClusters',
      dns: [cdns('c1', 'us', ['us1'], [LB1]), cdns('c2', 'eu', ['eu1'], [LB2])],
      want: [a(G, [LB1, LB2]), a(EU1, [LB2]), a(EU, [LB2]), a(US1, [LB1]), a(US, [LB1])],
    },
    {
      name: 'NoLBInOneCluster: zone CNAME to region, region CNAME to global',
      dns: [cdns('c1', 'us', ['us1'], [LB1]), cdns('c2', 'eu', ['eu1'])],
      want: [a(G, [LB1]), cname(EU1, EU), cname(EU, G), a(US1, [LB1]), a(US, [LB1])],
    },
    {
      name: 'NoLBInBothClusters: no global record, CNAMEs kept as Kubefed did',
      dns: [cdns('c1', 'us', ['us1']), cdns('c2', 'eu', ['eu1'])],
      want: [cname(EU1, EU), cname(EU, G), cname(US1, US), cname(US, G)],
    },
    {
      name: 'UserConfiguredDNSRecordTTL',
      dns: [cdns('c1', 'us', ['us1'], [LB1])],
      ttl: 300,
      want: [a(G, [LB1], 300), a(US1, [LB1], 300), a(US, [LB1], 300)],
    },
    {
      // Kubefed resolved the ELB name to an IP when rendering; kfed stays pure: the
      // hostname-only cluster gets CNAMEs to its load balancer on its own names and
      // the global name keeps the IP-based cluster.
      name: 'HostnameInLB (kfed: CNAME instead of resolving)',
      dns: [cdns('c1', 'us', ['us1'], [ELB1]), cdns('c2', 'eu', ['eu1'], [LB2])],
      want: [a(G, [LB2]), a(EU1, [LB2]), a(EU, [LB2]), cname(US1, ELB1), cname(US, ELB1)],
    },
  ];
  it.each(cases)('$name', ({ dns, ttl, want }) => {
    const r = svc(dns, ttl === undefined ? {} : { recordTTL: ttl });
    expect(r.endpoints).toEqual(byKey(want));
    expect(r.skipped).toEqual([]);
  });
});

describe('renderServiceEndpoints: docs/servicedns-with-externaldns.md example', () => {
  it('renders the three A records of the guide (both clusters in us-west1 / us-west1-b, TTL 300)', () => {
    const record = serviceRecord('test-service', 'test-namespace', { domainRef: 'test-domain', recordTTL: 300 });
    const dns = [cdns('cluster1', 'us-west1', ['us-west1-b'], [LB1]), cdns('cluster2', 'us-west1', ['us-west1-b'], [LB2])];
    const r = renderServiceEndpoints(record, domain('test-domain', 'your.domain.name'), dns);
    expect(r.endpoints).toEqual(byKey([
      a('test-service.test-namespace.test-domain.svc.us-west1-b.us-west1.your.domain.name', [LB1, LB2], 300),
      a('test-service.test-namespace.test-domain.svc.us-west1.your.domain.name', [LB1, LB2], 300),
      a('test-service.test-namespace.test-domain.svc.your.domain.name', [LB1, LB2], 300),
    ]));
    expect(buildDNSEndpoint('service', record, r.endpoints).metadata.name).toBe('service-test-service');
  });
});

describe('renderServiceEndpoints: dnsPrefix, externalName, TTL', () => {
  it('adds <prefix>.D CNAME to the global name (the go-app example)', () => {
    const record = serviceRecord('go-app', 'go-app', { domainRef: 'myfed', recordTTL: 30, dnsPrefix: 'go' });
    const r = renderServiceEndpoints(record, domain('myfed', 'example.com'), [cdns('cluster-1', 'eu', ['eu-a'], [LB1])]);
    expect(r.endpoints).toContainEqual(cname('go.example.com', 'go-app.go-app.myfed.svc.example.com', 30));
    expect(r.endpoints).toContainEqual(a('go-app.go-app.myfed.svc.example.com', [LB1], 30));
  });

  it('keeps the dnsPrefix CNAME while nothing is healthy (like the region CNAMEs)', () => {
    const r = svc([cdns('c1', 'us', ['us1'])], { dnsPrefix: 'www' });
    expect(r.endpoints).toContainEqual(cname('www.dzone.io', G));
    expect(r.endpoints.find((e) => e.dnsName === G)).toBeUndefined();
  });

  it('substitutes externalName for the service label in every name', () => {
    const r = svc([cdns('c1', 'us', ['us1'], [LB1])], { externalName: 'web', dnsPrefix: 'w' });
    expect(r.endpoints.map((e) => e.dnsName)).toEqual([
      'w.dzone.io',
      'web.test.galactic.svc.dzone.io',
      'web.test.galactic.svc.us.dzone.io',
      'web.test.galactic.svc.us1.us.dzone.io',
    ]);
  });

  it.each([
    [undefined, 180],
    [0, 180],
    [60, 60],
  ])('recordTTL %s -> %s', (ttl, want) => {
    expect(effectiveTTL(ttl)).toBe(want);
  });

  it('lowercases labels and strips a trailing dot from the domain', () => {
    const r = renderServiceEndpoints(serviceRecord('nginx', 'test', { domainRef: 'galactic' }), domain('galactic', 'DZone.IO.'), [cdns('c1', 'US', ['US1'], [LB1])]);
    expect(r.endpoints.map((e) => e.dnsName)).toEqual([G, US, US1]);
  });
});

describe('renderServiceEndpoints: zones, regions, health', () => {
  it('gives every zone of a multi-zone cluster the cluster targets', () => {
    const r = svc([cdns('c1', 'us', ['us1', 'us2'], [LB1])]);
    expect(r.endpoints).toContainEqual(a(US1, [LB1]));
    expect(r.endpoints).toContainEqual(a(`${PFX}.us2.us.dzone.io`, [LB1]));
  });

  it('region with one healthy and one unhealthy cluster: region A, unhealthy zone CNAME', () => {
    const r = svc([cdns('c1', 'us', ['us1'], [LB1]), cdns('c2', 'us', ['us2'])]);
    expect(r.endpoints).toEqual(byKey([a(G, [LB1]), cname(`${PFX}.us2.us.dzone.io`, US), a(US1, [LB1]), a(US, [LB1])]));
  });

  it('a cluster without region contributes to the global name only', () => {
    const r = svc([cdns('c1', undefined, undefined, [LB1]), cdns('c2', 'eu', ['eu1'], [LB2])]);
    expect(r.endpoints).toEqual(byKey([a(G, [LB1, LB2]), a(EU1, [LB2]), a(EU, [LB2])]));
  });

  it('a cluster with region but no zones gets a region name only', () => {
    expect(svc([cdns('c1', 'us', [], [LB1])]).endpoints).toEqual(byKey([a(G, [LB1]), a(US, [LB1])]));
  });

  it('skips names whose zone label is not a DNS label, and reports them', () => {
    const r = svc([cdns('c1', 'us', ['bad zone'], [LB1])]);
    expect(r.endpoints).toEqual(byKey([a(G, [LB1]), a(US, [LB1])]));
    expect(r.skipped).toEqual([expect.objectContaining({ reason: 'InvalidLabel' })]);
  });

  it('skips names over 253 characters', () => {
    const longZone = 'z'.repeat(63);
    const longDomain = Array.from({ length: 3 }, () => 'd'.repeat(60)).join('.');
    const r = renderServiceEndpoints(serviceRecord('nginx', 'test', { domainRef: 'galactic' }), domain('galactic', longDomain), [cdns('c1', 'us', [longZone], [LB1])]);
    expect(r.skipped.map((s) => s.reason)).toEqual(['NameTooLong']);
    expect(r.endpoints).toHaveLength(2);
  });
});

describe('renderServiceEndpoints: IPv6 and hostname targets', () => {
  it('IPv6 addresses become AAAA (Kubefed wrote them into A), canonical form', () => {
    const r = svc([cdns('c1', 'us', ['us1'], ['2001:DB8:0:0::10'])]);
    expect(r.endpoints).toEqual(byKey([aaaa(G, [LB6A]), aaaa(US1, [LB6A]), aaaa(US, [LB6A])]));
  });

  it('dual-stack clusters publish A and AAAA side by side', () => {
    const r = svc([cdns('c1', 'us', ['us1'], [LB1, LB6A]), cdns('c2', 'eu', ['eu1'], [LB6B])]);
    expect(r.endpoints.filter((e) => e.dnsName === G)).toEqual([a(G, [LB1]), aaaa(G, [LB6B, LB6A])] /* code-unit order, as Kubefed and external-dns sort targets */);
    expect(r.endpoints.filter((e) => e.dnsName === EU)).toEqual([aaaa(EU, [LB6B])]);
  });

  it('a name with only one hostname target is a CNAME to it', () => {
    expect(svc([cdns('c1', 'us', ['us1'], [ELB1])]).endpoints).toEqual(byKey([cname(G, ELB1), cname(US1, ELB1), cname(US, ELB1)]));
  });

  it('several hostnames and no IP: one CNAME to the lowest hostname', () => {
    const r = svc([cdns('c1', 'us', ['us1'], [ELB2]), cdns('c2', 'eu', ['eu1'], [ELB1])]);
    expect(r.endpoints.find((e) => e.dnsName === G)).toEqual(cname(G, ELB1));
    expect(r.endpoints.find((e) => e.dnsName === US)).toEqual(cname(US, ELB2));
  });

  it('mixed IP and hostname: A for the IPs, the hostname is not published under that name', () => {
    const r = svc([cdns('c1', 'us', ['us1'], [LB1, ELB1])]);
    expect(r.endpoints).toEqual(byKey([a(G, [LB1]), a(US1, [LB1]), a(US, [LB1])]));
  });

  it('ignores unusable load-balancer entries', () => {
    const dns: ClusterDNS[] = [{ cluster: 'c1', region: 'us', zones: ['us1'], loadBalancer: { ingress: [{ ip: 'not-an-ip!' }, { ip: LB1 }] } }];
    expect(svc(dns).endpoints).toEqual(byKey([a(G, [LB1]), a(US1, [LB1]), a(US, [LB1])]));
  });
});

describe('renderServiceEndpoints: determinism', () => {
  it('renders byte-identical JSON whatever the order of status.dns and ingress entries', () => {
    const dns = [
      cdns('c3', 'eu', ['eu2'], [LB3, LB6B]),
      cdns('c1', 'us', ['us1', 'us2'], [LB1]),
      cdns('c2', 'eu', ['eu1'], [LB2]),
      cdns('c4', 'ap', ['ap1']),
    ];
    const reversed = [...dns].reverse().map((d) => ({ ...d, loadBalancer: { ingress: [...(d.loadBalancer?.ingress ?? [])].reverse() } }));
    const spec = { routing: { policy: 'weighted' as const, weights: { c1: 3 } }, dnsPrefix: 'www' };
    expect(JSON.stringify(svc(reversed, spec))).toBe(JSON.stringify(svc(dns, spec)));
    const endpoints = svc(dns, spec).endpoints;
    const keys = endpoints.map((e) => `${e.dnsName} ${e.recordType} ${e.setIdentifier ?? ''}`);
    expect(keys).toEqual([...keys].sort());
  });
});

describe('renderIngressEndpoints: Kubefed dnsendpoint/ingress_test.go cases and guide', () => {
  const host = 'foo.bar.test';
  it.each([
    { name: 'NoClusters', hosts: [host], dns: [] as ClusterDNS[], ttl: undefined, want: [] as Endpoint[] },
    { name: 'SingleLBInSingleCluster', hosts: [host], dns: [cdns('c1', undefined, undefined, [LB1])], ttl: undefined, want: [a(host, [LB1])] },
    { name: 'LBsInBothClusters', hosts: [host], dns: [cdns('c1', undefined, undefined, [LB1]), cdns('c2', undefined, undefined, [LB2])], ttl: undefined, want: [a(host, [LB1, LB2])] },
    {
      name: 'MultipleHosts',
      hosts: [host, 'jane.goodall.test'],
      dns: [cdns('c1', undefined, undefined, [LB1]), cdns('c2', undefined, undefined, [LB2])],
      ttl: undefined,
      want: [a(host, [LB1, LB2]), a('jane.goodall.test', [LB1, LB2])],
    },
    { name: 'UserConfiguredDNSRecordTTL', hosts: [host], dns: [cdns('c1', undefined, undefined, [LB1])], ttl: 300, want: [a(host, [LB1], 300)] },
    {
      name: 'guide: ingress.example.com, TTL 300',
      hosts: ['ingress.example.com'],
      dns: [cdns('cluster1', undefined, undefined, [LB1]), cdns('cluster2', undefined, undefined, [LB2])],
      ttl: 300,
      want: [a('ingress.example.com', [LB1, LB2], 300)],
    },
    { name: 'no healthy cluster: no record', hosts: [host], dns: [cdns('c1', 'us', ['us1'])], ttl: undefined, want: [] },
    { name: 'hostname-only: CNAME', hosts: [host], dns: [cdns('c1', undefined, undefined, [ELB1])], ttl: undefined, want: [cname(host, ELB1)] },
    { name: 'IPv6: AAAA', hosts: [host], dns: [cdns('c1', undefined, undefined, [LB6A])], ttl: undefined, want: [aaaa(host, [LB6A])] },
    { name: 'wildcard host as given', hosts: ['*.apps.test'], dns: [cdns('c1', undefined, undefined, [LB1])], ttl: undefined, want: [a('*.apps.test', [LB1])] },
  ])('$name', ({ hosts, dns, ttl, want }) => {
    const r = renderIngressEndpoints(ingressRecord(hosts, [], ttl === undefined ? {} : { recordTTL: ttl }), dns);
    expect(r.endpoints).toEqual(byKey(want));
  });

  it('names the DNSEndpoint ingress-<name>, owned by the record', () => {
    const rec = ingressRecord([host]);
    const obj = buildDNSEndpoint('ingress', rec, []);
    expect(obj).toEqual({
      apiVersion: 'multiclusterdns.kubefed.io/v1alpha1',
      kind: 'DNSEndpoint',
      metadata: {
        name: 'ingress-test-ingress',
        namespace: 'test-namespace',
        ownerReferences: [{ apiVersion: rec.apiVersion, kind: 'IngressDNSRecord', name: 'test-ingress', uid: 'uid-ingress', controller: true, blockOwnerDeletion: true }],
      },
      spec: { endpoints: [] },
    });
  });
});
