import { describe, expect, it } from 'vitest';
import { companionName, companionOwner, decodeEntry, encodeEntry } from '../../../../providers/clouddns/companion.js';
import { quoteTxt, rrdataToTarget, targetToRrdata, unquoteTxt } from '../../../../providers/clouddns/rdata.js';
import { gcpRegionOf, gcpRegionOfContinent, gcpRegionOfCountry } from '../../../../providers/clouddns/regions.js';
import { selectZones } from '../../../../providers/clouddns/zones.js';
import { changeQuota, DEFAULT_QUOTA, rrdataSize } from '../../../../providers/clouddns/limits.js';
import { retryAfterMs, toProviderError } from '../../../../providers/clouddns/errors.js';

describe('regions', () => {
  it.each([
    ['us-east-1', 'us-east4'],
    ['eu-west-1', 'europe-west2'],
    ['ap-southeast-1', 'asia-southeast1'],
    ['westeurope', 'europe-west4'],
    ['EastUS', 'us-east4'],
    ['europe-west10', 'europe-west10'],
    ['us-central1-f', 'us-central1'],
    ['nowhere', undefined],
    [undefined, undefined],
  ])('%s -> %s', (region, gcp) => expect(gcpRegionOf(region)).toBe(gcp));

  it('continents and countries', () => {
    expect(gcpRegionOfContinent('SA')).toBe('southamerica-east1');
    expect(gcpRegionOfCountry('de')).toBe('europe-west3');
    expect(gcpRegionOfCountry('KE')).toBe('africa-south1');
    expect(gcpRegionOfCountry('ZZ')).toBeUndefined();
  });
});

describe('rdata', () => {
  it('names become absolute and back', () => {
    expect(targetToRrdata('CNAME', 'lb.example.net')).toBe('lb.example.net.');
    expect(rrdataToTarget('CNAME', 'lb.example.net.')).toBe('lb.example.net');
    expect(targetToRrdata('SRV', '0 5 5060 sip.example.com')).toBe('0 5 5060 sip.example.com.');
    expect(rrdataToTarget('SRV', '0 5 5060 sip.example.com.')).toBe('0 5 5060 sip.example.com');
  });

  it('TXT is quoted, escaped and split into 255-byte strings, and joined back', () => {
    expect(quoteTxt('a "b" \\c')).toBe('"a \\"b\\" \\\\c"');
    const long = 'x'.repeat(300);
    const q = quoteTxt(long);
    expect(q).toBe(`"${'x'.repeat(255)}" "${'x'.repeat(45)}"`);
    expect(unquoteTxt(q)).toBe(long);
    expect(unquoteTxt('"a \\"b\\" \\\\c"')).toBe('a "b" \\c');
    expect(unquoteTxt('bare')).toBe('bare');
  });
});

describe('companion', () => {
  it('names', () => {
    expect(companionName('Go.Example.com.', 'AAAA')).toBe('_kfed-aaaa.go.example.com.');
    expect(companionName('*.example.com', 'A')).toBe('_kfed-a-wildcard.example.com.');
    expect(companionOwner('_kfed-a-wildcard.example.com.')).toEqual({ dnsName: '*.example.com', type: 'A' });
    expect(companionOwner('_kfed-txt.a-go.example.com.')).toEqual({ dnsName: 'a-go.example.com', type: 'TXT' });
    expect(companionOwner('_other.example.com.')).toBeUndefined();
  });

  it('entries round-trip odd characters and refer to item data', () => {
    const rrset = { name: 'go.example.com.', type: 'TXT', ttl: 5, routingPolicy: { wrr: { items: [{ weight: 1, rrdatas: ['"a=b,c"'] }] } } };
    const e = { dnsName: 'go.example.com', recordType: 'TXT' as const, setIdentifier: 'cluster 1;2%', recordTTL: 5, targets: ['say "hi"', 'a=b,c @x'], providerSpecific: [{ name: 'kfed.io/geo', value: 'continent:EU,*' }, { name: 'kfed.io/cluster', value: 'cluster 1;2%' }, { name: 'x y', value: '=;' }] };
    const entry = encodeEntry(e, rrset);
    expect(unquoteTxt(entry)).toBe('k2 cluster%201%3B2%25 = say%20%22hi%22,a%3Db%2Cc%20%40x g=continent:EU,*;c;x%20y=%3D%3B');
    expect(decodeEntry(entry, rrset, 'TXT')).toEqual(e);
    const byRef = { ...e, targets: ['a=b,c'], recordTTL: 9 };
    expect(unquoteTxt(encodeEntry(byRef, rrset))).toMatch(/^k2 \S+ 9 @0 /);
    expect(decodeEntry(encodeEntry(byRef, rrset), rrset, 'TXT')).toEqual(byRef);
    expect(decodeEntry('"v=spf1 -all"', rrset, 'TXT')).toBeUndefined();
    expect(decodeEntry('"k2 a = @7 -"', rrset, 'TXT')).toBeUndefined();
  });
});

