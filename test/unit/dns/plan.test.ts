import { describe, expect, it } from 'vitest';
import type { Endpoint, RecordType } from '../../../src/api/multiclusterdns.js';
import { calculatePlan, hasChanges, OWNER_LABEL, RESOURCE_LABEL, type ConflictReason, type PlanPolicy } from '../../../src/dns/plan.js';

const ME = 'kfed-a';
const OTHER = 'kfed-b';

interface EpOpts {
  set?: string;
  ttl?: number;
  owner?: string | null;
  resource?: string;
  props?: Record<string, string>;
}

function ep(dnsName: string, recordType: RecordType, targets: string[], o: EpOpts = {}): Endpoint {
  const labels: Record<string, string> = {};
  if (o.owner !== null && o.owner !== undefined) labels[OWNER_LABEL] = o.owner;
  if (o.resource) labels[RESOURCE_LABEL] = o.resource;
  return {
    dnsName,
    recordType,
    targets,
    ...(o.ttl !== undefined ? { recordTTL: o.ttl } : {}),
    ...(o.set !== undefined ? { setIdentifier: o.set } : {}),
    ...(Object.keys(labels).length ? { labels } : {}),
    ...(o.props ? { providerSpecific: Object.entries(o.props).map(([name, value]) => ({ name, value })) } : {}),
  };
}
/** Current record owned by this instance. */
const mine = (n: string, t: RecordType, targets: string[], o: EpOpts = {}) => ep(n, t, targets, { owner: ME, ...o });
const theirs = (n: string, t: RecordType, targets: string[], o: EpOpts = {}) => ep(n, t, targets, { owner: OTHER, ...o });

const key = (e: Endpoint) => `${e.recordType} ${e.dnsName}${e.setIdentifier ? `/${e.setIdentifier}` : ''}`;

interface Case {
  name: string;
  desired: Endpoint[];
  current: Endpoint[];
  policy?: PlanPolicy;
  types?: RecordType[];
  create?: string[];
  update?: string[];
  del?: string[];
  conflicts?: ConflictReason[];
}

const W = 'www.example.com';
const Z = 'svc.z1.eu.example.com';

