import { describe, expect, it } from 'vitest';
import { domainZoneProblems, isPublicSuffix } from '../../../src/api/domain-validation.js';
import type { DomainObject } from '../../../src/api/multiclusterdns.js';
import { validateDomain, validCondition } from '../../../src/dns/records/validate.js';

const domain = (over: Partial<DomainObject>): DomainObject => ({ apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'Domain', metadata: { name: 'f', namespace: 'kube-federation-system' }, domain: 'example.com', ...over });

describe('Domain zone fields', () => {
  it('knows ICANN public suffixes and lets reserved and owned names pass', () => {
    for (const d of ['com', 'co.uk', 'COM.', 'foo']) expect(isPublicSuffix(d), d).toBe(true);
    for (const d of ['example.com', 'example.co.uk', 'test', 'kfed.test', 'github.io']) expect(isPublicSuffix(d), d).toBe(false);
  });

  it('reports a public suffix as Valid=False InvalidDomain with a clear message', () => {
    const c = validCondition(validateDomain(domain({ domain: 'co.uk' })));
    expect(c).toMatchObject({ status: 'False', reason: 'InvalidDomain' });
    expect(c.message).toContain('domain: "co.uk" is a public suffix (Public Suffix List): a Domain must be a zone you own below it, such as example.co.uk');
  });

  it('checks name servers, their addresses and the SOA', () => {
    expect(domainZoneProblems(domain({ nameServers: ['ns1.example.com', 'bad name'], nameServerAddresses: ['192.0.2.1', 'x'], soa: { mname: 'ns1.example.com', rname: 'a@example.com', retry: 1.5, expire: -1 } }))).toEqual([
      { field: 'nameServers[1]', message: '"bad name" is not a host name' },
      { field: 'nameServerAddresses[1]', message: '"x" is not an IPv4 or IPv6 address' },
      { field: 'soa.retry', message: '1.5 is not a number of seconds from 0 to 2147483647' },
      { field: 'soa.expire', message: '-1 is not a number of seconds from 0 to 2147483647' },
    ]);
    expect(domainZoneProblems(domain({ soa: { rname: 'not a mailbox' } }))[0]?.field).toBe('soa.rname');
  });
});
