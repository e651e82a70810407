// The TXT ownership registry as table tests: claim names and texts in external-dns's
// format, reading ownership out of a zone (claims, orphans, foreign claims that block a
// name), and the claim changes that go with a plan.
import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../../src/api/multiclusterdns.js';
import { OWNER_LABEL, RESOURCE_LABEL, SHARED_LABEL } from '../../../../src/dns/plan.js';
import { formatTargetClaims, parseClaimSet } from '../../../../src/dns/publish/claims.js';
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
    ], 'prod');
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
    ], 'east');
    expect(view.records.map((r) => `${r.setIdentifier}=${r.labels?.[OWNER_LABEL]}`)).toEqual(['c1=east', 'c2=west']);
  });

  it('an orphaned claim of another owner still holds the name (a target-less foreign record for the plan)', () => {
    const view = readRegistry([txt('a-go.example.com', formatClaim('other'))], 'prod');
    expect(view.orphans).toHaveLength(1);
    expect(view.records).toEqual([{ dnsName: 'go.example.com', recordType: 'A', targets: [], labels: { [OWNER_LABEL]: 'other' } }]);
  });
});

describe('withOwnership', () => {
  it('a create brings its claim, a delete takes it, an update rewrites it only when routing changed', () => {
    const zone = [a('old.example.com', ['192.0.2.9']), txt('a-old.example.com', formatClaim('prod')), a('keep.example.com', ['192.0.2.8']), txt('a-keep.example.com', formatClaim('prod'))];
    const view = readRegistry(zone, 'prod');
    const cur = view.records.find((r) => r.dnsName === 'keep.example.com')!;
    const out = withOwnership({ create: [a('new.example.com', ['192.0.2.1'])], updateOld: [cur], updateNew: [a('keep.example.com', ['192.0.2.7'])], delete: [view.records[0]!] }, view, 'prod');
    expect(out.create.map((e) => `${e.dnsName} ${e.recordType}`)).toEqual(['new.example.com A', 'a-new.example.com TXT']);
    expect(out.delete.map((e) => `${e.dnsName} ${e.recordType}`)).toEqual(['old.example.com A', 'a-old.example.com TXT']);
    // The claim is rewritten too: a whole-set claim of an address set becomes a target claim.
    expect(out.updateNew.map((e) => `${e.dnsName} ${e.recordType}`)).toEqual(['keep.example.com A', 'a-keep.example.com TXT']);
  });

  it('never deletes another owner\'s claim; deletes its own orphans; re-claims its own orphan on create', () => {
    const view = readRegistry([txt('a-mine.example.com', formatClaim('prod')), txt('a-gone.example.com', formatClaim('prod')), txt('a-theirs.example.com', formatClaim('other'))], 'prod');
    const out = withOwnership({ ...none, create: [a('mine.example.com', ['192.0.2.1'])] }, view, 'prod');
    expect(out.updateNew.map((e) => e.dnsName)).toEqual(['a-mine.example.com']);
    expect(out.delete.map((e) => e.dnsName)).toEqual(['a-gone.example.com']);
    expect(out.create.map((e) => e.dnsName)).toEqual(['mine.example.com']);
  });
});

