import { describe, expect, it } from 'vitest';
import type { LabelSelector } from '../../../src/api/meta.js';
import { selectorMatches } from '../../../src/kube/label-selector.js';
import { formatFieldSelector, formatLabelSelector, matchesLabelSelector } from '../../../src/kube/selectors.js';
import { objectKey, parseApiVersion, resourcePath, splitObjectKey, type ResourceRef } from '../../../src/kube/resource.js';
import { tlsOptions } from '../../../src/kube/agent.js';
import { decodeCaBundle } from '../../../src/kube/cluster-client.js';

describe('formatLabelSelector', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['a=b', 'a=b'],
    [{}, undefined],
    [{ matchLabels: { 'kubefed.io/managed': 'true' } }, 'kubefed.io/managed=true'],
    [
      {
        matchLabels: { a: '1' },
        matchExpressions: [
          { key: 'region', operator: 'In' as const, values: ['us', 'eu'] },
          { key: 'tier', operator: 'NotIn' as const, values: ['x'] },
          { key: 'has', operator: 'Exists' as const },
          { key: 'not', operator: 'DoesNotExist' as const },
        ],
      },
      'a=1,region in (eu,us),tier notin (x),has,!not',
    ],
  ])('%j -> %s', (input, want) => {
    expect(formatLabelSelector(input)).toBe(want);
  });

  it('rejects In without values', () => {
    expect(() => formatLabelSelector({ matchExpressions: [{ key: 'k', operator: 'In', values: [] }] })).toThrow(/needs values/);
  });

  it('field selectors', () => {
    expect(formatFieldSelector({ 'metadata.name': 'x', 'metadata.namespace': 'y' })).toBe('metadata.name=x,metadata.namespace=y');
    expect(formatFieldSelector('spec.nodeName=')).toBe('spec.nodeName=');
    expect(formatFieldSelector({})).toBeUndefined();
  });
});

describe('matchesLabelSelector', () => {
  const labels = { region: 'eu', tier: 'web' };
  it.each([
    [{}, true],
    [{ matchLabels: { region: 'eu' } }, true],
    [{ matchLabels: { region: 'us' } }, false],
    [{ matchExpressions: [{ key: 'region', operator: 'In' as const, values: ['us', 'eu'] }] }, true],
    [{ matchExpressions: [{ key: 'region', operator: 'NotIn' as const, values: ['eu'] }] }, false],
    [{ matchExpressions: [{ key: 'zone', operator: 'NotIn' as const, values: ['a'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' as const }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' as const }] }, false],
  ])('%j -> %s', (sel, want) => {
    expect(matchesLabelSelector(labels, sel)).toBe(want);
    // One evaluator: placement's agrees on every row.
    expect(selectorMatches(sel, labels)).toBe(want);
  });

  it('agrees with placement on invalid selectors: they select nothing', () => {
    for (const sel of [
      { matchExpressions: [{ key: 'tier', operator: 'Bogus' }] },
      { matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] },
      { matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['x'] }] },
    ] as LabelSelector[]) {
      expect(matchesLabelSelector(labels, sel), JSON.stringify(sel)).toBe(false);
      expect(selectorMatches(sel, labels), JSON.stringify(sel)).toBe(false);
    }
  });
});

describe('resource paths', () => {
  const deploy: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true };
  const ns: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false };
  it('builds core, grouped, namespaced, cluster-scoped and subresource paths', () => {
    expect(resourcePath(deploy)).toBe('/apis/apps/v1/deployments');
    expect(resourcePath(deploy, 'ns1')).toBe('/apis/apps/v1/namespaces/ns1/deployments');
    expect(resourcePath(deploy, 'ns1', 'web', 'status')).toBe('/apis/apps/v1/namespaces/ns1/deployments/web/status');
    expect(resourcePath(ns, undefined, 'default')).toBe('/api/v1/namespaces/default');
    expect(resourcePath(ns, 'ignored', 'default')).toBe('/api/v1/namespaces/default');
    expect(() => resourcePath(deploy, undefined, 'web')).toThrow(/namespace required/);
    expect(() => resourcePath(deploy, 'x', '')).toThrow(/empty object name/);
  });

  it('keys and api versions', () => {
    expect(objectKey({ metadata: { namespace: 'a', name: 'b' } })).toBe('a/b');
    expect(objectKey({ metadata: { name: 'b' } })).toBe('b');
    expect(splitObjectKey('a/b')).toEqual({ namespace: 'a', name: 'b' });
    expect(splitObjectKey('b')).toEqual({ namespace: undefined, name: 'b' });
    expect(parseApiVersion('v1')).toEqual({ group: '', version: 'v1' });
    expect(parseApiVersion('types.kubefed.io/v1beta1')).toEqual({ group: 'types.kubefed.io', version: 'v1beta1' });
  });
});

describe('TLS policy', () => {
  it('verifies by default, skips all with *, skips only the name with SubjectName', () => {
    expect(tlsOptions({ ca: 'x' }).rejectUnauthorized).toBe(true);
    expect(tlsOptions({ ca: 'x' }).checkServerIdentity).toBeUndefined();
    expect(tlsOptions({ disabledTLSValidations: ['*'] }).rejectUnauthorized).toBe(false);
    const subject = tlsOptions({ ca: 'x', disabledTLSValidations: ['SubjectName'] });
    expect(subject.rejectUnauthorized).toBe(true);
    expect(subject.checkServerIdentity?.('host', {} as never)).toBeUndefined();
    expect(tlsOptions({ rejectUnauthorized: false }).rejectUnauthorized).toBe(false);
    expect(() => tlsOptions({ disabledTLSValidations: ['ValidityPeriod'] })).toThrow(/not supported/);
    expect(() => tlsOptions({ disabledTLSValidations: ['Bogus'] })).toThrow(/unknown disabledTLSValidations/);
  });

  it('decodes a CA bundle given as base64 or PEM', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(decodeCaBundle(Buffer.from(pem).toString('base64'))?.toString()).toBe(pem);
    expect(decodeCaBundle(pem)?.toString()).toBe(pem);
    expect(decodeCaBundle('')).toBeUndefined();
    expect(decodeCaBundle(undefined)).toBeUndefined();
  });
});
