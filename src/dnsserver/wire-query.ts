// Hand-rolled parser for incoming queries: header, the single question, and the EDNS0
// OPT record with its Client Subnet option. It writes into a reusable object so a query
// costs one string (the lower-cased name) and, with ECS, one address string. Every read
// is bounds-checked; anything malformed yields a verdict, never an exception.
import { TYPE } from './records.js';

export type ParseVerdict =
  /** Well-formed query to answer. */
  | 'ok'
  /** Too short for a header, or a response: send nothing. */
  | 'drop'
  /** Header only is trustworthy: FORMERR without question. */
  | 'formerr-header'
  /** Question parsed, rest malformed: FORMERR echoing the question. */
  | 'formerr'
  /** Opcode other than QUERY: NOTIMP. */
  | 'notimp';

export interface ParsedQuery {
  id: number;
  flags: number;
  qname: string;
  qtype: number;
  qclass: number;
  /** Offset just past the question (the question bytes are echoed as received). */
  qEnd: number;
  edns: boolean;
  udpSize: number;
  ednsVersion: number;
  dnssecOk: boolean;
  ecs: boolean;
  ecsFamily: number;
  ecsSource: number;
  /** Offset and length of the ECS option (code and length included), for echoing. */
  ecsOffset: number;
  ecsLength: number;
}

export function newParsedQuery(): ParsedQuery {
  return { id: 0, flags: 0, qname: '', qtype: 0, qclass: 0, qEnd: 0, edns: false, udpSize: 512, ednsVersion: 0, dnssecOk: false, ecs: false, ecsFamily: 0, ecsSource: 0, ecsOffset: 0, ecsLength: 0 };
}

const nameScratch = Buffer.allocUnsafe(256);
const OPT_ECS = 8;

/** Big-endian 16 bits at `o` (callers have checked the bounds; Buffer#readUInt16BE checks again). */
function u16(b: Buffer, o: number): number {
  return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
}

/** Offset past a (possibly compressed) name, or -1 when malformed. */
function skipName(b: Buffer, off: number, end: number): number {
  let o = off;
  for (;;) {
    if (o >= end) return -1;
    const len = b[o] ?? 0;
    if (len === 0) return o + 1;
    if ((len & 0xc0) === 0xc0) return o + 2 <= end ? o + 2 : -1;
    if ((len & 0xc0) !== 0) return -1;
    o += len + 1;
  }
}

/** Presentation form of an ECS address of `n` bytes at `off` (family 1: IPv4, 2: IPv6), zero-filled. */
export function ecsAddressString(b: Buffer, off: number, n: number, family: number): string {
  if (family === 1) {
    return `${n > 0 ? b[off] : 0}.${n > 1 ? b[off + 1] : 0}.${n > 2 ? b[off + 2] : 0}.${n > 3 ? b[off + 3] : 0}`;
  }
  let s = '';
  for (let i = 0; i < 16; i += 2) {
    const hi = i < n ? (b[off + i] ?? 0) : 0;
    const lo = i + 1 < n ? (b[off + i + 1] ?? 0) : 0;
    s += (i === 0 ? '' : ':') + ((hi << 8) | lo).toString(16);
  }
  return s;
}

/** Parses the OPT RDATA options; returns false when malformed (RFC 7871 section 6 for ECS). */
function parseOptions(b: Buffer, off: number, end: number, q: ParsedQuery): boolean {
  let o = off;
  while (o < end) {
    if (o + 4 > end) return false;
    const code = u16(b, o);
    const len = u16(b, o + 2);
    o += 4;
    if (o + len > end) return false;
    if (code === OPT_ECS) {
      if (q.ecs || len < 4) return false;
      const family = u16(b, o);
      const source = b[o + 2] ?? 0;
      const scope = b[o + 3] ?? 0;
      const maxBits = family === 1 ? 32 : family === 2 ? 128 : -1;
      const addrLen = len - 4;
      if (maxBits < 0 || source > maxBits || scope !== 0 || addrLen !== (source + 7) >> 3) return false;
      // Bits beyond SOURCE PREFIX-LENGTH must be zero.
      if (addrLen > 0 && (source & 7) !== 0 && ((b[o + 4 + addrLen - 1] ?? 0) & (0xff >> (source & 7))) !== 0) return false;
      q.ecs = true;
      q.ecsFamily = family;
      q.ecsSource = source;
      q.ecsOffset = o - 4;
      q.ecsLength = len + 4;
    }
    o += len;
  }
  return true;
}

