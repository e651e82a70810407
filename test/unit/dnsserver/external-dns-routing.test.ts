// external-dns's records answered the way Route53 would (issue 18 item 4): aws/weight,
// aws/failover, aws/geolocation-*, aws/region next to a set identifier decode into kfed's
// routing model (src/dns/routing.ts); a CNAME loop answers without repeated records.
import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../src/api/multiclusterdns.js';
import { decodeRouting, routedPolicyOf } from '../../../src/dns/routing.js';
import { buildSnapshot } from '../../../src/dnsserver/snapshot.js';
import { ask, data, EU, plain, query, responder, US } from './fixtures.js';

const zones = [{ domain: 'example.com' }];

function aws(dnsName: string, id: string, target: string, props: Record<string, string>): Endpoint {
  return { dnsName, recordType: 'A', targets: [target], setIdentifier: id, providerSpecific: Object.entries(props).map(([name, value]) => ({ name, value })) };
}

const addresses = (r: ReturnType<typeof ask>): string[] => data(r).map((l) => l.split(' ')[2] ?? '').sort();

describe('external-dns aws/* properties', () => {
  it('decode into kfed routing (weight, failover, geolocation, region)', () => {
    expect(routedPolicyOf(aws('w.example.com', 'a', '192.0.2.1', { 'aws/weight': '0' }))).toBe('weighted');
    expect(decodeRouting(aws('w.example.com', 'a', '192.0.2.1', { 'aws/weight': '0' }))).toMatchObject({ policy: 'weighted', weight: 0, cluster: 'a' });
    expect(decodeRouting(aws('f.example.com', 'p', '192.0.2.1', { 'aws/failover': 'PRIMARY' }))).toMatchObject({ policy: 'failover', failover: 'primary' });
    expect(decodeRouting(aws('l.example.com', 'x', '192.0.2.1', { 'aws/region': 'eu-west-1' }))).toMatchObject({ policy: 'latency', region: 'eu-west-1' });
    expect(decodeRouting(aws('g.example.com', 'x', '192.0.2.1', { 'aws/geolocation-continent-code': 'EU' }))?.geo).toEqual({ continents: ['EU'], countries: [], isDefault: false });
    expect(decodeRouting(aws('g.example.com', 'x', '192.0.2.1', { 'aws/geolocation-country-code': '*' }))?.geo.isDefault).toBe(true);
    const warnings: string[] = [];
    expect(decodeRouting(aws('g.example.com', 'x', '192.0.2.1', { 'aws/geolocation-country-code': 'US', 'aws/geolocation-subdivision-code': 'CA' }), (m) => warnings.push(m))?.geo.countries).toEqual(['US']);
    expect(warnings.join()).toMatch(/subdivision "CA" is answered for all of US/);
    // Without a set identifier they mean nothing (Route53 needs one), as in external-dns.
    const noId: Endpoint = { dnsName: 'p.example.com', recordType: 'A', targets: [], providerSpecific: [{ name: 'aws/weight', value: '0' }] };
    expect(routedPolicyOf(noId)).toBeUndefined();
  });

  it('weight 0 is never served while another set has weight', () => {
    const snap = buildSnapshot({ zones, endpoints: [
      aws('w.example.com', 'off', '192.0.2.1', { 'aws/weight': '0' }),
      aws('w.example.com', 'on', '192.0.2.2', { 'aws/weight': '10' }),
    ] });
    for (const r of [0, 0.01, 0.5, 0.999]) expect(addresses(ask(responder(snap, {}, () => r), query('w.example.com')))).toEqual(['192.0.2.2']);
  });

  it('failover answers PRIMARY, not SECONDARY', () => {
    const snap = buildSnapshot({ zones, endpoints: [
      aws('f.example.com', 'b', '192.0.2.2', { 'aws/failover': 'SECONDARY' }),
      aws('f.example.com', 'a', '192.0.2.1', { 'aws/failover': 'PRIMARY' }),
    ] });
    expect(addresses(ask(responder(snap), query('f.example.com')))).toEqual(['192.0.2.1']);
  });

  it('geolocation by continent and country, the * set for the rest; latency by aws/region', () => {
    const geo = buildSnapshot({ zones, endpoints: [
      aws('g.example.com', 'eu', '192.0.2.1', { 'aws/geolocation-continent-code': 'EU' }),
      aws('g.example.com', 'us', '192.0.2.2', { 'aws/geolocation-country-code': 'US' }),
      aws('g.example.com', 'default', '192.0.2.3', { 'aws/geolocation-country-code': '*' }),
    ] });
    const locs = { '198.51.100.1': EU, '198.51.100.2': US };
    expect(addresses(ask(responder(geo, locs), query('g.example.com'), '198.51.100.1'))).toEqual(['192.0.2.1']);
    expect(addresses(ask(responder(geo, locs), query('g.example.com'), '198.51.100.2'))).toEqual(['192.0.2.2']);
    expect(addresses(ask(responder(geo, locs), query('g.example.com'), '203.0.113.1'))).toEqual(['192.0.2.3']);
    const latency = buildSnapshot({ zones, endpoints: [
      aws('l.example.com', 'eu', '192.0.2.1', { 'aws/region': 'eu-west-1' }),
      aws('l.example.com', 'us', '192.0.2.2', { 'aws/region': 'us-east-1' }),
    ] });
    expect(addresses(ask(responder(latency, locs), query('l.example.com'), '198.51.100.1'))).toEqual(['192.0.2.1']);
    expect(addresses(ask(responder(latency, locs), query('l.example.com'), '198.51.100.2'))).toEqual(['192.0.2.2']);
  });

  it('kfed.io properties win over aws/* ones on the same endpoint', () => {
    const e = aws('k.example.com', 'c1', '192.0.2.1', { 'kfed.io/routing-policy': 'failover', 'kfed.io/failover': 'secondary', 'aws/weight': '5' });
    expect(decodeRouting(e)).toMatchObject({ policy: 'failover', failover: 'secondary', weight: 1 });
  });
});

describe('CNAME loops', () => {
  it('answer each record once and say so in the snapshot warnings', () => {
    const snap = buildSnapshot({ zones, endpoints: [
      plain('a.example.com', 'CNAME', ['b.example.com']),
      plain('b.example.com', 'CNAME', ['a.example.com']),
      plain('start.example.com', 'CNAME', ['a.example.com']),
      plain('ok.example.com', 'CNAME', ['end.example.com']),
      plain('end.example.com', 'A', ['192.0.2.9']),
    ] });
    expect(snap.warnings.join()).toMatch(/CNAME loop through a\.example\.com, b\.example\.com/);
    for (const name of ['a.example.com', 'start.example.com']) {
      const answers = data(ask(responder(snap), query(name)));
      expect(new Set(answers).size, name).toBe(answers.length);
    }
    expect(data(ask(responder(snap), query('start.example.com')))).toEqual(['start.example.com CNAME a.example.com', 'a.example.com CNAME b.example.com']);
    // A chain without a loop is still followed.
    expect(data(ask(responder(snap), query('ok.example.com')))).toEqual(['ok.example.com CNAME end.example.com', 'end.example.com A 192.0.2.9']);
  });
});
