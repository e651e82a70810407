import { describe, expect, it } from 'vitest';
import type { DNSEndpoint, Endpoint } from '../../../src/api/multiclusterdns.js';
import { compareSeniority, resolveOwnership, type EndpointScope } from '../../../src/dns/ownership.js';
import { ownershipConditions } from '../../../src/dns/records/ownership-status.js';

const SCOPE: EndpointScope = { kubefedNamespace: 'kube-federation-system' };

function ep(o: { group?: string; ns: string; name: string; created: string; endpoints: Endpoint[]; rendered?: string; labels?: Record<string, string> }): DNSEndpoint {
  return {
    apiVersion: `${o.group ?? 'multiclusterdns.kubefed.io'}/v1alpha1`, kind: 'DNSEndpoint',
    metadata: {
      namespace: o.ns, name: o.name, creationTimestamp: o.created, ...(o.labels ? { labels: o.labels } : {}),
      ...(o.rendered ? { ownerReferences: [{ apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'ServiceDNSRecord', name: o.rendered, uid: 'u', controller: true }] } : {}),
    },
    spec: { endpoints: o.endpoints },
  };
}

const GO = 'go-app.go-app.myfed.svc.example.com';
const goApp = ep({ ns: 'go-app', name: 'service-go-app', rendered: 'go-app', created: '2026-01-01T00:00:00Z', endpoints: [
  { dnsName: GO, recordType: 'A', targets: ['192.0.2.1', '192.0.2.2'], recordTTL: 30 },
  { dnsName: 'go.example.com', recordType: 'CNAME', targets: [GO], recordTTL: 30 },
] });
// A tenant that also runs a kfed record, so its namespace is read.
const tenantRecord = ep({ ns: 'tenant', name: 'service-web', rendered: 'web', created: '2026-01-01T00:00:05Z', endpoints: [
  { dnsName: 'web.tenant.myfed.svc.example.com', recordType: 'A', targets: ['198.51.100.7'] },
] });

