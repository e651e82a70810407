// Targets (external-dns's text form) <-> Cloud DNS rrdatas (zone-file form). Names in
// rrdatas are absolute (trailing dot); kfed's targets are not. TXT targets are the text
// itself (the registry writes `heritage=external-dns,...` unquoted), so they are quoted
// on the way in, split into 255-byte character-strings, and joined back on the way out.
import type { RecordType } from '../../src/dns/endpoint.js';

const MAX_CHARACTER_STRING = 255;

/** Record types Cloud DNS stores that kfed's Endpoint can carry. */
export const ENDPOINT_TYPES: ReadonlySet<string> = new Set<RecordType>(['A', 'AAAA', 'CNAME', 'TXT', 'NS', 'SRV', 'MX', 'PTR', 'CAA']);

export function isEndpointType(type: string): type is RecordType {
  return ENDPOINT_TYPES.has(type);
}

/** FQDN with a trailing dot, as Cloud DNS names record sets and zones. */
export function fqdn(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') ? n : `${n}.`;
}

/** A name without the trailing dot, lowercase. */
export function relativeName(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

function absolute(host: string): string {
  return host.endsWith('.') ? host : `${host}.`;
}

function withLastField(value: string, f: (last: string) => string): string {
  const parts = value.trim().split(/\s+/);
  const last = parts.pop();
  return last === undefined ? value : [...parts, f(last)].join(' ');
}

export function quoteTxt(text: string): string {
  if (text.length <= MAX_CHARACTER_STRING && !/["\\]/.test(text)) return `"${text}"`;
  const escaped = text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  const chunks: string[] = [];
  // Split on the unescaped text so that an escape pair is never cut in two.
  let current = '';
  let length = 0;
  for (const ch of escaped.match(/\\.|[^\\]/gs) ?? []) {
    if (length + 1 > MAX_CHARACTER_STRING) {
      chunks.push(current);
      current = '';
      length = 0;
    }
    current += ch;
    length += 1;
  }
  chunks.push(current);
  return chunks.map((c) => `"${c}"`).join(' ');
}

/** The text of a TXT rrdata: its character-strings joined; bare words are taken as they are. */
export function unquoteTxt(rrdata: string): string {
  if (rrdata.length >= 2 && rrdata.startsWith('"') && rrdata.endsWith('"') && !/["\\]/.test(rrdata.slice(1, -1))) return rrdata.slice(1, -1);
  const strings = [...rrdata.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? '')));
  return strings.join('');
}

export function targetToRrdata(type: RecordType, target: string): string {
  switch (type) {
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return absolute(target.trim());
    case 'MX':
    case 'SRV':
      return withLastField(target, absolute);
    case 'TXT':
      return quoteTxt(target);
    default:
      return target.trim();
  }
}

export function rrdataToTarget(type: RecordType, rrdata: string): string {
  const strip = (h: string): string => (h.length > 1 && h.endsWith('.') ? h.slice(0, -1) : h);
  switch (type) {
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return strip(rrdata.trim());
    case 'MX':
    case 'SRV':
      return withLastField(rrdata, strip);
    case 'TXT':
      return unquoteTxt(rrdata);
    default:
      return rrdata.trim();
  }
}
