import { describe, expect, it } from 'vitest';
import type { RoutingSpec } from '../../../../src/api/multiclusterdns.js';
import {
  hasErrors,
  isGeoCode,
  validateDomain,
  validateIngressDNSRecord,
  validateRecordTTL,
  validateRouting,
  validateServiceDNSRecord,
  validCondition,
  type ValidationProblem,
} from '../../../../src/dns/records/validate.js';
import { domain, ingressRecord, serviceRecord } from '../fixtures.js';

const fields = (ps: ValidationProblem[], severity: 'error' | 'warning' = 'error') => ps.filter((p) => p.severity === severity).map((p) => p.field);

describe('validateDomain', () => {
  it.each([
    ['example.com', []],
    ['example.com.', []],
    ['a-b.c1.example', []],
    ['', ['domain']],
    ['Example.com', ['domain']],
    ['exa_mple.com', ['domain']],
    ['-bad.example.com', ['domain']],
    ['a..b', ['domain']],
    [`${'a'.repeat(64)}.com`, ['domain']],
    [Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.'), ['domain']],
  ])('domain %j -> errors %j', (d, want) => {
    expect(fields(validateDomain(domain('myfed', d)))).toEqual(want);
  });

  it('nameServer must be a hostname or an IP', () => {
    expect(validateDomain(domain('f', 'example.com', 'ns1.example.com'))).toEqual([]);
    expect(validateDomain(domain('f', 'example.com', '192.0.2.53'))).toEqual([]);
    expect(fields(validateDomain(domain('f', 'example.com', 'not a host')))).toEqual(['nameServer']);
  });
});

describe('validateRecordTTL', () => {
  it.each([
    [undefined, [], []],
    [0, [], []],
    [1, [], []],
    [180, [], []],
    [2147483647, [], ['spec.recordTTL']],
    [86401, [], ['spec.recordTTL']],
    [-1, ['spec.recordTTL'], []],
    [1.5, ['spec.recordTTL'], []],
    [2147483648, ['spec.recordTTL'], []],
    ['60', ['spec.recordTTL'], []],
  ])('ttl %j -> errors %j warnings %j', (ttl, errors, warnings) => {
    const ps = validateRecordTTL(ttl);
    expect(fields(ps)).toEqual(errors);
    expect(fields(ps, 'warning')).toEqual(warnings);
  });
});

describe('isGeoCode', () => {
  it.each(['*', 'continent:AF', 'continent:AN', 'continent:AS', 'continent:EU', 'continent:NA', 'continent:OC', 'continent:SA', 'country:DE', 'country:US', 'country:GB', 'country:XK'])('%s is valid', (c) => {
    expect(isGeoCode(c)).toBe(true);
  });
  it.each(['', '**', 'continent:XX', 'continent:eu', 'country:UK', 'country:de', 'country:DEU', 'Country:DE', 'EU', 'region:EU'])('%j is invalid', (c) => {
    expect(isGeoCode(c)).toBe(false);
  });
});

describe('validateRouting', () => {
  const known = { knownClusters: ['cluster-1', 'cluster-2', 'cluster-3'] };
  const cases: { name: string; routing: RoutingSpec | undefined; errors?: string[]; warnings?: string[] }[] = [
    { name: 'absent', routing: undefined },
    { name: 'simple', routing: { policy: 'simple' } },
    { name: 'latency', routing: { policy: 'latency' } },
    { name: 'unknown policy', routing: { policy: 'random' as never }, errors: ['spec.routing.policy'] },
    { name: 'weighted ok', routing: { policy: 'weighted', weights: { 'cluster-1': 0, 'cluster-2': 255 } } },
    { name: 'weight out of range', routing: { policy: 'weighted', weights: { 'cluster-1': 256 } }, errors: ['spec.routing.weights["cluster-1"]'] },
    { name: 'negative weight', routing: { policy: 'weighted', weights: { 'cluster-1': -1 } }, errors: ['spec.routing.weights["cluster-1"]'] },
    { name: 'fractional weight', routing: { policy: 'weighted', weights: { 'cluster-1': 1.5 } }, errors: ['spec.routing.weights["cluster-1"]'] },
    { name: 'weight for an unknown cluster', routing: { policy: 'weighted', weights: { 'cluster-9': 1 } }, warnings: ['spec.routing.weights["cluster-9"]'] },
    { name: 'every weight zero', routing: { policy: 'weighted', weights: { 'cluster-1': 0, 'cluster-2': 0, 'cluster-3': 0 } }, warnings: ['spec.routing.weights'] },
    { name: 'weights with another policy', routing: { policy: 'latency', weights: { 'cluster-1': 1 } }, warnings: ['spec.routing.weights'] },
    { name: 'failover ok', routing: { policy: 'failover', primary: ['cluster-1'] } },
    { name: 'failover without primary', routing: { policy: 'failover' }, errors: ['spec.routing.primary'] },
    { name: 'unknown primary', routing: { policy: 'failover', primary: ['cluster-1', 'nope'] }, warnings: ['spec.routing.primary[1]'] },
    { name: 'every cluster primary', routing: { policy: 'failover', primary: ['cluster-1', 'cluster-2', 'cluster-3'] }, warnings: ['spec.routing.primary'] },
    { name: 'geo ok', routing: { policy: 'geo', geo: { 'cluster-1': ['continent:NA'], 'cluster-2': ['continent:EU', 'country:GB'], 'cluster-3': ['*'] } } },
    { name: 'geo without codes', routing: { policy: 'geo' }, errors: ['spec.routing.geo'], warnings: ['spec.routing.geo', 'spec.routing.geo', 'spec.routing.geo'] },
    { name: 'bad geo code', routing: { policy: 'geo', geo: { 'cluster-1': ['continent:XX'], 'cluster-2': ['*'], 'cluster-3': ['country:DE'] } }, errors: ['spec.routing.geo["cluster-1"][0]'] },
    { name: 'code on two clusters', routing: { policy: 'geo', geo: { 'cluster-1': ['*'], 'cluster-2': ['continent:EU'], 'cluster-3': ['continent:EU'] } }, errors: ['spec.routing.geo["cluster-3"][0]'] },
    { name: 'cluster without codes under geo', routing: { policy: 'geo', geo: { 'cluster-1': ['*'], 'cluster-2': ['continent:EU'] } }, warnings: ['spec.routing.geo'] },
    { name: 'invalid cluster name', routing: { policy: 'weighted', weights: { 'Not_A_Cluster': 1 } }, errors: ['spec.routing.weights["Not_A_Cluster"]'] },
  ];
  it.each(cases)('$name', ({ routing, errors, warnings }) => {
    const ps = validateRouting(routing, known);
    expect(fields(ps)).toEqual(errors ?? []);
    expect(fields(ps, 'warning')).toEqual(warnings ?? []);
  });
});

describe('validateServiceDNSRecord', () => {
  const fed = domain('myfed', 'example.com');
  const rec = (spec: Record<string, unknown>, name = 'go-app') => serviceRecord(name, 'go-app', { domainRef: 'myfed', ...spec });

  it('accepts the go-app example', () => {
    expect(validateServiceDNSRecord(rec({ recordTTL: 30, dnsPrefix: 'go' }), fed)).toEqual([]);
  });

  it.each([
    ['missing Domain', rec({}), undefined, ['spec.domainRef'], 'DomainNotFound'],
    ['empty domainRef', rec({ domainRef: '' }), fed, ['spec.domainRef'], 'InvalidSpec'],
    ['invalid Domain', rec({}), domain('myfed', 'Bad Domain'), ['Domain["myfed"].domain'], 'InvalidDomain'],
    ['bad TTL', rec({ recordTTL: -5 }), fed, ['spec.recordTTL'], 'InvalidSpec'],
    ['bad dnsPrefix', rec({ dnsPrefix: 'www_1' }), fed, ['spec.dnsPrefix'], 'InvalidSpec'],
    ['bad externalName', rec({ externalName: 'a.b' }), fed, ['spec.externalName'], 'InvalidSpec'],
    ['record name not a DNS label', rec({}, 'go.app'), fed, ['metadata.name'], 'InvalidSpec'],
    ['bad routing', rec({ routing: { policy: 'failover' } }), fed, ['spec.routing.primary'], 'InvalidSpec'],
    ['global name too long', rec({ externalName: 's'.repeat(63) }), domain('myfed', Array.from({ length: 3 }, () => 'd'.repeat(60)).join('.')), ['metadata.name'], 'InvalidSpec'],
    ['non-boolean allowServiceWithoutEndpoints', rec({ allowServiceWithoutEndpoints: 'yes' }), fed, ['spec.allowServiceWithoutEndpoints'], 'InvalidSpec'],
  ] as const)('%s', (_name, record, dom, errs, reason) => {
    const ps = validateServiceDNSRecord(record, dom);
    expect(fields(ps)).toEqual(errs);
    expect(hasErrors(ps)).toBe(true);
    expect(validCondition(ps, 3)).toMatchObject({ type: 'Valid', status: 'False', reason, observedGeneration: 3 });
  });

  it('externalName lifts the DNS-label requirement from the record name', () => {
    expect(validateServiceDNSRecord(rec({ externalName: 'web' }, 'go.app'), fed)).toEqual([]);
  });

  it('DomainNotFound outranks other errors in the condition reason', () => {
    const c = validCondition(validateServiceDNSRecord(rec({ recordTTL: -1 }), undefined));
    expect(c.reason).toBe('DomainNotFound');
    expect(c.message).toContain('spec.recordTTL');
  });
});

describe('validateIngressDNSRecord', () => {
  it.each([
    ['valid hosts', ['a.example.com', '*.apps.example.com'], [], []],
    ['no hosts', [], [], ['spec.hosts']],
    ['invalid host', ['a.example.com', 'bad host'], ['spec.hosts[1]'], []],
    ['wildcard in the middle', ['a.*.example.com'], ['spec.hosts[0]'], []],
    ['duplicate host', ['a.example.com', 'A.example.com.'], [], ['spec.hosts[1]']],
  ])('%s', (_n, hosts, errors, warnings) => {
    const ps = validateIngressDNSRecord(ingressRecord(hosts));
    expect(fields(ps)).toEqual(errors);
    expect(fields(ps, 'warning')).toEqual(warnings);
  });

  it('checks TTL and routing too', () => {
    const ps = validateIngressDNSRecord(ingressRecord(['a.example.com'], [], { recordTTL: 2147483648, routing: { policy: 'geo', geo: { c1: ['country:ZZ'] } } }));
    expect(fields(ps)).toEqual(['spec.recordTTL', 'spec.routing.geo["c1"][0]', 'spec.routing.geo']);
  });
});

describe('validCondition', () => {
  it('is True/SpecValid without errors, carrying warnings in the message', () => {
    expect(validCondition([])).toEqual({ type: 'Valid', status: 'True', reason: 'SpecValid', message: 'spec is valid' });
    const c = validCondition(validateRecordTTL(100000));
    expect(c).toMatchObject({ status: 'True', reason: 'SpecValid' });
    expect(c.message).toMatch(/^warnings: spec.recordTTL/);
  });
});
