// Shared fixtures for the DNS server tests: endpoints, query encoding, reply decoding.
import * as dnsPacket from 'dns-packet';
import type { Endpoint, RecordType } from '../../../src/api/multiclusterdns.js';
import { Responder } from '../../../src/dnsserver/answer.js';
import type { ClientLocation } from '../../../src/dnsserver/geo-locator.js';
import { createLatencyTable } from '../../../src/dnsserver/regions.js';
import type { ZoneSnapshot } from '../../../src/dnsserver/snapshot.js';

export function plain(dnsName: string, recordType: RecordType, targets: string[], recordTTL?: number): Endpoint {
  return { dnsName, recordType, targets, ...(recordTTL !== undefined ? { recordTTL } : {}) };
}

export interface RoutedProps {
  policy: 'latency' | 'geo' | 'weighted' | 'failover';
  region?: string;
  weight?: number;
  failover?: 'primary' | 'secondary';
  geo?: string;
}

export function routed(dnsName: string, cluster: string, targets: string[], p: RoutedProps, recordType: RecordType = 'A'): Endpoint {
  const ps = [{ name: 'kfed.io/routing-policy', value: p.policy }, { name: 'kfed.io/cluster', value: cluster }];
  if (p.region) ps.push({ name: 'kfed.io/region', value: p.region });
  if (p.weight !== undefined) ps.push({ name: 'kfed.io/weight', value: String(p.weight) });
  if (p.failover) ps.push({ name: 'kfed.io/failover', value: p.failover });
  if (p.geo) ps.push({ name: 'kfed.io/geo', value: p.geo });
  return { dnsName, recordType, targets, setIdentifier: cluster, providerSpecific: ps };
}

export interface QueryOpts {
  id?: number;
  rd?: boolean;
  edns?: boolean;
  udpSize?: number;
  ecs?: { ip: string; prefix: number };
  dnssecOk?: boolean;
}

export function query(name: string, type: dnsPacket.RecordType = 'A', o: QueryOpts = {}): Buffer {
  const additionals: dnsPacket.Answer[] = [];
  if (o.edns || o.ecs || o.udpSize) {
    const options = o.ecs ? [{ code: 8, ip: o.ecs.ip, sourcePrefixLength: o.ecs.prefix, scopePrefixLength: 0 }] : [];
    additionals.push({ type: 'OPT', name: '.', udpPayloadSize: o.udpSize ?? 1232, flags: o.dnssecOk ? dnsPacket.DNSSEC_OK : 0, options } as unknown as dnsPacket.Answer);
  }
  return dnsPacket.encode({ type: 'query', id: o.id ?? 4242, flags: o.rd === false ? 0 : dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }], additionals });
}

export type Decoded = ReturnType<typeof dnsPacket.decode>;

/** Responder over a snapshot with a table-driven locator keyed by client address. */
export function responder(snapshot: ZoneSnapshot, locations: Record<string, ClientLocation> = {}, random?: () => number): Responder {
  const r = new Responder({ latency: createLatencyTable(), geo: { lookup: (ip) => locations[ip] }, ...(random ? { random } : {}) });
  r.snapshot = snapshot;
  return r;
}

export function ask(r: Responder, msg: Buffer, source = '192.0.2.200', tcp = false): Decoded {
  const n = r.respond(msg, source, tcp);
  if (n === 0) throw new Error('no response');
  return dnsPacket.decode(Buffer.from(r.out.subarray(0, n)));
}

export function rcodeOf(p: Decoded): string {
  return (p as { rcode?: string }).rcode ?? '';
}

export function flags(p: Decoded): { aa: boolean; tc: boolean; rd: boolean; ra: boolean } {
  const f = p.flags ?? 0;
  return { aa: (f & dnsPacket.AUTHORITATIVE_ANSWER) !== 0, tc: (f & dnsPacket.TRUNCATED_RESPONSE) !== 0, rd: (f & dnsPacket.RECURSION_DESIRED) !== 0, ra: (f & dnsPacket.RECURSION_AVAILABLE) !== 0 };
}

export interface LooseRR {
  name: string;
  type: string;
  ttl?: number;
  data?: unknown;
}

/** Records of a section without dns-packet's per-type union (tests read data and ttl). */
export function rrs(p: Decoded, section: 'answers' | 'authorities' | 'additionals' = 'answers'): LooseRR[] {
  return (p[section] ?? []) as LooseRR[];
}

export function data(p: Decoded, section: 'answers' | 'authorities' = 'answers'): string[] {
  const show = (d: unknown): string => (Array.isArray(d) ? d.map((x) => String(x)).join('') : typeof d === 'object' && !Buffer.isBuffer(d) ? JSON.stringify(d) : String(d));
  return rrs(p, section).map((a) => `${a.name} ${a.type} ${show(a.data)}`);
}

/** Real public addresses' locations, as the bundled GeoLite2 database reports them. */
export const EU: ClientLocation = { country: 'DE', continent: 'EU', lat: 50.1, lon: 8.7, prefixLength: 20 };
export const US: ClientLocation = { country: 'US', continent: 'NA', lat: 37.75, lon: -97.8, prefixLength: 18 };
export const ASIA: ClientLocation = { country: 'JP', continent: 'AS', lat: 35.69, lon: 139.69, prefixLength: 17 };
