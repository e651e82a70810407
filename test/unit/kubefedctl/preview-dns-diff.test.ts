// `kfed preview --dns` output: the readable section (records, changes against the DNSEndpoint
// now, notes) and the -o yaml|json List, where the DNSEndpoint is one extra item annotated
// kfed.io/preview-dns and carrying no kfed.io/preview-cluster.
import { describe, expect, it } from 'vitest';
import type { ClusterDNS, DomainObject, ServiceDNSRecord } from '../../../src/api/multiclusterdns.js';
import { previewList } from '../../../src/cli/preview-command.js';
import { buildDNSEndpoint, renderServiceEndpoints } from '../../../src/dns/records/render-endpoints.js';
import type { ObjectPreview } from '../../../src/kubefedctl/preview.js';
import { dnsLines, routingText } from '../../../src/kubefedctl/preview-dns-diff.js';
import type { DNSPreview } from '../../../src/kubefedctl/preview-dns.js';

const domain = { apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'Domain', metadata: { name: 'myfed', namespace: 'kube-federation-system' }, domain: 'example.com' } as DomainObject;
const weighted: ServiceDNSRecord = {
  apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'ServiceDNSRecord', metadata: { name: 'web', namespace: 'shop' },
  spec: { domainRef: 'myfed', recordTTL: 60, dnsPrefix: 'www', routing: { policy: 'weighted', weights: { 'cluster-1': 3 } } },
};
const simple: ServiceDNSRecord = { ...weighted, spec: { domainRef: 'myfed', recordTTL: 60, dnsPrefix: 'www' } };
const dns: ClusterDNS[] = [
  { cluster: 'cluster-1', region: 'us-east-1', zones: ['us-east-1a'], loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } },
  { cluster: 'cluster-2', region: 'eu-west-1', zones: ['eu-west-1a'], loadBalancer: { ingress: [{ ip: '198.51.100.7' }] } },
  { cluster: 'cluster-3', region: 'ap-southeast-1', zones: ['ap-southeast-1a'], loadBalancer: {} },
];
const endpointOf = (r: ServiceDNSRecord) => buildDNSEndpoint('service', r, renderServiceEndpoints(r, domain, dns).endpoints);

/** A preview of `weighted`; `endpoint: undefined` leaves the endpoint out (nothing would be written). */
function preview(over: { [K in keyof DNSPreview]?: DNSPreview[K] | undefined } = {}): DNSPreview {
  const p = { recordKind: 'ServiceDNSRecord', namespace: 'shop', name: 'web', source: 'host', dnsEndpoint: 'shop/service-web', endpoint: endpointOf(weighted), dns, skipped: [], notes: [], ...over } as DNSPreview;
  if (p.endpoint === undefined) delete p.endpoint;
  return p;
}

