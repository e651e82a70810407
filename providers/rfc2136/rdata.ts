// Pure mapping between an endpoint's targets (external-dns's text forms) and RDATA.
//
// Targets: A/AAAA addresses; CNAME/NS/PTR names without the trailing dot; MX
// "preference exchange"; SRV "priority weight port target"; CAA `flags tag "value"`;
// TXT: one target per TXT record, the text itself (no zone-file quoting), as kfed's
// registry and the other providers keep it (`heritage=external-dns,...`). A TXT record
// is written as its text split into 255-octet character-strings and read back with its
// strings joined, so a long ownership value round-trips unchanged.
import { isIPv4, isIPv6 } from 'node:net';
import type { RecordType } from '../../src/dns/endpoint.js';
import { TYPE, encodeName } from './wire.js';

/** Record types kfed can write with RFC 2136 (all of external-dns's Endpoint types). */
export const WRITABLE_TYPES: readonly RecordType[] = ['A', 'AAAA', 'CNAME', 'TXT', 'NS', 'SRV', 'MX', 'PTR', 'CAA'];

export function typeCode(t: RecordType): number {
  return TYPE[t];
}

function ipv4(text: string): Buffer {
  if (!isIPv4(text)) throw new Error(`"${text}" is not an IPv4 address`);
  return Buffer.from(text.split('.').map(Number));
}

function ipv6(text: string): Buffer {
  if (!isIPv6(text) || text.includes('%')) throw new Error(`"${text}" is not an IPv6 address`);
  let s = text;
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4?.[1]) {
    const b = ipv4(v4[1]);
    s = `${s.slice(0, -v4[1].length)}${((b[0] ?? 0) * 256 + (b[1] ?? 0)).toString(16)}:${((b[2] ?? 0) * 256 + (b[3] ?? 0)).toString(16)}`;
  }
  const [head = '', tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function hostname(text: string): Buffer {
  const n = text.trim();
  if (n === '' || n === '.' || /\s/.test(n)) throw new Error(`"${text}" is not a host name`);
  return encodeName(n);
}

function u16(text: string | undefined, what: string): Buffer {
  const n = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || n > 0xffff) throw new Error(`${what} "${text ?? ''}" is not an integer 0..65535`);
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}

/** Character-strings of a TXT target: its text in 255-octet pieces (one empty string for ""). */
export function txtStrings(target: string): Buffer[] {
  const bytes = Buffer.from(target, 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) out.push(bytes.subarray(i, i + 255));
  return out.length > 0 ? out : [Buffer.alloc(0)];
}

/** The target a TXT record reads back as: its strings joined. */
export function txtTarget(strings: readonly Buffer[]): string {
  return Buffer.concat(strings).toString('utf8');
}

/** RDATA of one target of a record of type `t`. Throws a message naming the bad value. */
export function encodeRdata(t: RecordType, target: string): Buffer {
  switch (t) {
    case 'A':
      return ipv4(target.trim());
    case 'AAAA':
      return ipv6(target.trim());
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return hostname(target);
    case 'TXT':
      return Buffer.concat(txtStrings(target).map((s) => Buffer.concat([Buffer.from([s.length]), s])));
    case 'MX': {
      const [pref, host, ...rest] = target.trim().split(/\s+/);
      if (host === undefined || rest.length > 0) throw new Error(`MX target "${target}" is not "preference exchange"`);
      return Buffer.concat([u16(pref, 'MX preference'), hostname(host)]);
    }
    case 'SRV': {
      const [prio, weight, port, host, ...rest] = target.trim().split(/\s+/);
      if (host === undefined || rest.length > 0) throw new Error(`SRV target "${target}" is not "priority weight port target"`);
      return Buffer.concat([u16(prio, 'SRV priority'), u16(weight, 'SRV weight'), u16(port, 'SRV port'), hostname(host)]);
    }
    case 'CAA': {
      const m = /^(\d+)\s+([A-Za-z0-9]+)\s+"?(.*?)"?$/s.exec(target.trim());
      const flags = Number(m?.[1]);
      if (!m?.[2] || flags > 255) throw new Error(`CAA target "${target}" is not 'flags tag "value"'`);
      const tag = Buffer.from(m[2], 'ascii');
      return Buffer.concat([Buffer.from([flags, tag.length]), tag, Buffer.from(m[3] ?? '', 'utf8')]);
    }
  }
}

function dropDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** The target text of a record dns-packet decoded, or undefined for data of an unexpected shape. */
export function decodeTarget(t: RecordType, data: unknown): string | undefined {
  if (t === 'A' || t === 'AAAA') return typeof data === 'string' ? data : undefined;
  if (t === 'CNAME' || t === 'NS' || t === 'PTR') return typeof data === 'string' ? dropDot(data) : undefined;
  if (t === 'TXT') {
    const list = Array.isArray(data) ? data : [data];
    return list.every((s) => Buffer.isBuffer(s)) ? txtTarget(list as Buffer[]) : undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Record<string, unknown>;
  if (t === 'MX') return `${String(d.preference ?? 0)} ${dropDot(String(d.exchange ?? ''))}`;
  if (t === 'SRV') return `${String(d.priority ?? 0)} ${String(d.weight ?? 0)} ${String(d.port ?? 0)} ${dropDot(String(d.target ?? ''))}`;
  if (t === 'CAA') return `${d.issuerCritical ? 128 : Number(d.flags ?? 0)} ${String(d.tag ?? '')} "${String(d.value ?? '')}"`;
  return undefined;
}
