// The companion TXT record set that makes folding lossless. Cloud DNS keeps one record
// set per (name, type) whose routing items carry only a location or a weight and the
// data: which cluster (set identifier) stood behind which targets, and the exact
// `kfed.io/*` properties each was written with, are lost when items merge (two
// clusters in one GCP region share one geo item). So beside every folded record set the
// adapter writes `_kfed-<type>.<name>` TXT holding one entry per set identifier: the
// endpoint as written, form-encoded (`kfed=1&set=...&ttl=...&t=<target>&p=<name>=<value>`).
// Reading trusts an entry list only when folding it again gives exactly the record set
// that was read; a record set edited by hand is unfolded from its items instead.
import type { Endpoint, RecordType } from '../../src/dns/endpoint.js';
import { normalizeDNSName } from '../../src/dns/naming.js';
import { fqdn, quoteTxt, unquoteTxt } from './rdata.js';
import type { ResourceRecordSet } from './types.js';

const PREFIX = '_kfed-';
const VERSION = '1';
/** TTL of companion records: nobody resolves them, the value is arbitrary but fixed. */
export const COMPANION_TTL = 300;

/** `_kfed-a.go.example.com.` for go.example.com A; a wildcard's `*` moves into the label. */
export function companionName(dnsName: string, type: RecordType): string {
  const name = normalizeDNSName(dnsName);
  const t = type.toLowerCase();
  return name.startsWith('*.') ? fqdn(`${PREFIX}${t}-wildcard.${name.slice(2)}`) : fqdn(`${PREFIX}${t}.${name}`);
}

/** The record a companion name belongs to, or undefined when the name is not a companion's. */
export function companionOwner(name: string): { dnsName: string; type: string } | undefined {
  const n = normalizeDNSName(name);
  const dot = n.indexOf('.');
  if (!n.startsWith(PREFIX) || dot < 0) return undefined;
  const label = n.slice(PREFIX.length, dot);
  const rest = n.slice(dot + 1);
  const wildcard = label.endsWith('-wildcard');
  const type = (wildcard ? label.slice(0, -'-wildcard'.length) : label).toUpperCase();
  if (!/^[A-Z]+$/.test(type)) return undefined;
  return { dnsName: wildcard ? `*.${rest}` : rest, type };
}

export function encodeEntry(e: Endpoint): string {
  const p = new URLSearchParams();
  p.append('kfed', VERSION);
  p.append('set', e.setIdentifier ?? '');
  if (e.recordTTL !== undefined) p.append('ttl', String(e.recordTTL));
  for (const t of e.targets) p.append('t', t);
  for (const prop of e.providerSpecific ?? []) p.append('p', `${prop.name}=${prop.value}`);
  return quoteTxt(p.toString());
}

/** The endpoint of one entry, or undefined when the rrdata is not an entry of this version. */
export function decodeEntry(rrdata: string, dnsName: string, recordType: RecordType): Endpoint | undefined {
  const p = new URLSearchParams(unquoteTxt(rrdata));
  const set = p.get('set');
  if (p.get('kfed') !== VERSION || !set) return undefined;
  const e: Endpoint = { dnsName, recordType, setIdentifier: set, targets: p.getAll('t') };
  const ttl = p.get('ttl');
  if (ttl !== null) {
    const n = Number(ttl);
    if (!Number.isInteger(n) || n < 0) return undefined;
    e.recordTTL = n;
  }
  const props = p.getAll('p').map((kv) => {
    const eq = kv.indexOf('=');
    return eq < 0 ? { name: kv, value: '' } : { name: kv.slice(0, eq), value: kv.slice(eq + 1) };
  });
  if (props.length > 0) e.providerSpecific = props;
  return e;
}

/** The companion record set for the routed endpoints of one (name, type). */
export function companionRecordSet(endpoints: readonly Endpoint[]): ResourceRecordSet {
  const first = endpoints[0];
  if (!first) throw new Error('companion of no endpoints');
  return { name: companionName(first.dnsName, first.recordType), type: 'TXT', ttl: COMPANION_TTL, rrdatas: endpoints.map(encodeEntry) };
}

/** The entries of a companion, or undefined when any of them is not one. */
export function companionEntries(companion: ResourceRecordSet, dnsName: string, recordType: RecordType): Endpoint[] | undefined {
  const out: Endpoint[] = [];
  for (const rr of companion.rrdatas ?? []) {
    const e = decodeEntry(rr, dnsName, recordType);
    if (!e) return undefined;
    out.push(e);
  }
  return out.length > 0 ? out : undefined;
}
