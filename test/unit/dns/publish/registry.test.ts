// The TXT ownership registry as table tests: claim names and texts in external-dns's
// format, reading ownership out of a zone (claims, orphans, foreign claims that block a
// name), and the claim changes that go with a plan.
import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../../src/api/multiclusterdns.js';
import { OWNER_LABEL, RESOURCE_LABEL } from '../../../../src/dns/plan.js';
import { claimFor, claimName, formatClaim, parseClaim, readRegistry, withOwnership } from '../../../../src/dns/publish/registry.js';

const a = (dnsName: string, targets: string[], extra: Partial<Endpoint> = {}): Endpoint => ({ dnsName, recordType: 'A', targets, ...extra });
const txt = (dnsName: string, text: string, extra: Partial<Endpoint> = {}): Endpoint => ({ dnsName, recordType: 'TXT', targets: [text], ...extra });
const none = { create: [], updateOld: [], updateNew: [], delete: [] };

describe('claim names and texts', () => {
  it.each([
    [{ dnsName: 'go.example.com', recordType: 'A' }, 'a-go.example.com'],
    [{ dnsName: 'Go.Example.com.', recordType: 'CNAME' }, 'cname-go.example.com'],
    [{ dnsName: '*.apps.example.com', recordType: 'AAAA' }, '*.aaaa-apps.example.com'],
    [{ dnsName: 'example.com', recordType: 'TXT' }, 'txt-example.com'],
  ] as const)('%o -> %s', (e, want) => {
    expect(claimName(e)).toBe(want);
  });

  it.each([
    ['heritage=external-dns,external-dns/owner=prod,external-dns/resource=crd/ns/x', { owner: 'prod', resource: 'crd/ns/x' }],
    ['"heritage=external-dns,external-dns/owner=prod"', { owner: 'prod' }],
    ['heritage=external-dns,external-dns/resource=crd/ns/x', undefined],
    ['heritage=someone-else,external-dns/owner=prod', undefined],
    ['v=spf1 -all', undefined],
    ['', undefined],
  ])('parseClaim(%s)', (text, want) => {
    expect(parseClaim(text)).toEqual(want);
  });

  it('formats as external-dns does and parses back', () => {
    const text = formatClaim('prod-eu', 'dnsendpoint/go-app/service-go-app');
    expect(text).toBe('heritage=external-dns,external-dns/owner=prod-eu,external-dns/resource=dnsendpoint/go-app/service-go-app');
    expect(parseClaim(text)).toEqual({ owner: 'prod-eu', resource: 'dnsendpoint/go-app/service-go-app' });
  });

  it('a routed record\'s claim carries its set identifier and routing properties', () => {
    const props = [{ name: 'kfed.io/routing-policy', value: 'weighted' }, { name: 'kfed.io/weight', value: '2' }];
    const c = claimFor(a('go.example.com', ['192.0.2.1'], { setIdentifier: 'cluster-1', recordTTL: 30, providerSpecific: props, labels: { [RESOURCE_LABEL]: 'r' } }), 'prod');
    expect(c).toEqual({ dnsName: 'a-go.example.com', recordType: 'TXT', targets: [formatClaim('prod', 'r')], recordTTL: 30, setIdentifier: 'cluster-1', providerSpecific: props, labels: { [OWNER_LABEL]: 'prod', [RESOURCE_LABEL]: 'r' } });
  });
});

describe('readRegistry', () => {
  it('labels claimed records, hides claims, keeps other TXT and unclaimed records as they are', () => {
    const view = readRegistry([
      a('go.example.com', ['192.0.2.1']),
      txt('a-go.example.com', formatClaim('prod', 'crd/ns/go')),
      a('other.example.com', ['198.51.100.1']),
      txt('example.com', 'v=spf1 -all'),
    ]);
    expect(view.records).toEqual([
      a('go.example.com', ['192.0.2.1'], { labels: { [OWNER_LABEL]: 'prod', [RESOURCE_LABEL]: 'crd/ns/go' } }),
      a('other.example.com', ['198.51.100.1']),
      txt('example.com', 'v=spf1 -all'),
    ]);
    expect(view.orphans).toEqual([]);
  });

  it('claims match per set identifier: two owners of one routed name', () => {
    const view = readRegistry([
      a('go.example.com', ['192.0.2.1'], { setIdentifier: 'c1' }),
      a('go.example.com', ['198.51.100.1'], { setIdentifier: 'c2' }),
      txt('a-go.example.com', formatClaim('east'), { setIdentifier: 'c1' }),
      txt('a-go.example.com', formatClaim('west'), { setIdentifier: 'c2' }),
    ]);
    expect(view.records.map((r) => `${r.setIdentifier}=${r.labels?.[OWNER_LABEL]}`)).toEqual(['c1=east', 'c2=west']);
  });

  it('an orphaned claim of another owner still holds the name (a target-less foreign record for the plan)', () => {
    const view = readRegistry([txt('a-go.example.com', formatClaim('other'))]);
    expect(view.orphans).toHaveLength(1);
    expect(view.records).toEqual([{ dnsName: 'go.example.com', recordType: 'A', targets: [], labels: { [OWNER_LABEL]: 'other' } }]);
  });
});

describe('withOwnership', () => {
  it('a create brings its claim, a delete takes it, an update rewrites it only when routing changed', () => {
    const zone = [a('old.example.com', ['192.0.2.9']), txt('a-old.example.com', formatClaim('prod')), a('keep.example.com', ['192.0.2.8']), txt('a-keep.example.com', formatClaim('prod'))];
    const view = readRegistry(zone);
    const cur = view.records.find((r) => r.dnsName === 'keep.example.com')!;
    const out = withOwnership({ create: [a('new.example.com', ['192.0.2.1'])], updateOld: [cur], updateNew: [a('keep.example.com', ['192.0.2.7'])], delete: [view.records[0]!] }, view, 'prod');
    expect(out.create.map((e) => `${e.dnsName} ${e.recordType}`)).toEqual(['new.example.com A', 'a-new.example.com TXT']);
    expect(out.delete.map((e) => `${e.dnsName} ${e.recordType}`)).toEqual(['old.example.com A', 'a-old.example.com TXT']);
    expect(out.updateNew.map((e) => `${e.dnsName} ${e.recordType}`)).toEqual(['keep.example.com A']);
  });

  it('never deletes another owner\'s claim; deletes its own orphans; re-claims its own orphan on create', () => {
    const view = readRegistry([txt('a-mine.example.com', formatClaim('prod')), txt('a-gone.example.com', formatClaim('prod')), txt('a-theirs.example.com', formatClaim('other'))]);
    const out = withOwnership({ ...none, create: [a('mine.example.com', ['192.0.2.1'])] }, view, 'prod');
    expect(out.updateNew.map((e) => e.dnsName)).toEqual(['a-mine.example.com']);
    expect(out.delete.map((e) => e.dnsName)).toEqual(['a-gone.example.com']);
    expect(out.create.map((e) => e.dnsName)).toEqual(['mine.example.com']);
  });
});
