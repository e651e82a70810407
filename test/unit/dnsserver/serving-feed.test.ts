import { describe, expect, it } from 'vitest';
import type { DomainObject } from '../../../src/api/multiclusterdns.js';
import { zonesFromDomains } from '../../../src/dnsserver/serving-feed.js';

const d = (name: string, domain: string, nameServer?: string, deleting = false): DomainObject => ({
  apiVersion: 'multiclusterdns.kubefed.io/v1alpha1',
  kind: 'Domain',
  metadata: { name, namespace: 'kube-federation-system', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  domain,
  ...(nameServer !== undefined ? { nameServer } : {}),
});

describe('zonesFromDomains', () => {
  it('serves valid Domains once per apex; a hostname nameServer is an NS, an IP one the address of ns1.<domain>', () => {
    expect(zonesFromDomains([d('b', 'example.com.'), d('a', 'example.com', 'ns.example.net'), d('c', 'example.org', '192.0.2.53')])).toEqual([
      { domain: 'example.com', nameServers: ['ns.example.net'] },
      { domain: 'example.org', nameServerAddresses: ['192.0.2.53'] },
    ]);
  });

  it('takes nameServers after nameServer, the Domain\'s addresses before the configured ones, and the SOA', () => {
    const dom = { ...d('a', 'example.com', 'ns0.example.com'), nameServers: ['NS1.example.com.', 'ns0.example.com', 'ns.example.net'], soa: { rname: 'dns@example.com', refresh: 7200 } };
    expect(zonesFromDomains([dom], { nameServerAddresses: ['198.51.100.53'] })).toEqual([
      { domain: 'example.com', nameServers: ['ns0.example.com', 'ns1.example.com', 'ns.example.net'], nameServerAddresses: ['198.51.100.53'], soa: { rname: 'dns@example.com', refresh: 7200 } },
    ]);
    expect(zonesFromDomains([{ ...dom, nameServerAddresses: ['2001:db8::53'] }], { nameServerAddresses: ['198.51.100.53'] })[0]?.nameServerAddresses).toEqual(['2001:db8::53']);
  });

  it('leaves out a Domain that is a public suffix, or with a bad name server, address or SOA field', () => {
    const bad = [
      d('com', 'com'), d('couk', 'co.uk'),
      { ...d('ns', 'a.example.com'), nameServers: ['not a host'] },
      { ...d('ip', 'b.example.com'), nameServerAddresses: ['192.0.2.300'] },
      { ...d('soa', 'c.example.com'), soa: { refresh: -1 } },
    ];
    expect(zonesFromDomains([...bad, d('ok', 'example.test')])).toEqual([{ domain: 'example.test' }]);
  });

  it('leaves out invalid and deleting Domains', () => {
    expect(zonesFromDomains([d('bad', 'not_a_domain'), d('gone', 'example.net', undefined, true), d('ok', 'example.com')])).toEqual([{ domain: 'example.com' }]);
  });
});