describe('zones', () => {
  const zones = [
    { name: 'z1', dnsName: 'example.com.' },
    { name: 'z0', dnsName: 'example.com.' },
    { name: 'p1', dnsName: 'example.com.', visibility: 'private' as const },
    { name: 'p2', dnsName: 'example.com.', visibility: 'private' as const },
    { name: 'sd', dnsName: 'svc.example.com.', visibility: 'private' as const, serviceDirectoryConfig: {} },
  ];
  it('one public zone per domain; every private zone of the most specific name', () => {
    expect(selectZones(zones, ['example.com'], 'public').map((z) => z.id)).toEqual(['z0']);
    expect(selectZones(zones, ['a.svc.example.com'], 'private').map((z) => z.id)).toEqual(['p1', 'p2']);
    expect(selectZones(zones, [], 'any').map((z) => z.id)).toEqual(['z1', 'z0', 'p1', 'p2']);
    expect(selectZones(zones, ['example.org'], 'any')).toEqual([]);
  });
});

describe('limits and errors', () => {
  it('quota from projects.get with defaults for missing fields', () => {
    expect(changeQuota(undefined)).toEqual(DEFAULT_QUOTA);
    expect(changeQuota({ rrsetAdditionsPerChange: 1000, totalRrdataSizePerChange: 0 })).toEqual({ ...DEFAULT_QUOTA, additions: 1000 });
    expect(rrdataSize({ name: 'x.', type: 'A', routingPolicy: { wrr: { items: [{ weight: 1, rrdatas: ['192.0.2.1'] }] } } })).toBe(9);
  });

  it('classifies', () => {
    const api = (code: number, reason = ''): unknown => ({ code, errors: reason ? [{ reason }] : [], message: 'm' });
    expect(toProviderError(api(429), 'x', 'read').kind).toBe('throttled');
    expect(toProviderError(api(403, 'rateLimitExceeded'), 'x', 'read').kind).toBe('throttled');
    expect(toProviderError(api(403, 'quotaExceeded'), 'x', 'change').kind).toBe('rejected');
    expect(toProviderError(api(403, 'forbidden'), 'x', 'read').kind).toBe('auth');
    expect(toProviderError(api(404), 'x', 'read').kind).toBe('config');
    expect(toProviderError(api(404), 'x', 'change').kind).toBe('conflict');
    expect(toProviderError(api(412), 'x', 'change').kind).toBe('conflict');
    expect(toProviderError(api(503), 'x', 'change').kind).toBe('unavailable');
    expect(toProviderError(api(400, 'invalid'), 'x', 'change').kind).toBe('rejected');
    expect(toProviderError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'x', 'read').kind).toBe('unavailable');
    expect(toProviderError({ name: 'GaxiosError', message: 'invalid_grant: bad', response: { status: 400 } }, 'x', 'read').kind).toBe('auth');
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
  });
});
