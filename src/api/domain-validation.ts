// Value rules of a Domain's zone fields beyond `domain` and `nameServer` (whose rules live
// with the record validation in src/dns/records/validate.ts): the name servers, their
// addresses and the SOA, and the refusal of public suffixes. Pure; the Domain controller
// turns the problems into `Valid=False (InvalidDomain)` and the serving feed skips the Domain.
import { isIP } from 'node:net';
import { parse as parseDomain } from 'tldts';
import type { DomainObject } from './multiclusterdns.js';

export interface DomainFieldProblem {
  field: string;
  message: string;
}

const HOST_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/i;
const MAX_SOA_SECONDS = 2_147_483_647;

function isHostname(v: string): boolean {
  const n = v.endsWith('.') ? v.slice(0, -1) : v;
  return n.length > 0 && n.length <= 253 && n.split('.').every((l) => HOST_LABEL.test(l));
}

const q = (v: unknown): string => JSON.stringify(v);

/**
 * True when `domain` is itself a public suffix of the ICANN section of the Public Suffix
 * List (`com`, `co.uk`): serving it would answer for every name registered under it.
 * Reserved names such as `test` or `example` are not in that section and pass.
 */
export function isPublicSuffix(domain: string): boolean {
  const d = domain.toLowerCase().replace(/\.$/, '');
  const r = parseDomain(d, { allowPrivateDomains: false });
  return r.isIcann === true && r.publicSuffix === d;
}

/** Problems of `nameServers`, `nameServerAddresses`, `soa`, and of a public-suffix `domain`. */
export function domainZoneProblems(d: DomainObject, prefix = ''): DomainFieldProblem[] {
  const out: DomainFieldProblem[] = [];
  if (typeof d.domain === 'string' && d.domain !== '' && isPublicSuffix(d.domain)) {
    out.push({ field: `${prefix}domain`, message: `${q(d.domain)} is a public suffix (Public Suffix List): a Domain must be a zone you own below it, such as example.${d.domain.replace(/\.$/, '')}` });
  }
  const list = (field: string, v: unknown, ok: (s: string) => boolean, what: string): void => {
    if (v === undefined) return;
    if (!Array.isArray(v)) { out.push({ field: `${prefix}${field}`, message: 'must be a list' }); return; }
    v.forEach((x: unknown, i) => {
      if (typeof x !== 'string' || !ok(x)) out.push({ field: `${prefix}${field}[${i}]`, message: `${q(x)} is not ${what}` });
    });
  };
  list('nameServers', d.nameServers, isHostname, 'a host name');
  list('nameServerAddresses', d.nameServerAddresses, (s) => isIP(s) !== 0, 'an IPv4 or IPv6 address');
  const soa: unknown = d.soa;
  if (soa === undefined) return out;
  if (typeof soa !== 'object' || soa === null || Array.isArray(soa)) return [...out, { field: `${prefix}soa`, message: 'must be an object' }];
  const s = soa as Record<string, unknown>;
  for (const k of ['mname', 'rname'] as const) {
    const v = s[k];
    if (v === undefined) continue;
    const name = typeof v === 'string' && k === 'rname' ? v.replace('@', '.') : v;
    if (typeof name !== 'string' || !isHostname(name)) out.push({ field: `${prefix}soa.${k}`, message: `${q(v)} is not a ${k === 'rname' ? 'mailbox (hostmaster.example.com or hostmaster@example.com)' : 'host name'}` });
  }
  for (const k of ['refresh', 'retry', 'expire', 'minimum'] as const) {
    const v = s[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_SOA_SECONDS)) {
      out.push({ field: `${prefix}soa.${k}`, message: `${q(v)} is not a number of seconds from 0 to ${MAX_SOA_SECONDS}` });
    }
  }
  return out;
}
