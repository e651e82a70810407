// The few pieces of DNS wire format that dns-packet does not give us: RRs with the
// classes of RFC 2136 (NONE, ANY) and empty RDATA, names in the canonical (lowercase,
// uncompressed) form TSIG digests need, and the offset of the last RR of a message,
// where a TSIG record sits. dns-packet encodes queries and decodes every response.

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, TSIG: 250, AXFR: 252, ANY: 255, CAA: 257 } as const;
export const CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;
export const OPCODE_UPDATE = 5;
export const HEADER_LENGTH = 12;

/** Message sizes kfed builds stay well under the 64 KiB a TCP frame can carry. */
export const MAX_MESSAGE_BYTES = 32 * 1024;

/** A name without its trailing dot, as labels (the root is []). Throws on an empty or over-long label. */
export function nameLabels(name: string): string[] {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (n === '') return [];
  const labels = n.split('.');
  for (const l of labels) {
    const len = Buffer.byteLength(l);
    if (len === 0 || len > 63) throw new Error(`name "${name}": label "${l}" must be 1..63 octets`);
  }
  return labels;
}

/** Uncompressed wire form of a name; `canonical` lowercases it (RFC 4034 6.2, as TSIG digests require). */
export function encodeName(name: string, canonical = false): Buffer {
  const parts: Buffer[] = [];
  for (const label of nameLabels(canonical ? name.toLowerCase() : name)) {
    const b = Buffer.from(label, 'utf8');
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  const out = Buffer.concat(parts);
  if (out.length > 255) throw new Error(`name "${name}" is longer than 255 octets`);
  return out;
}

export interface WireRecord {
  name: string;
  type: number;
  klass: number;
  ttl: number;
  /** RDATA without its length; empty for the RRset/name forms of RFC 2136. */
  rdata: Buffer;
}

export function encodeRecord(r: WireRecord): Buffer {
  const name = encodeName(r.name);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(r.type, 0);
  fixed.writeUInt16BE(r.klass, 2);
  fixed.writeUInt32BE(r.ttl >>> 0, 4);
  fixed.writeUInt16BE(r.rdata.length, 8);
  return Buffer.concat([name, fixed, r.rdata]);
}

export interface MessageSections {
  id: number;
  opcode: number;
  /** Zone section of an UPDATE, question section of a query. */
  question: { name: string; type: number; klass: number };
  /** Prerequisites of an UPDATE, answers of a query: already encoded RRs. */
  answers: Buffer[];
  /** Updates of an UPDATE. */
  authorities: Buffer[];
}

export function encodeMessage(m: MessageSections): Buffer {
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt16BE(m.id, 0);
  header.writeUInt16BE((m.opcode & 0xf) << 11, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(m.answers.length, 6);
  header.writeUInt16BE(m.authorities.length, 8);
  header.writeUInt16BE(0, 10);
  const q = Buffer.alloc(4);
  q.writeUInt16BE(m.question.type, 0);
  q.writeUInt16BE(m.question.klass, 2);
  return Buffer.concat([header, encodeName(m.question.name), q, ...m.answers, ...m.authorities]);
}

/** Offset just past a (possibly compressed) name starting at `offset`. */
function skipName(buf: Buffer, offset: number): number {
  let o = offset;
  for (;;) {
    if (o >= buf.length) throw new Error('truncated name');
    const len = buf[o] ?? 0;
    if (len === 0) return o + 1;
    if ((len & 0xc0) === 0xc0) return o + 2;
    if ((len & 0xc0) !== 0) throw new Error(`bad label type 0x${len.toString(16)}`);
    o += len + 1;
  }
}

/**
 * Offset of the last RR of the message (the additional section's last record), or
 * undefined when the message has no RR at all. Throws on a malformed message.
 */
export function lastRecordOffset(buf: Buffer): number | undefined {
  if (buf.length < HEADER_LENGTH) throw new Error('message shorter than its header');
  const qd = buf.readUInt16BE(4);
  const rrs = buf.readUInt16BE(6) + buf.readUInt16BE(8) + buf.readUInt16BE(10);
  let o = HEADER_LENGTH;
  for (let i = 0; i < qd; i++) o = skipName(buf, o) + 4;
  let last: number | undefined;
  for (let i = 0; i < rrs; i++) {
    last = o;
    o = skipName(buf, o);
    if (o + 10 > buf.length) throw new Error('truncated record');
    o += 10 + buf.readUInt16BE(o + 8);
  }
  if (o > buf.length) throw new Error('truncated record data');
  return last;
}

/** Reads an uncompressed name (TSIG's fields are never compressed); returns it and the next offset. */
export function readPlainName(buf: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let o = offset;
  for (;;) {
    const len = buf[o];
    if (len === undefined) throw new Error('truncated name');
    if (len === 0) return { name: labels.join('.'), next: o + 1 };
    if ((len & 0xc0) !== 0) throw new Error('compressed name where none is allowed');
    labels.push(buf.toString('utf8', o + 1, o + 1 + len));
    o += len + 1;
  }
}

/** A random 16-bit message id (ids are not a security measure here: TSIG is). */
export function randomId(): number {
  return Math.floor(Math.random() * 0x10000);
}
