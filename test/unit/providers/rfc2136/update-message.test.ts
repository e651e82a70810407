import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import { ProviderError, type ZoneChanges } from '../../../../src/dns/publish/provider.js';
import { buildUpdate } from '../../../../providers/rfc2136/update-message.js';

interface RR {
  name: string;
  type: number;
  klass: number;
  ttl: number;
  rdata: string;
}

/** A reader written for the test: UPDATE messages are uncompressed, so names are plain label lists. */
function parse(buf: Buffer): { opcode: number; zone: RR; prereqs: RR[]; updates: RR[]; additional: number } {
  let o = 12;
  const name = (): string => {
    const labels: string[] = [];
    for (let len = buf[o] ?? 0; len !== 0; len = buf[o] ?? 0) {
      labels.push(buf.toString('latin1', o + 1, o + 1 + len));
      o += len + 1;
    }
    o++;
    return labels.join('.');
  };
  const rr = (): RR => {
    const n = name();
    const r = { name: n, type: buf.readUInt16BE(o), klass: buf.readUInt16BE(o + 2), ttl: buf.readUInt32BE(o + 4), rdata: buf.toString('hex', o + 10, o + 10 + buf.readUInt16BE(o + 8)) };
    o += 10 + buf.readUInt16BE(o + 8);
    return r;
  };
  const zn = name();
  const zone = { name: zn, type: buf.readUInt16BE(o), klass: buf.readUInt16BE(o + 2), ttl: 0, rdata: '' };
  o += 4;
  const prereqs = Array.from({ length: buf.readUInt16BE(6) }, rr);
  const updates = Array.from({ length: buf.readUInt16BE(8) }, rr);
  expect(o).toBe(buf.length);
  return { opcode: (buf.readUInt16BE(2) >> 11) & 0xf, zone, prereqs, updates, additional: buf.readUInt16BE(10) };
}

const A = 1, CNAME = 5, TXT = 16, AAAA = 28, ANY = 255;
const IN = 1, NONE = 254, CLASS_ANY = 255;

function changes(c: Partial<ZoneChanges>): ZoneChanges {
  return { create: c.create ?? [], updateOld: c.updateOld ?? [], updateNew: c.updateNew ?? [], delete: c.delete ?? [] };
}

const www: Endpoint = { dnsName: 'www.example.com', recordType: 'A', recordTTL: 60, targets: ['192.0.2.1', '192.0.2.2'] };