describe('kfed preview --dns: text', () => {
  it('lists the records with routing and the changes against the DNSEndpoint now', () => {
    expect(dnsLines(preview({ current: endpointOf(simple), notes: ['cluster-3: no Service shop/web there now'] }))).toEqual([
      'DNS: ServiceDNSRecord shop/web -> DNSEndpoint shop/service-web: would be updated',
      '  NAME                                                           TYPE   TTL  TARGETS                                        ROUTING',
      '  web.shop.myfed.svc.ap-southeast-1.example.com                  CNAME  60   web.shop.myfed.svc.example.com                 -',
      '  web.shop.myfed.svc.ap-southeast-1a.ap-southeast-1.example.com  CNAME  60   web.shop.myfed.svc.ap-southeast-1.example.com  -',
      '  web.shop.myfed.svc.eu-west-1.example.com                       A      60   198.51.100.7                                   -',
      '  web.shop.myfed.svc.eu-west-1a.eu-west-1.example.com            A      60   198.51.100.7                                   -',
      '  web.shop.myfed.svc.example.com                                 A      60   192.0.2.10                                     set cluster-1: weighted weight 3',
      '  web.shop.myfed.svc.example.com                                 A      60   198.51.100.7                                   set cluster-2: weighted weight 1',
      '  web.shop.myfed.svc.us-east-1.example.com                       A      60   192.0.2.10                                     -',
      '  web.shop.myfed.svc.us-east-1a.us-east-1.example.com            A      60   192.0.2.10                                     -',
      '  www.example.com                                                CNAME  60   web.shop.myfed.svc.example.com                 -',
      '  changes against the DNSEndpoint now:',
      '  - web.shop.myfed.svc.example.com A 60 192.0.2.10,198.51.100.7 -',
      '  + web.shop.myfed.svc.example.com A 60 192.0.2.10 set cluster-1: weighted weight 3',
      '  + web.shop.myfed.svc.example.com A 60 198.51.100.7 set cluster-2: weighted weight 1',
      '  note: cluster-3: no Service shop/web there now',
    ]);
  });

  it('says unchanged, would be created, or why nothing would be written', () => {
    expect(dnsLines(preview({ current: endpointOf(weighted) }))[0]).toBe('DNS: ServiceDNSRecord shop/web -> DNSEndpoint shop/service-web: unchanged');
    expect(dnsLines(preview({ current: endpointOf(weighted) }))).not.toContain('  changes against the DNSEndpoint now:');
    expect(dnsLines(preview({ source: 'file' }))[0]).toBe('DNS: ServiceDNSRecord shop/web -> DNSEndpoint shop/service-web (record from the file): would be created');
    const invalid = dnsLines(preview({ endpoint: undefined, current: endpointOf(simple), problem: 'ServiceDNSRecord shop/web is invalid (Valid=False): spec.domainRef: Domain "nope" not found; its DNSEndpoint is left as it is' }));
    expect(invalid).toEqual([
      'DNS: ServiceDNSRecord shop/web -> DNSEndpoint shop/service-web: nothing would be written: ServiceDNSRecord shop/web is invalid (Valid=False): spec.domainRef: Domain "nope" not found; its DNSEndpoint is left as it is',
      '  the DNSEndpoint now holds 8 record set(s)',
    ]);
  });

  it('names failover and geo routing', () => {
    const props = (policy: string, extra: Record<string, string>) => ({ dnsName: 'a.example.com', recordType: 'A' as const, targets: ['192.0.2.1'], setIdentifier: 'cluster-2', providerSpecific: Object.entries({ 'kfed.io/routing-policy': policy, ...extra }).map(([name, value]) => ({ name, value })) });
    expect(routingText(props('failover', { 'kfed.io/failover': 'primary' }))).toBe('set cluster-2: failover primary');
    expect(routingText(props('geo', { 'kfed.io/geo': 'continent:EU,*' }))).toBe('set cluster-2: geo *,continent:EU');
    expect(routingText({ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] })).toBe('-');
  });
});

describe('kfed preview --dns: -o yaml|json', () => {
  const object = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' } };
  const base: ObjectPreview = {
    federated: { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedService', metadata: { name: 'web', namespace: 'shop' }, spec: {} },
    target: 'Service shop/web',
    clusters: [{ cluster: 'cluster-1', action: 'write', object }, { cluster: 'cluster-2', action: 'write', object }],
  };

  it('adds the DNSEndpoint after the clusters\' items, annotated kfed.io/preview-dns only', () => {
    const list = previewList([{ ...base, dns: preview() }]);
    expect(list.items.map((i) => [i.kind, i.metadata.annotations])).toEqual([
      ['Service', { 'kfed.io/preview-cluster': 'cluster-1' }],
      ['Service', { 'kfed.io/preview-cluster': 'cluster-2' }],
      ['DNSEndpoint', { 'kfed.io/preview-dns': 'ServiceDNSRecord/web' }],
    ]);
    expect(list.items[2]!['spec']).toEqual(endpointOf(weighted).spec);
  });

  it('adds nothing when no DNSEndpoint would be written (no record, or an invalid one)', () => {
    expect(previewList([base]).items).toHaveLength(2);
    expect(previewList([{ ...base, dns: preview({ source: 'default', problem: 'no ServiceDNSRecord shop/web' }) }]).items).toHaveLength(2);
    expect(previewList([{ ...base, dns: preview({ endpoint: undefined, problem: 'invalid' }) }]).items).toHaveLength(2);
  });
});
