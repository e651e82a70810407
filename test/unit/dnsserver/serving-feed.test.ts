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
  it('serves valid Domains once per apex, NS from a hostname nameServer only', () => {
    expect(zonesFromDomains([d('b', 'example.com.'), d('a', 'example.com', 'ns.example.net'), d('c', 'example.org', '192.0.2.53')])).toEqual([
      { domain: 'example.com', nameServers: ['ns.example.net'] },
      { domain: 'example.org' },
    ]);
  });

  it('leaves out invalid and deleting Domains', () => {
    expect(zonesFromDomains([d('bad', 'not_a_domain'), d('gone', 'example.net', undefined, true), d('ok', 'example.com')])).toEqual([{ domain: 'example.com' }]);
  });
});