describe('shared address sets', () => {
  const owners = (claims: readonly string[]): string[] => claims.map((t) => parseClaim(t)?.owner ?? '?');

  it('a target claim lists targets and TTL, parses back, and splits over 255-byte strings', () => {
    const [text] = formatTargetClaims('prod-eu', 'dnsendpoint/ns/go', ['192.0.2.2', '192.0.2.1'], 30);
    expect(text).toBe('heritage=external-dns,external-dns/owner=prod-eu,external-dns/resource=dnsendpoint/ns/go,kfed.io/ttl=30,kfed.io/targets=192.0.2.1 192.0.2.2');
    expect(parseClaim(text!)).toEqual({ owner: 'prod-eu', resource: 'dnsendpoint/ns/go', ttl: 30, targets: ['192.0.2.1', '192.0.2.2'] });
    const many = Array.from({ length: 40 }, (_, i) => `2001:db8::${(i + 1).toString(16)}`);
    const texts = formatTargetClaims('prod-eu', 'dnsendpoint/ns/go', many);
    expect(texts.length).toBeGreaterThan(1);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(255);
    expect(parseClaimSet({ recordType: 'TXT', targets: texts })).toEqual([{ owner: 'prod-eu', resource: 'dnsendpoint/ns/go', targets: [...many].sort() }]);
    // A resource id too long to leave room for a target is left out, not an error that stops publishing.
    const long = `dnsendpoint/${'n'.repeat(63)}/${'x'.repeat(200)}`;
    const [short] = formatTargetClaims('kfed-0123456789', long, ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'], 30);
    expect(short!.length).toBeLessThanOrEqual(255);
    expect(parseClaim(short!)).toEqual({ owner: 'kfed-0123456789', ttl: 30, targets: ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'] });
  });

  it('shows the reader its slice and the rest as a shared foreign record', () => {
    const zone = [
      a('go.example.com', ['192.0.2.1', '192.0.2.2', '203.0.113.9'], { recordTTL: 30 }),
      { dnsName: 'a-go.example.com', recordType: 'TXT' as const, targets: [...formatTargetClaims('east', 'r1', ['192.0.2.1'], 60), ...formatTargetClaims('west', 'r2', ['192.0.2.2'], 30)] },
    ];
    const east = readRegistry(zone, 'east').records;
    expect(east).toEqual([
      a('go.example.com', ['192.0.2.1'], { recordTTL: 60, labels: { [OWNER_LABEL]: 'east', [RESOURCE_LABEL]: 'r1' } }),
      a('go.example.com', ['192.0.2.2', '203.0.113.9'], { recordTTL: 30, labels: { [OWNER_LABEL]: 'west', [RESOURCE_LABEL]: 'r2', [SHARED_LABEL]: 'true' } }),
    ]);
    // A third owner sees the whole set as shared: it may add its targets beside.
    expect(readRegistry(zone, 'south').records.map((r) => r.labels?.[SHARED_LABEL])).toEqual(['true']);
  });

  it('a whole-set claim of another writer (external-dns) is not shared', () => {
    const zone = [a('go.example.com', ['192.0.2.1']), txt('a-go.example.com', formatClaim('external-dns'))];
    expect(readRegistry(zone, 'prod').records).toEqual([a('go.example.com', ['192.0.2.1'], { labels: { [OWNER_LABEL]: 'external-dns' } })]);
  });

  it('joining merges into the set and its claims; leaving keeps targets another owner holds', () => {
    const zone = [a('go.example.com', ['192.0.2.1', '192.0.2.2'], { recordTTL: 60 }), { dnsName: 'a-go.example.com', recordType: 'TXT' as const, targets: formatTargetClaims('east', 'r1', ['192.0.2.1', '192.0.2.2'], 60), recordTTL: 60 }];
    const join = withOwnership({ ...none, create: [a('go.example.com', ['192.0.2.2', '198.51.100.4'], { recordTTL: 20, labels: { [RESOURCE_LABEL]: 'r2' } })] }, readRegistry(zone, 'west'), 'west');
    expect(join.create).toEqual([]);
    expect(join.updateOld).toEqual(zone);
    expect(join.updateNew[0]).toEqual(a('go.example.com', ['192.0.2.1', '192.0.2.2', '198.51.100.4'], { recordTTL: 20 }));
    expect(owners(join.updateNew[1]!.targets)).toEqual(['east', 'west']);
    const view = readRegistry([join.updateNew[0]!, join.updateNew[1]!], 'east');
    const mine = view.records.find((r) => r.labels?.[OWNER_LABEL] === 'east')!;
    const leave = withOwnership({ ...none, delete: [mine] }, view, 'east');
    expect(leave.updateNew[0]).toEqual(a('go.example.com', ['192.0.2.2', '198.51.100.4'], { recordTTL: 20 }));
    expect(owners(leave.updateNew[1]!.targets)).toEqual(['west']);
    expect(leave.delete).toEqual([]);
  });
});