export function parseQuery(b: Buffer, q: ParsedQuery): ParseVerdict {
  const end = b.length;
  q.edns = false; q.ecs = false; q.udpSize = 512; q.dnssecOk = false; q.ednsVersion = 0; q.qname = '';
  if (end < 12) return 'drop';
  q.id = u16(b, 0);
  q.flags = u16(b, 2);
  if ((q.flags & 0x8000) !== 0) return 'drop';
  if (((q.flags >> 11) & 0xf) !== 0) return 'notimp';
  if (u16(b, 4) !== 1) return 'formerr-header';
  const an = u16(b, 6);
  const ns = u16(b, 8);
  const ar = u16(b, 10);

  // Question name: uncompressed (nothing precedes it to point at), at most 255 octets.
  let o = 12;
  let n = 0;
  for (;;) {
    if (o >= end) return 'formerr-header';
    const len = b[o] ?? 0;
    if (len === 0) { o++; break; }
    if (len > 63) return 'formerr-header';
    if (o + 1 + len > end || o + 1 + len - 12 > 254) return 'formerr-header';
    if (n > 0) nameScratch[n++] = 0x2e;
    for (let i = o + 1; i <= o + len; i++) {
      let c = b[i] ?? 0;
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      // A literal dot inside a label must not match a two-label name.
      else if (c === 0x2e) c = 0;
      nameScratch[n++] = c;
    }
    o += len + 1;
  }
  if (o + 4 > end) return 'formerr-header';
  q.qname = n === 0 ? '' : nameScratch.toString('latin1', 0, n);
  q.qtype = u16(b, o);
  q.qclass = u16(b, o + 2);
  o += 4;
  q.qEnd = o;

  for (let i = 0; i < an + ns; i++) {
    o = skipName(b, o, end);
    if (o < 0 || o + 10 > end) return 'formerr';
    o += 10 + u16(b, o + 8);
    if (o > end) return 'formerr';
  }
  for (let i = 0; i < ar; i++) {
    const nameAt = o;
    o = skipName(b, o, end);
    if (o < 0 || o + 10 > end) return 'formerr';
    const type = u16(b, o);
    const rdlen = u16(b, o + 8);
    const rdEnd = o + 10 + rdlen;
    if (rdEnd > end) return 'formerr';
    if (type === TYPE.OPT) {
      // One OPT only, owned by the root (RFC 6891 section 6.1.1).
      if (q.edns || b[nameAt] !== 0) return 'formerr';
      q.edns = true;
      q.udpSize = Math.max(512, u16(b, o + 2));
      q.ednsVersion = b[o + 5] ?? 0;
      q.dnssecOk = ((b[o + 6] ?? 0) & 0x80) !== 0;
      if (!parseOptions(b, o + 10, rdEnd, q)) return 'formerr';
    }
    o = rdEnd;
  }
  return 'ok';
}

/**
 * Offset of the ECS option (its code) in a query of the usual shape: one question, no
 * answer or authority records, and only an OPT record in additional. -1 when such a
 * query has no ECS option; -2 for any other shape (the caller then takes the full path,
 * which also owns every error). Only reads the bytes it needs, and never throws.
 */
export function findEcsOption(b: Buffer): number {
  const end = b.length;
  if (end < 12 || u16(b, 4) !== 1 || u16(b, 6) !== 0 || u16(b, 8) !== 0) return -2;
  const ar = u16(b, 10);
  let o = 12;
  for (;;) {
    if (o >= end) return -2;
    const len = b[o] ?? 0;
    if (len === 0) break;
    if (len > 63) return -2;
    o += len + 1;
  }
  o += 5;
  let found = -1;
  for (let i = 0; i < ar; i++) {
    // Root owner, type OPT, then class, TTL and RDLENGTH.
    if (o + 11 > end || b[o] !== 0 || u16(b, o + 1) !== TYPE.OPT) return -2;
    const rdEnd = o + 11 + u16(b, o + 9);
    if (rdEnd > end) return -2;
    for (let p = o + 11; p < rdEnd;) {
      if (p + 4 > rdEnd) return -2;
      const len = u16(b, p + 2);
      if (p + 4 + len > rdEnd) return -2;
      if (u16(b, p) === OPT_ECS) {
        if (found >= 0 || len < 4) return -2;
        found = p;
      }
      p += 4 + len;
    }
    o = rdEnd;
  }
  return o === end ? found : -2;
}
