import { describe, expect, it } from 'vitest';
import { fromRecordSets, fromRoute53Name, MappingError, toRecordSets } from '../../../../providers/route53/record-sets.js';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import { encodeRouting, type RoutingInput } from '../../../../src/dns/routing.js';

function routed(targets: string[], r: RoutingInput, type: Endpoint['recordType'] = 'A'): Endpoint {
  return { dnsName: 'app.example.com', recordType: type, recordTTL: 60, targets, setIdentifier: r.cluster, providerSpecific: encodeRouting(r) ?? [] };
}

describe('route53 record sets: endpoint -> native', () => {
  it.each([
    ['weighted', routed(['192.0.2.1'], { policy: 'weighted', cluster: 'eu', weight: 4 }), [{ SetIdentifier: 'eu', Weight: 4 }]],
    ['latency (AWS region)', routed(['192.0.2.1'], { policy: 'latency', cluster: 'eu', region: 'eu-west-1' }), [{ SetIdentifier: 'eu', Region: 'eu-west-1' }]],
    ['latency (GCP region mapped)', routed(['192.0.2.1'], { policy: 'latency', cluster: 'g', region: 'us-central1' }), [{ SetIdentifier: 'g', Region: 'us-east-2' }]],
    ['failover primary', routed(['192.0.2.1'], { policy: 'failover', cluster: 'a', failover: 'primary' }), [{ SetIdentifier: 'a', Failover: 'PRIMARY' }]],
    ['geo default', routed(['192.0.2.1'], { policy: 'geo', cluster: 'a', geo: ['*'] }), [{ SetIdentifier: 'a', GeoLocation: { CountryCode: '*' } }]],
    ['geo several', routed(['192.0.2.1'], { policy: 'geo', cluster: 'a', geo: ['country:DE', 'continent:EU'] }), [
      { SetIdentifier: 'a/continent:EU', GeoLocation: { ContinentCode: 'EU' } },
      { SetIdentifier: 'a/country:DE', GeoLocation: { CountryCode: 'DE' } },
    ]],
  ])('%s', (_name, e, routing) => {
    const sets = toRecordSets(e, 'hc-1');
    expect(sets).toEqual(routing.map((r) => ({ Name: 'app.example.com.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }], HealthCheckId: 'hc-1', ...r })));
  });

  it('plain records: default TTL, TXT quoted and split at 255 characters', () => {
    expect(toRecordSets({ dnsName: 'x.example.com.', recordType: 'A', targets: ['192.0.2.1'] })).toEqual([{ Name: 'x.example.com.', Type: 'A', TTL: 300, ResourceRecords: [{ Value: '192.0.2.1' }] }]);
    const [txt] = toRecordSets({ dnsName: 'x.example.com', recordType: 'TXT', targets: ['a"b', 'c'.repeat(300)] });
    expect(txt?.ResourceRecords?.map((r) => r.Value)).toEqual(['"a\\"b"', `"${'c'.repeat(255)}" "${'c'.repeat(45)}"`]);
  });

  it('ELB hostnames become aliases in the load balancer zone', () => {
    for (const [host, zone] of [
      ['k8s-a-1.elb.us-east-1.amazonaws.com', 'Z26RNL4JYFTOTI'],
      ['my-alb-1.eu-west-1.elb.amazonaws.com', 'Z32O12XQLNTSW2'],
      ['dualstack.my-alb-1.ap-southeast-2.elb.amazonaws.com', 'Z1GM3OXH4ZPM65'],
    ] as const) {
      expect(toRecordSets({ dnsName: 'lb.example.com', recordType: 'CNAME', targets: [host], recordTTL: 60 })).toEqual([{ Name: 'lb.example.com.', Type: 'A', AliasTarget: { HostedZoneId: zone, DNSName: host, EvaluateTargetHealth: true } }]);
    }
    expect(toRecordSets({ dnsName: 'c.example.com', recordType: 'CNAME', targets: ['lb.example.net'], recordTTL: 60 })[0]?.AliasTarget).toBeUndefined();
  });

  it('refuses what Route53 cannot hold', () => {
    expect(() => toRecordSets({ dnsName: 'x.example.com', recordType: 'A', targets: ['192.0.2.1'], setIdentifier: 's' })).toThrow(MappingError);
    expect(() => toRecordSets(routed(['192.0.2.1'], { policy: 'latency', cluster: 'x', region: 'moon-1' }))).toThrow(/no AWS region/);
    expect(() => toRecordSets({ dnsName: 'x.example.com', recordType: 'A', targets: [] })).toThrow(MappingError);
  });
});

describe('route53 record sets: native -> endpoint', () => {
  it('decodes names, TXT, aliases, routing and unknown routing', () => {
    const read = fromRecordSets([
      { Name: '\\052.example.com.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] },
      { Name: 't.example.com.', Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"ab" "cd"' }] },
      { Name: 'lb.example.com.', Type: 'A', AliasTarget: { HostedZoneId: 'Z26RNL4JYFTOTI', DNSName: 'k8s-a-1.elb.us-east-1.amazonaws.com.', EvaluateTargetHealth: true } },
      { Name: 'cf.example.com.', Type: 'A', AliasTarget: { HostedZoneId: 'Z2FDTNDATAQYW2', DNSName: 'd1.cloudfront.net.', EvaluateTargetHealth: false } },
      { Name: 'm.example.com.', Type: 'A', TTL: 60, SetIdentifier: 'm1', MultiValueAnswer: true, ResourceRecords: [{ Value: '192.0.2.9' }] },
      { Name: 'c.example.com.', Type: 'A', TTL: 60, SetIdentifier: 'cidr', CidrRoutingConfig: { CollectionId: 'c', LocationName: 'l' }, ResourceRecords: [{ Value: '192.0.2.8' }] },
    ]).map((r) => r.endpoint);
    expect(read).toEqual([
      { dnsName: '*.example.com', recordType: 'A', recordTTL: 60, targets: ['192.0.2.1'] },
      { dnsName: 't.example.com', recordType: 'TXT', recordTTL: 60, targets: ['abcd'] },
      { dnsName: 'lb.example.com', recordType: 'CNAME', targets: ['k8s-a-1.elb.us-east-1.amazonaws.com'] },
      { dnsName: 'cf.example.com', recordType: 'A', targets: ['d1.cloudfront.net'], providerSpecific: [{ name: 'alias', value: 'true' }] },
      { dnsName: 'm.example.com', recordType: 'A', recordTTL: 60, targets: ['192.0.2.9'], setIdentifier: 'm1', providerSpecific: [{ name: 'aws/multi-value-answer', value: 'true' }] },
      { dnsName: 'c.example.com', recordType: 'A', recordTTL: 60, targets: ['192.0.2.8'], setIdentifier: 'cidr' },
    ]);
    expect(fromRoute53Name('A\\100b.Example.COM.')).toBe('a@b.example.com');
  });

  it('geo parts of one cluster come back as one endpoint with every code', () => {
    const e = routed(['192.0.2.1'], { policy: 'geo', cluster: 'a', geo: ['country:DE', 'continent:EU', '*'] });
    const read = fromRecordSets(toRecordSets(e));
    expect(read).toHaveLength(1);
    expect(read[0]?.sets).toHaveLength(3);
    expect(read[0]?.endpoint).toEqual(e);
  });
});