const cases: Case[] = [
  { name: 'nothing desired, nothing current', desired: [], current: [] },
  { name: 'creates a new record', desired: [ep(W, 'A', ['192.0.2.1'])], current: [], create: ['A www.example.com'] },
  { name: 'owned and unchanged: no change', desired: [ep(W, 'A', ['192.0.2.1'], { ttl: 60 })], current: [mine(W, 'A', ['192.0.2.1'], { ttl: 60 })] },
  {
    name: 'case, trailing dot, target order and IPv6 spelling do not matter',
    desired: [ep('WWW.Example.com.', 'AAAA', ['2001:DB8:0::2', '2001:db8::1'])],
    current: [mine(W, 'AAAA', ['2001:db8::1', '2001:db8::2'])],
  },
  { name: 'target change: update', desired: [ep(W, 'A', ['192.0.2.2'])], current: [mine(W, 'A', ['192.0.2.1'])], update: ['A www.example.com'] },
  { name: 'added target: update', desired: [ep(W, 'A', ['192.0.2.1', '192.0.2.2'])], current: [mine(W, 'A', ['192.0.2.1'])], update: ['A www.example.com'] },
  { name: 'TTL change: update', desired: [ep(W, 'A', ['192.0.2.1'], { ttl: 30 })], current: [mine(W, 'A', ['192.0.2.1'], { ttl: 300 })], update: ['A www.example.com'] },
  { name: 'desired TTL unset: provider TTL kept', desired: [ep(W, 'A', ['192.0.2.1'])], current: [mine(W, 'A', ['192.0.2.1'], { ttl: 300 })] },
  {
    name: 'providerSpecific change: update',
    desired: [ep(W, 'A', ['192.0.2.1'], { set: 'c1', props: { 'kfed.io/weight': '2' } })],
    current: [mine(W, 'A', ['192.0.2.1'], { set: 'c1', props: { 'kfed.io/weight': '1' } })],
    update: ['A www.example.com/c1'],
  },
  {
    name: 'providerSpecific order does not matter',
    desired: [ep(W, 'A', ['192.0.2.1'], { set: 'c1', props: { b: '2', a: '1' } })],
    current: [mine(W, 'A', ['192.0.2.1'], { set: 'c1', props: { a: '1', b: '2' } })],
  },
  { name: 'owned record no longer desired: delete', desired: [], current: [mine(W, 'A', ['192.0.2.1'])], del: ['A www.example.com'] },
  { name: 'upsert-only: no delete', policy: 'upsert-only', desired: [], current: [mine(W, 'A', ['192.0.2.1'])] },
  { name: 'upsert-only: updates and creates still happen', policy: 'upsert-only', desired: [ep(W, 'A', ['192.0.2.9']), ep('new.example.com', 'A', ['192.0.2.3'])], current: [mine(W, 'A', ['192.0.2.1'])], create: ['A new.example.com'], update: ['A www.example.com'] },
  {
    name: 'create-only: creates only',
    policy: 'create-only',
    desired: [ep(W, 'A', ['192.0.2.9']), ep('new.example.com', 'A', ['192.0.2.3'])],
    current: [mine(W, 'A', ['192.0.2.1']), mine('old.example.com', 'A', ['192.0.2.4'])],
    create: ['A new.example.com'],
  },
  { name: 'same key owned by another instance: conflict, untouched', desired: [ep(W, 'A', ['192.0.2.1'])], current: [theirs(W, 'A', ['192.0.2.7'])], conflicts: ['OwnedByOther'] },
  { name: 'same key without owner label (manual record): conflict', desired: [ep(W, 'A', ['192.0.2.1'])], current: [ep(W, 'A', ['192.0.2.7'])], conflicts: ['OwnedByOther'] },
  { name: "another owner's record is never deleted", desired: [], current: [theirs(W, 'A', ['192.0.2.7']), ep('manual.example.com', 'CNAME', ['x.example.net'])] },
  { name: 'foreign CNAME blocks our A at the same name', desired: [ep(W, 'A', ['192.0.2.1'])], current: [theirs(W, 'CNAME', ['lb.example.net'])], conflicts: ['OwnedByOther'] },
  { name: 'foreign A blocks our CNAME at the same name', desired: [ep(W, 'CNAME', ['lb.example.net'])], current: [ep(W, 'A', ['192.0.2.7'])], conflicts: ['OwnedByOther'] },
  {
    name: 'several owners share a routed name under different set identifiers',
    desired: [ep(W, 'A', ['192.0.2.1'], { set: 'c1' })],
    current: [theirs(W, 'A', ['192.0.2.7'], { set: 'other-1' })],
    create: ['A www.example.com/c1'],
  },
  {
    name: 'zone recovers: owned CNAME fallback replaced by A (delete + create)',
    desired: [ep(Z, 'A', ['192.0.2.1'])],
    current: [mine(Z, 'CNAME', ['svc.eu.example.com'])],
    create: [`A ${Z}`],
    del: [`CNAME ${Z}`],
  },
  {
    name: 'upsert-only keeps the delete a replacement needs',
    policy: 'upsert-only',
    desired: [ep(Z, 'A', ['192.0.2.1'])],
    current: [mine(Z, 'CNAME', ['svc.eu.example.com']), mine('gone.example.com', 'A', ['192.0.2.5'])],
    create: [`A ${Z}`],
    del: [`CNAME ${Z}`],
  },
  {
    name: 'create-only refuses a replacement',
    policy: 'create-only',
    desired: [ep(Z, 'A', ['192.0.2.1'])],
    current: [mine(Z, 'CNAME', ['svc.eu.example.com'])],
    conflicts: ['PolicyForbidsReplace'],
  },
  {
    name: 'routing policy switch: plain A replaced by routed A records',
    desired: [ep(W, 'A', ['192.0.2.1'], { set: 'c1' }), ep(W, 'A', ['192.0.2.2'], { set: 'c2' })],
    current: [mine(W, 'A', ['192.0.2.1', '192.0.2.2'])],
    create: ['A www.example.com/c1', 'A www.example.com/c2'],
    del: ['A www.example.com'],
  },
  {
    name: 'routing policy switch under upsert-only still deletes the plain record',
    policy: 'upsert-only',
    desired: [ep(W, 'A', ['192.0.2.1'], { set: 'c1' })],
    current: [mine(W, 'A', ['192.0.2.1'])],
    create: ['A www.example.com/c1'],
    del: ['A www.example.com'],
  },
  { name: 'set identifiers are separate keys', desired: [ep(W, 'A', ['192.0.2.1'], { set: 'c1' }), ep(W, 'A', ['192.0.2.2'], { set: 'c2' })], current: [mine(W, 'A', ['192.0.2.1'], { set: 'c1' })], create: ['A www.example.com/c2'] },
  { name: 'A and AAAA at one name are separate keys', desired: [ep(W, 'A', ['192.0.2.1']), ep(W, 'AAAA', ['2001:db8::1'])], current: [mine(W, 'A', ['192.0.2.1'])], create: ['AAAA www.example.com'] },
  {
    name: 'desired CNAME and A at one name: the A wins',
    desired: [ep(W, 'CNAME', ['lb.example.net'], { resource: 'r1' }), ep(W, 'A', ['192.0.2.1'], { resource: 'r2' })],
    current: [],
    create: ['A www.example.com'],
    conflicts: ['RecordTypeConflict'],
  },
  {
    name: 'desired plain and routed A at one name: the plain record wins',
    desired: [ep(W, 'A', ['192.0.2.1'], { resource: 'r1' }), ep(W, 'A', ['192.0.2.2'], { set: 'c1', resource: 'r2' })],
    current: [],
    create: ['A www.example.com'],
    conflicts: ['RecordTypeConflict'],
  },
  {
    name: 'identical duplicates from two sources merge silently',
    desired: [ep(W, 'A', ['192.0.2.1'], { resource: 'b' }), ep(W, 'A', ['192.0.2.1'], { resource: 'a' })],
    current: [],
    create: ['A www.example.com'],
  },
  {
    name: 'different duplicates: lowest resource wins, the other is a conflict',
    desired: [ep(W, 'A', ['192.0.2.2'], { resource: 'ns/b' }), ep(W, 'A', ['192.0.2.1'], { resource: 'ns/a' })],
    current: [],
    create: ['A www.example.com'],
    conflicts: ['DuplicateDesired'],
  },
  {
    name: 'different duplicates: the resource already holding the record keeps it',
    desired: [ep(W, 'A', ['192.0.2.2'], { resource: 'ns/b' }), ep(W, 'A', ['192.0.2.1'], { resource: 'ns/a' })],
    current: [mine(W, 'A', ['192.0.2.2'], { resource: 'ns/b' })],
    conflicts: ['DuplicateDesired'],
  },
  { name: 'unmanaged types are ignored on both sides', desired: [ep(W, 'MX', ['10 mail.example.com'])], current: [mine(W, 'TXT', ['"heritage=kfed"']), mine('x.example.com', 'NS', ['ns1.example.com'])] },
  { name: 'managed types are configurable', types: ['A', 'TXT'], desired: [ep(W, 'TXT', ['"hello"'])], current: [mine('x.example.com', 'TXT', ['"bye"'])], create: ['TXT www.example.com'], del: ['TXT x.example.com'] },
  { name: 'no targets: invalid, not planned', desired: [ep(W, 'A', [])], current: [], conflicts: ['InvalidEndpoint'] },
  { name: 'CNAME with two targets: invalid', desired: [ep(W, 'CNAME', ['a.example.net', 'b.example.net'])], current: [], conflicts: ['InvalidEndpoint'] },
  { name: 'extra owned copies of one key are deleted', desired: [ep(W, 'A', ['192.0.2.1'])], current: [mine(W, 'A', ['192.0.2.1']), mine(W, 'A', ['192.0.2.1'])], del: ['A www.example.com'] },
];

