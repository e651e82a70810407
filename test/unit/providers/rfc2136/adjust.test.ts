import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import { encodeRouting, type RoutingInput } from '../../../../src/dns/routing.js';
import { foldRoutedEndpoints } from '../../../../providers/rfc2136/adjust.js';

const NAME = 'go-app.go-app.myfed.svc.example.com';

function routed(cluster: string, targets: string[], r: Omit<RoutingInput, 'cluster'>, recordType: Endpoint['recordType'] = 'A', ttl = 180): Endpoint {
  return { dnsName: NAME, recordType, recordTTL: ttl, targets, setIdentifier: cluster, providerSpecific: encodeRouting({ ...r, cluster }) ?? [] };
}

describe('foldRoutedEndpoints (RFC2136 adjust)', () => {
  const cases: { name: string; desired: Endpoint[]; targets: string[]; note: RegExp }[] = [
    {
      name: 'failover publishes the healthy primaries',
      desired: [routed('c1', ['192.0.2.1'], { policy: 'failover', failover: 'primary' }), routed('c2', ['192.0.2.2'], { policy: 'failover', failover: 'secondary' }), routed('c3', ['192.0.2.3'], { policy: 'failover', failover: 'primary' })],
      targets: ['192.0.2.1', '192.0.2.3'],
      note: /^failover: .*primaries/,
    },
    {
      name: 'failover falls back to the secondaries when no primary is healthy (rendered)',
      desired: [routed('c2', ['192.0.2.2'], { policy: 'failover', failover: 'secondary' }), routed('c4', ['192.0.2.4'], { policy: 'failover' })],
      targets: ['192.0.2.2', '192.0.2.4'],
      note: /^failover: /,
    },
    {
      name: 'latency publishes every healthy cluster',
      desired: [routed('c1', ['192.0.2.1'], { policy: 'latency', region: 'us-east-1' }), routed('c2', ['198.51.100.2', '192.0.2.1'], { policy: 'latency', region: 'eu-west-1' })],
      targets: ['192.0.2.1', '198.51.100.2'],
      note: /^latency: /,
    },
    {
      name: 'geo publishes every healthy cluster',
      desired: [routed('c1', ['192.0.2.1'], { policy: 'geo', geo: ['continent:EU'] }), routed('c2', ['192.0.2.2'], { policy: 'geo', geo: ['*'] })],
      targets: ['192.0.2.1', '192.0.2.2'],
      note: /^geo: /,
    },
    {
      name: 'weighted leaves out weight 0',
      desired: [routed('c1', ['192.0.2.1'], { policy: 'weighted', weight: 3 }), routed('c2', ['192.0.2.2'], { policy: 'weighted', weight: 0 }), routed('c3', ['192.0.2.3'], { policy: 'weighted', weight: 1 })],
      targets: ['192.0.2.1', '192.0.2.3'],
      note: /^weighted: /,
    },
    {
      name: 'weighted with every weight 0 publishes them all',
      desired: [routed('c1', ['192.0.2.1'], { policy: 'weighted', weight: 0 }), routed('c2', ['192.0.2.2'], { policy: 'weighted', weight: 0 })],
      targets: ['192.0.2.1', '192.0.2.2'],
      note: /^weighted: /,
    },
  ];

  it.each(cases)('$name', ({ desired, targets, note }) => {
    const { endpoints, notes } = foldRoutedEndpoints(desired);
    expect(endpoints).toEqual([{ dnsName: NAME, recordType: 'A', recordTTL: 180, targets }]);
    expect(notes.some((n) => note.test(n))).toBe(true);
  });

  it('folds ownership TXT records the same way and leaves plain endpoints as they are (minus provider properties)', () => {
    const txt = (cluster: string): Endpoint => ({ dnsName: `a-${NAME}`, recordType: 'TXT', targets: ['"heritage=external-dns,external-dns/owner=o"'], setIdentifier: cluster });
    const plain: Endpoint = { dnsName: `go.example.com`, recordType: 'CNAME', recordTTL: 180, targets: [NAME], labels: { 'kfed.io/resource': 'x' }, providerSpecific: [{ name: 'alias', value: 'true' }] };
    const { endpoints, notes } = foldRoutedEndpoints([txt('c1'), txt('c2'), plain, routed('c1', ['192.0.2.1'], { policy: 'latency' }), routed('c1', ['2001:db8::1'], { policy: 'latency' }, 'AAAA')]);
    expect(endpoints).toEqual([
      { dnsName: `a-${NAME}`, recordType: 'TXT', targets: ['"heritage=external-dns,external-dns/owner=o"'] },
      { dnsName: NAME, recordType: 'A', recordTTL: 180, targets: ['192.0.2.1'] },
      { dnsName: NAME, recordType: 'AAAA', recordTTL: 180, targets: ['2001:db8::1'] },
      { dnsName: 'go.example.com', recordType: 'CNAME', recordTTL: 180, targets: [NAME], labels: { 'kfed.io/resource': 'x' } },
    ]);
    expect(notes).toContain('provider-specific properties are not stored by RFC2136 and were dropped');
    expect(notes.some((n) => n.startsWith('set identifiers:'))).toBe(true);
  });

  it('keeps one target of routed CNAMEs, the lowest TTL, and the plain set when both exist', () => {
    const cnames = [routed('c1', ['lb-b.example.net'], { policy: 'weighted' }, 'CNAME', 300), routed('c2', ['lb-a.example.net'], { policy: 'weighted' }, 'CNAME', 60)];
    const folded = foldRoutedEndpoints(cnames);
    expect(folded.endpoints).toEqual([{ dnsName: NAME, recordType: 'CNAME', recordTTL: 60, targets: ['lb-a.example.net'] }]);
    expect(folded.notes.some((n) => /CNAME: routed CNAMEs to 2 targets/.test(n))).toBe(true);

    const plain: Endpoint = { dnsName: NAME, recordType: 'A', targets: ['192.0.2.9'] };
    const both = foldRoutedEndpoints([plain, routed('c1', ['192.0.2.1'], { policy: 'latency' })]);
    expect(both.endpoints).toEqual([plain]);
    expect(both.notes.some((n) => /plain one is published/.test(n))).toBe(true);
  });

  it('is deterministic: input order does not change output or notes', () => {
    const desired = cases.flatMap((c, i) => c.desired.map((e) => ({ ...e, dnsName: `n${i}.example.com` })));
    const a = foldRoutedEndpoints(desired);
    const b = foldRoutedEndpoints([...desired].reverse());
    expect(b).toEqual(a);
    expect(a.endpoints.every((e) => e.setIdentifier === undefined && e.providerSpecific === undefined)).toBe(true);
  });
});