describe('resolveOwnership', () => {
  it('keeps an established name from its owner: a later CNAME with TTL 86400 over it is dropped, both sides told', () => {
    const hijack = ep({ group: 'externaldns.k8s.io', ns: 'tenant', name: 'evil', created: '2026-01-02T00:00:00Z', endpoints: [
      { dnsName: GO, recordType: 'CNAME', targets: ['evil.example.net'], recordTTL: 86400 },
      { dnsName: 'free.example.com', recordType: 'A', targets: ['203.0.113.9'] },
    ] });
    const res = resolveOwnership([hijack, tenantRecord, goApp], SCOPE);
    const served = res.accepted.flatMap((a) => a.endpoints);
    expect(served.filter((e) => e.dnsName === GO)).toEqual([goApp.spec.endpoints[0]]);
    expect(served.some((e) => e.dnsName === 'free.example.com')).toBe(true);
    expect(res.conflicts).toEqual([{ name: GO, owner: { group: 'multiclusterdns.kubefed.io', namespace: 'go-app', name: 'service-go-app' }, losers: [{ group: 'externaldns.k8s.io', namespace: 'tenant', name: 'evil' }] }]);
    const conds = ownershipConditions(res);
    expect(conds.get('dnsendpoint/externaldns.k8s.io/tenant/evil')?.[0]).toMatchObject({ type: 'NameConflict', reason: 'NameOwned' });
    expect(conds.get('dnsendpoint/multiclusterdns.kubefed.io/go-app/service-go-app')?.[0]).toMatchObject({ type: 'NameConflict', reason: 'NameContested' });
    // The record go-app's DNSEndpoint was rendered from hears about it too.
    expect(conds.get('servicednsrecord/go-app/go-app')?.[0]?.message).toContain('tenant/evil');
  });

  it('a routed candidate (set identifier) cannot join another source\'s name either', () => {
    const routed = ep({ ns: 'tenant', name: 'geo', created: '2026-01-03T00:00:00Z', endpoints: [
      { dnsName: GO, recordType: 'A', targets: ['203.0.113.66'], setIdentifier: 'cluster-9', providerSpecific: [{ name: 'kfed.io/routing-policy', value: 'geo' }, { name: 'kfed.io/geo', value: 'country:DE' }] },
    ] });
    const res = resolveOwnership([goApp, tenantRecord, routed], SCOPE);
    expect(res.accepted.flatMap((a) => a.endpoints).some((e) => e.setIdentifier === 'cluster-9')).toBe(false);
    expect(res.conflicts[0]?.losers).toEqual([{ group: 'multiclusterdns.kubefed.io', namespace: 'tenant', name: 'geo' }]);
  });

  it('two records producing one name: the older keeps it, the younger gets the conflict (no merge)', () => {
    const older = ep({ ns: 'a', name: 'service-x', rendered: 'x', created: '2026-01-01T00:00:00Z', endpoints: [{ dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1'], recordTTL: 30 }] });
    const younger = ep({ ns: 'b', name: 'service-y', rendered: 'y', created: '2026-01-01T00:00:01Z', endpoints: [{ dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.2'], recordTTL: 77 }] });
    for (const order of [[older, younger], [younger, older]]) {
      const res = resolveOwnership(order, SCOPE);
      expect(res.accepted.flatMap((a) => a.endpoints)).toEqual([older.spec.endpoints[0]]);
      expect(ownershipConditions(res).get('servicednsrecord/b/y')?.[0]?.reason).toBe('NameOwned');
    }
  });

  it('orders ties by namespace/name and is the same for any input order', () => {
    const a = ep({ ns: 'a', name: 'z', created: '2026-01-01T00:00:00Z', endpoints: [] });
    const b = ep({ ns: 'b', name: 'a', created: '2026-01-01T00:00:00Z', endpoints: [] });
    expect([b, a].sort(compareSeniority)).toEqual([a, b]);
  });

  it('reads DNSEndpoints only from the KubeFed namespace and the namespaces of kfed\'s records, unless widened', () => {
    const stray = ep({ group: 'externaldns.k8s.io', ns: 'elsewhere', name: 's', created: '2026-01-01T00:00:00Z', labels: { team: 'dns' }, endpoints: [{ dnsName: 'stray.example.com', recordType: 'A', targets: ['192.0.2.50'] }] });
    const admin = ep({ ns: 'kube-federation-system', name: 'apex', created: '2026-01-01T00:00:00Z', endpoints: [{ dnsName: 'example.com', recordType: 'MX', targets: ['10 mail.example.com'] }] });
    const names = (scope: EndpointScope): string[] => resolveOwnership([stray, admin], scope).accepted.flatMap((x) => x.endpoints.map((e) => e.dnsName));
    expect(names(SCOPE)).toEqual(['example.com']);
    expect(resolveOwnership([stray, admin], SCOPE).outOfScope).toBe(1);
    expect(names({ ...SCOPE, externalDNSNamespaces: ['elsewhere'] })).toContain('stray.example.com');
    expect(names({ ...SCOPE, externalDNSNamespaces: ['*'] })).toContain('stray.example.com');
    expect(names({ ...SCOPE, externalDNSSelector: { matchLabels: { team: 'dns' } } })).toContain('stray.example.com');
    expect(names({ ...SCOPE, externalDNSSelector: { matchLabels: { team: 'web' } } })).not.toContain('stray.example.com');
  });

  it('one TTL per record set: the lowest, with a warning', () => {
    const mixed = ep({ ns: 'go-app', name: 'mixed', created: '2026-01-05T00:00:00Z', endpoints: [
      { dnsName: 'm.example.com', recordType: 'A', targets: ['192.0.2.1'], setIdentifier: 'one', recordTTL: 77 },
      { dnsName: 'm.example.com', recordType: 'A', targets: ['192.0.2.2'], setIdentifier: 'two', recordTTL: 30 },
      { dnsName: 'm.example.com', recordType: 'TXT', targets: ['"x"'] },
    ] });
    const res = resolveOwnership([goApp, mixed], SCOPE);
    const got = res.accepted.find((a) => a.source.name === 'mixed')?.endpoints ?? [];
    expect(got.filter((e) => e.recordType === 'A').map((e) => e.recordTTL)).toEqual([30, 30]);
    expect(got.find((e) => e.recordType === 'TXT')?.recordTTL).toBeUndefined();
    expect(res.ttl).toEqual([{ source: { group: 'multiclusterdns.kubefed.io', namespace: 'go-app', name: 'mixed' }, name: 'm.example.com', recordType: 'A', ttls: [30, 77], used: 30 }]);
    expect(ownershipConditions(res).get('dnsendpoint/multiclusterdns.kubefed.io/go-app/mixed')?.[0]).toMatchObject({ type: 'TTLAdjusted', reason: 'TTLMismatch' });
    // The input objects are never changed.
    expect(mixed.spec.endpoints[0]?.recordTTL).toBe(77);
  });

  it('rejects record types kfed cannot serve and a CNAME to an IP address, in status', () => {
    const odd = ep({ ns: 'kube-federation-system', name: 'odd', created: '2026-01-05T00:00:00Z', endpoints: [
      { dnsName: '_443._tcp.www.example.com', recordType: 'TLSA' as Endpoint['recordType'], targets: ['3 1 1 abcd'] },
      { dnsName: 'sip.example.com', recordType: 'NAPTR' as Endpoint['recordType'], targets: ['100 10 "S" "SIP+D2U" "" _sip._udp.example.com.'] },
      { dnsName: 'old.example.com', recordType: 'DNAME' as Endpoint['recordType'], targets: ['new.example.com'] },
      { dnsName: 'ip.example.com', recordType: 'CNAME', targets: ['1.2.3.4'] },
      { dnsName: 'ok.example.com', recordType: 'A', targets: ['192.0.2.3'] },
    ] });
    const res = resolveOwnership([odd], SCOPE);
    expect(res.accepted[0]?.endpoints.map((e) => e.dnsName)).toEqual(['ok.example.com']);
    expect(res.rejections.map((r) => [r.recordType, r.reason])).toEqual([['TLSA', 'UnsupportedType'], ['NAPTR', 'UnsupportedType'], ['DNAME', 'UnsupportedType'], ['CNAME', 'CNAMEToAddress']]);
    const cond = ownershipConditions(res).get('dnsendpoint/multiclusterdns.kubefed.io/kube-federation-system/odd')?.[0];
    expect(cond).toMatchObject({ type: 'RecordsRejected', reason: 'UnsupportedRecord' });
    expect(cond?.message).toMatch(/1\.2\.3\.4 is an IP address/);
  });
});
