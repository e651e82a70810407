// Turns external-dns style targets (strings) into pre-encoded resource-record tails: the
// wire bytes that follow the owner name (type, class, TTL, RDLENGTH, RDATA). Encoding is
// done once per snapshot with dns-packet; the serving path only copies these bytes.
import * as dnsPacket from 'dns-packet';
import { isIPv4, isIPv6 } from 'node:net';
import type { RecordType } from '../api/multiclusterdns.js';
import { encodeName, nameProblem, normalizeName } from './names.js';

export const TYPE = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, HINFO: 13, MX: 15, TXT: 16, AAAA: 28, SRV: 33,
  OPT: 41, IXFR: 251, AXFR: 252, ANY: 255, CAA: 257,
} as const;

export const TYPE_BY_NAME: Readonly<Record<RecordType, number>> = {
  A: TYPE.A, AAAA: TYPE.AAAA, CNAME: TYPE.CNAME, TXT: TYPE.TXT, NS: TYPE.NS, SRV: TYPE.SRV, MX: TYPE.MX,
  PTR: TYPE.PTR, CAA: TYPE.CAA,
};

/** Owner-less RR bytes; `target` is the normalized name inside CNAME/NS/MX/SRV/PTR RDATA. */
export interface RRTail {
  bytes: Buffer;
  target?: string;
}

/** The records of one type at one name (RRTail wire tails). */
export interface RRSet {
  type: number;
  tails: readonly RRTail[];
}

/** Encodes one answer with the root as owner via dns-packet and strips header and owner. */
function encodeTail(type: dnsPacket.RecordType, ttl: number, data: unknown): Buffer {
  const answer = { type, name: '.', ttl, class: 'IN', data } as dnsPacket.Answer;
  const buf = dnsPacket.encode({ type: 'response', id: 0, flags: 0, answers: [answer] });
  // 12-byte header, then the root owner name (one zero byte).
  return Buffer.from(buf.subarray(13));
}

/** Fast path for the common types: header of the tail plus RDATA, no dns-packet round trip. */
function rawTail(type: number, ttl: number, rdata: Buffer): Buffer {
  const out = Buffer.allocUnsafe(10 + rdata.length);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(1, 2);
  out.writeUInt32BE(ttl >>> 0, 4);
  out.writeUInt16BE(rdata.length, 8);
  rdata.copy(out, 10);
  return out;
}

function ipv4Bytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

function ipv6Bytes(ip: string): Buffer {
  let s = ip;
  const lastColon = s.lastIndexOf(':');
  // IPv4-mapped/compatible tail (::ffff:192.0.2.1) becomes two hex groups.
  if (s.includes('.', lastColon)) {
    const v4 = ipv4Bytes(s.slice(lastColon + 1));
    s = `${s.slice(0, lastColon + 1)}${(((v4[0] ?? 0) << 8) | (v4[1] ?? 0)).toString(16)}:${(((v4[2] ?? 0) << 8) | (v4[3] ?? 0)).toString(16)}`;
  }
  const [head = '', rest] = s.split('::', 2);
  const h = head === '' ? [] : head.split(':');
  const r = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = rest === undefined ? h : [...h, ...new Array<string>(Math.max(0, 8 - h.length - r.length)).fill('0'), ...r];
  const out = Buffer.alloc(16);
  groups.slice(0, 8).forEach((g, i) => out.writeUInt16BE(parseInt(g, 16) & 0xffff, i * 2));
  return out;
}

function hostTarget(raw: string): string {
  const n = normalizeName(raw);
  const problem = nameProblem(n);
  if (problem) throw new Error(`bad host name "${raw}": ${problem}`);
  return n;
}

function txtChunks(raw: string): Buffer[] {
  // external-dns stores TXT values quoted; strip one level of quotes.
  const v = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  const bytes = Buffer.from(v, 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) out.push(bytes.subarray(i, i + 255));
  if (out.length === 0) out.push(Buffer.alloc(0));
  return out;
}

function ints(parts: string[], n: number, max: number, what: string): number[] {
  const out = parts.slice(0, n).map(Number);
  if (out.length !== n || out.some((v) => !Number.isInteger(v) || v < 0 || v > max)) throw new Error(`bad ${what}`);
  return out;
}

/** Encodes one target of `recordType`; throws with the reason when the target is invalid. */
export function encodeTarget(recordType: RecordType, target: string, ttl: number): RRTail {
  const t = target.trim();
  switch (recordType) {
    case 'A':
      if (!isIPv4(t)) throw new Error(`bad IPv4 address "${target}"`);
      return { bytes: rawTail(TYPE.A, ttl, ipv4Bytes(t)) };
    case 'AAAA':
      if (!isIPv6(t)) throw new Error(`bad IPv6 address "${target}"`);
      return { bytes: rawTail(TYPE.AAAA, ttl, ipv6Bytes(t)) };
    case 'CNAME':
    case 'NS':
    case 'PTR': {
      const name = hostTarget(t);
      return { bytes: rawTail(TYPE[recordType], ttl, encodeName(name)), target: name };
    }
    case 'TXT':
      return { bytes: encodeTail('TXT', ttl, txtChunks(target)) };
    case 'MX': {
      const parts = t.split(/\s+/);
      const [pref] = ints(parts, 1, 65535, `MX "${target}" (want "PREFERENCE HOST")`);
      const name = hostTarget(parts[1] ?? '');
      return { bytes: encodeTail('MX', ttl, { preference: pref, exchange: name === '' ? '.' : name }), target: name };
    }
    case 'SRV': {
      const parts = t.split(/\s+/);
      const [priority, weight, port] = ints(parts, 3, 65535, `SRV "${target}" (want "PRIORITY WEIGHT PORT HOST")`);
      const name = hostTarget(parts[3] ?? '');
      return { bytes: encodeTail('SRV', ttl, { priority, weight, port, target: name === '' ? '.' : name }), target: name };
    }
    case 'CAA': {
      const m = /^(\d+)\s+([A-Za-z0-9]+)\s+"?(.*?)"?$/.exec(t);
      const flags = Number(m?.[1]);
      if (!m || flags > 255) throw new Error(`bad CAA "${target}" (want 'FLAGS TAG "VALUE"')`);
      return { bytes: encodeTail('CAA', ttl, { flags, tag: m[2], value: m[3] ?? '' }) };
    }
    default:
      throw new Error(`record type ${String(recordType)} is not served`);
  }
}

export interface SoaFields {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export function encodeSoa(soa: SoaFields, ttl: number): RRTail {
  return { bytes: encodeTail('SOA', ttl, { ...soa, mname: soa.mname || '.', rname: soa.rname || '.' }) };
}

/** RFC 8482 answer to ANY: a synthesized HINFO. */
export function encodeHinfoRfc8482(ttl: number): RRTail {
  return { bytes: encodeTail('HINFO', ttl, { cpu: 'RFC8482', os: '' }) };
}