describe('buildUpdate', () => {
  it('creates under "RRset does not exist" and "no CNAME there" prerequisites', () => {
    const m = parse(buildUpdate('example.com', changes({ create: [www] })));
    expect(m.opcode).toBe(5);
    expect(m.zone).toMatchObject({ name: 'example.com', type: 6, klass: IN });
    expect(m.prereqs).toEqual([
      { name: 'www.example.com', type: A, klass: NONE, ttl: 0, rdata: '' },
      { name: 'www.example.com', type: CNAME, klass: NONE, ttl: 0, rdata: '' },
    ]);
    expect(m.updates).toEqual([
      { name: 'www.example.com', type: A, klass: IN, ttl: 60, rdata: 'c0000201' },
      { name: 'www.example.com', type: A, klass: IN, ttl: 60, rdata: 'c0000202' },
    ]);
    expect(m.additional).toBe(0);
  });

  it('a CNAME create requires the name to be unused', () => {
    const m = parse(buildUpdate('example.com', changes({ create: [{ dnsName: 'go.example.com', recordType: 'CNAME', targets: ['www.example.com'] }] })));
    expect(m.prereqs.map((r) => [r.type, r.klass])).toEqual([[CNAME, NONE], [ANY, NONE]]);
    expect(m.updates[0]).toMatchObject({ type: CNAME, klass: IN, ttl: 300, rdata: Buffer.from('\x03www\x07example\x03com\x00', 'latin1').toString('hex') });
  });

  it('updates and deletes under value-dependent prerequisites for the exact old records, deletions before additions', () => {
    const oldTxt: Endpoint = { dnsName: 'txt.example.com', recordType: 'TXT', targets: ['owner=a'] };
    const m = parse(buildUpdate('example.com', changes({ updateOld: [www], updateNew: [{ ...www, targets: ['198.51.100.1'] }], delete: [oldTxt], create: [{ dnsName: 'v6.example.com', recordType: 'AAAA', targets: ['2001:db8::1'] }] })));
    expect(m.prereqs).toEqual([
      { name: 'txt.example.com', type: TXT, klass: IN, ttl: 0, rdata: Buffer.from('\x07owner=a', 'latin1').toString('hex') },
      { name: 'www.example.com', type: A, klass: IN, ttl: 0, rdata: 'c0000201' },
      { name: 'www.example.com', type: A, klass: IN, ttl: 0, rdata: 'c0000202' },
      { name: 'v6.example.com', type: AAAA, klass: NONE, ttl: 0, rdata: '' },
      { name: 'v6.example.com', type: CNAME, klass: NONE, ttl: 0, rdata: '' },
    ]);
    expect(m.updates).toEqual([
      { name: 'txt.example.com', type: TXT, klass: CLASS_ANY, ttl: 0, rdata: '' },
      { name: 'www.example.com', type: A, klass: CLASS_ANY, ttl: 0, rdata: '' },
      { name: 'www.example.com', type: A, klass: IN, ttl: 60, rdata: 'c6336401' },
      { name: 'v6.example.com', type: AAAA, klass: IN, ttl: 300, rdata: '20010db8000000000000000000000001' },
    ]);
  });

  it('turns a delete and a create of one record set into an update, and lets a replacement at the name skip the CNAME check', () => {
    const cname: Endpoint = { dnsName: 'go.example.com', recordType: 'CNAME', targets: ['www.example.com'] };
    const a: Endpoint = { dnsName: 'go.example.com', recordType: 'A', targets: ['192.0.2.9'] };
    const m = parse(buildUpdate('example.com', changes({ delete: [cname, www], create: [a, { ...www, targets: ['192.0.2.3'] }] })));
    expect(m.prereqs.map((r) => [r.name, r.type, r.klass])).toEqual([
      ['go.example.com', CNAME, IN],
      ['www.example.com', A, IN],
      ['www.example.com', A, IN],
      ['go.example.com', A, NONE],
    ]);
    expect(m.updates.map((r) => [r.name, r.type, r.klass, r.rdata])).toEqual([
      ['go.example.com', CNAME, CLASS_ANY, ''],
      ['www.example.com', A, CLASS_ANY, ''],
      ['www.example.com', A, IN, 'c0000203'],
      ['go.example.com', A, IN, 'c0000209'],
    ]);
  });

  it('uses the RDATA as read for prerequisites when it has it (a TXT another writer split differently)', () => {
    const txt: Endpoint = { dnsName: 'split.example.com', recordType: 'TXT', targets: ['abcd'] };
    const raw = Buffer.from('\x02ab\x02cd', 'latin1');
    const m = parse(buildUpdate('example.com', changes({ delete: [txt] }), (e) => (e === txt ? [raw] : undefined)));
    expect(m.prereqs[0]?.rdata).toBe(raw.toString('hex'));
  });

  it('rejects the whole batch before sending, naming every bad record', () => {
    const bad1: Endpoint = { dnsName: 'bad.example.com', recordType: 'A', targets: ['192.0.2.256'] };
    const bad2: Endpoint = { dnsName: 'routed.example.com', recordType: 'A', setIdentifier: 'cluster-1', targets: ['192.0.2.1'] };
    const bad3: Endpoint = { dnsName: 'two.example.com', recordType: 'CNAME', targets: ['a.example.com', 'b.example.com'] };
    const err = (() => {
      try {
        buildUpdate('example.com', changes({ create: [www, bad1, bad2, bad3] }));
      } catch (e) {
        return e;
      }
      return undefined;
    })() as ProviderError;
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.kind).toBe('rejected');
    expect(err.rejected).toEqual([bad1, bad2, bad3]);
    expect(() => buildUpdate('example.com', changes({ create: [www, { ...www }] }))).toThrow(/twice/);
  });
});