describe('calculatePlan', () => {
  it.each(cases)('$name', (c) => {
    const plan = calculatePlan({ desired: c.desired, current: c.current, ownerId: ME, ...(c.policy ? { policy: c.policy } : {}), ...(c.types ? { managedRecordTypes: c.types } : {}) });
    expect(plan.create.map(key)).toEqual(c.create ?? []);
    expect(plan.updateNew.map(key)).toEqual(c.update ?? []);
    expect(plan.updateOld.map(key)).toEqual(c.update ?? []);
    expect(plan.delete.map(key)).toEqual(c.del ?? []);
    expect(plan.conflicts.map((x) => x.reason)).toEqual(c.conflicts ?? []);
    // Nothing owned by someone else is ever touched.
    for (const e of [...plan.updateOld, ...plan.delete]) expect(e.labels?.[OWNER_LABEL]).toBe(ME);
    // Everything written carries our owner label.
    for (const e of [...plan.create, ...plan.updateNew]) expect(e.labels?.[OWNER_LABEL]).toBe(ME);
    expect(hasChanges(plan)).toBe((c.create?.length ?? 0) + (c.update?.length ?? 0) + (c.del?.length ?? 0) > 0);
  });

  it(`has at least 25 table cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it('writes canonical records: lowercase name, sorted canonical targets, owner label, sorted props', () => {
    const plan = calculatePlan({
      desired: [ep('WWW.Example.com.', 'AAAA', ['2001:DB8::2', '2001:db8:0::1'], { ttl: 60, set: 'c1', resource: 'r', props: { z: '1', a: '2' } })],
      current: [],
      ownerId: ME,
    });
    expect(plan.create).toEqual([
      {
        dnsName: 'www.example.com',
        recordType: 'AAAA',
        recordTTL: 60,
        targets: ['2001:db8::1', '2001:db8::2'],
        setIdentifier: 'c1',
        labels: { [OWNER_LABEL]: ME, [RESOURCE_LABEL]: 'r' },
        providerSpecific: [
          { name: 'a', value: '2' },
          { name: 'z', value: '1' },
        ],
      },
    ]);
  });

  it('updateNew inherits our ownership and takes the desired data; updateOld is the current record as read', () => {
    const current = mine(W, 'A', ['192.0.2.1'], { ttl: 300, resource: 'r' });
    const plan = calculatePlan({ desired: [ep(W, 'A', ['192.0.2.2'], { ttl: 60, resource: 'r', owner: 'spoofed' })], current: [current], ownerId: ME });
    expect(plan.updateOld).toEqual([current]);
    expect(plan.updateNew[0]).toMatchObject({ targets: ['192.0.2.2'], recordTTL: 60, labels: { [OWNER_LABEL]: ME, [RESOURCE_LABEL]: 'r' } });
  });

  it('keeps updateOld and updateNew index-aligned after sorting', () => {
    const names = ['c.example.com', 'a.example.com', 'b.example.com'];
    const plan = calculatePlan({ desired: names.map((n) => ep(n, 'A', ['192.0.2.9'])), current: names.map((n) => mine(n, 'A', ['192.0.2.1'])), ownerId: ME });
    expect(plan.updateNew.map((e) => e.dnsName)).toEqual(['a.example.com', 'b.example.com', 'c.example.com']);
    expect(plan.updateOld.map((e) => e.dnsName)).toEqual(plan.updateNew.map((e) => e.dnsName));
  });

  it('is deterministic: the same inputs in any order give the same plan', () => {
    const desired = [ep(W, 'A', ['192.0.2.2'], { resource: 'b' }), ep(W, 'A', ['192.0.2.1'], { resource: 'a' }), ep(Z, 'A', ['192.0.2.3']), ep('n.example.com', 'CNAME', ['x.example.net'])];
    const current = [mine(Z, 'CNAME', ['z.example.com']), mine('old.example.com', 'A', ['192.0.2.4']), theirs('n.example.com', 'A', ['192.0.2.8'])];
    const one = calculatePlan({ desired, current, ownerId: ME });
    const two = calculatePlan({ desired: [...desired].reverse(), current: [...current].reverse(), ownerId: ME });
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
  });

  it('a second pass over its own result plans nothing', () => {
    const desired = [ep(W, 'A', ['192.0.2.1'], { ttl: 60 }), ep(W, 'AAAA', ['2001:db8::1'], { ttl: 60 }), ep(Z, 'CNAME', ['svc.eu.example.com'], { ttl: 60 })];
    const first = calculatePlan({ desired, current: [], ownerId: ME });
    const second = calculatePlan({ desired, current: first.create, ownerId: ME });
    expect(hasChanges(second)).toBe(false);
  });

  it('rejects an empty owner id', () => {
    expect(() => calculatePlan({ desired: [], current: [], ownerId: ' ' })).toThrow(/ownerId/);
  });
});
