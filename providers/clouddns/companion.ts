// The companion TXT record set that makes folding lossless. Cloud DNS keeps one record
// set per (name, type) whose routing items carry only a location or a weight and the
// data: which cluster (set identifier) stood behind which targets, and the exact
// `kfed.io/*` properties each was written with, are lost when items merge (two
// clusters in one GCP region share one geo item). So beside every folded record set the
// adapter writes `_kfed-<type>.<name>` TXT holding one entry per set identifier, kept
// small because Cloud DNS meters rrdata bytes per change:
//   k2 <set> <ttl | "="> <targets, comma-separated | "@<item>"> <properties | "-">
// "=" is the record set's TTL; "@3" the data of routing item 3 (wrr or geo items in
// order; for primaryBackup 0 is the primary targets, then the backup items), used when
// a cluster's targets are exactly that item's; properties are `;`-separated, the
// `kfed.io/*` ones by one letter (p policy, c cluster, r region, z zone, w weight,
// f failover, g geo; a bare `c` is the set identifier); `%XX` escapes separators.
// Reading trusts the entries only when folding them again gives exactly the record set
// that was read; a record set edited by hand is unfolded from its items instead.
import type { Endpoint, RecordType } from '../../src/dns/endpoint.js';
import { normalizeDNSName } from '../../src/dns/naming.js';
import { fqdn, quoteTxt, relativeName, rrdataToTarget, unquoteTxt } from './rdata.js';
import type { ResourceRecordSet } from './types.js';

const PREFIX = '_kfed-';
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

const SHORT: Readonly<Record<string, string>> = {
  'kfed.io/routing-policy': 'p',
  'kfed.io/cluster': 'c',
  'kfed.io/region': 'r',
  'kfed.io/zone': 'z',
  'kfed.io/weight': 'w',
  'kfed.io/failover': 'f',
  'kfed.io/geo': 'g',
};
const LONG: ReadonlyMap<string, string> = new Map(Object.entries(SHORT).map(([k, v]) => [v, k]));

const SEPARATORS = /[%\s;="\\]/g;
const TARGET_SEPARATORS = /[%\s;="\\,@]/g;

function hex(c: string): string {
  return `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`;
}

/** Escapes the entry's separators (and, in targets, `,` and `@`). */
function esc(s: string, target = false): string {
  return s.replace(target ? TARGET_SEPARATORS : SEPARATORS, hex);
}

function unesc(s: string): string {
  return decodeURIComponent(s);
}

/** Each routing item's data, in the order `@<item>` counts them. */
export function itemData(r: ResourceRecordSet): string[][] {
  const p = r.routingPolicy;
  if (p?.wrr) return p.wrr.items.map((i) => i.rrdatas ?? []);
  if (p?.geo) return p.geo.items.map((i) => i.rrdatas ?? []);
  if (p?.primaryBackup) return [p.primaryBackup.primaryTargets.externalEndpoints ?? [], ...p.primaryBackup.backupGeoTargets.items.map((i) => i.rrdatas ?? [])];
  return [];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function encodeEntry(e: Endpoint, rrset: ResourceRecordSet): string {
  const ttl = e.recordTTL === undefined ? '-' : e.recordTTL === rrset.ttl ? '=' : String(e.recordTTL);
  const items = itemData(rrset).map((d) => d.map((x) => rrdataToTarget(e.recordType, x)));
  const ref = items.findIndex((d) => sameList(d, e.targets));
  const targets = ref >= 0 ? `@${ref}` : e.targets.length === 0 ? '-' : e.targets.map((t) => esc(t, true)).join(',');
  const props = (e.providerSpecific ?? []).map((p) => {
    const short = SHORT[p.name];
    if (short === 'c' && p.value === e.setIdentifier) return 'c';
    return `${short ?? esc(p.name)}=${esc(p.value)}`;
  });
  return quoteTxt(`k2 ${esc(e.setIdentifier ?? '')} ${ttl} ${targets} ${props.length > 0 ? props.join(';') : '-'}`);
}

/** The endpoint of one entry, or undefined when the rrdata is not an entry of this version. */
export function decodeEntry(rrdata: string, rrset: ResourceRecordSet, recordType: RecordType): Endpoint | undefined {
  const fields = unquoteTxt(rrdata).split(' ');
  const [version, setRaw, ttl, targets, props] = fields;
  if (fields.length !== 5 || version !== 'k2' || !setRaw || ttl === undefined || targets === undefined || props === undefined) return undefined;
  try {
    const set = unesc(setRaw);
    const e: Endpoint = { dnsName: relativeName(rrset.name), recordType, setIdentifier: set, targets: [] };
    if (targets.startsWith('@')) {
      const data = itemData(rrset)[Number(targets.slice(1))];
      if (!data) return undefined;
      e.targets = data.map((x) => rrdataToTarget(recordType, x));
    } else if (targets !== '-') e.targets = targets.split(',').map(unesc);
    if (ttl === '=') {
      if (rrset.ttl === undefined) return undefined;
      e.recordTTL = rrset.ttl;
    } else if (ttl !== '-') {
      const n = Number(ttl);
      if (!Number.isInteger(n) || n < 0) return undefined;
      e.recordTTL = n;
    }
    if (props !== '-') {
      e.providerSpecific = props.split(';').map((kv) => {
        if (kv === 'c') return { name: 'kfed.io/cluster', value: set };
        const eq = kv.indexOf('=');
        const name = unesc(eq < 0 ? kv : kv.slice(0, eq));
        return { name: LONG.get(name) ?? name, value: eq < 0 ? '' : unesc(kv.slice(eq + 1)) };
      });
    }
    return e;
  } catch {
    return undefined; // a malformed escape
  }
}

/** The companion record set for the routed endpoints of one (name, type), folded into `rrset`. */
export function companionRecordSet(endpoints: readonly Endpoint[], rrset: ResourceRecordSet): ResourceRecordSet {
  const first = endpoints[0];
  if (!first) throw new Error('companion of no endpoints');
  return { name: companionName(first.dnsName, first.recordType), type: 'TXT', ttl: COMPANION_TTL, rrdatas: endpoints.map((e) => encodeEntry(e, rrset)) };
}

/** Whether a TXT record set looks like a companion (its entries are checked when read with their record set). */
export function isCompanion(r: ResourceRecordSet): boolean {
  return r.type === 'TXT' && companionOwner(r.name) !== undefined && (r.rrdatas ?? []).length > 0 && (r.rrdatas ?? []).every((x) => unquoteTxt(x).startsWith('k2 '));
}

/** The entries of a companion for this record set, or undefined when any of them is not one. */
export function companionEntries(companion: ResourceRecordSet, rrset: ResourceRecordSet, recordType: RecordType): Endpoint[] | undefined {
  const out: Endpoint[] = [];
  for (const rr of companion.rrdatas ?? []) {
    const e = decodeEntry(rr, rrset, recordType);
    if (!e) return undefined;
    out.push(e);
  }
  return out.length > 0 ? out : undefined;
}
