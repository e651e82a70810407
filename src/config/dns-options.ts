// The embedded DNS server's options as the controller takes them (flags and KFED_* env,
// the chart's dns.* values): parsed and checked here, once, into plain data that
// src/app hands to the server. Every parser throws a ConfigError that names the flag.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../api/core-validation.js';

export class DnsOptionError extends Error {
  override readonly name = 'ConfigError';
}

/** Responses per second per client prefix and how over-limit replies are handled (src/dnsserver/rate-limit.ts). */
export interface DnsRateLimit {
  responsesPerSecond: number;
  burst: number;
  slip: number;
  ipv4PrefixLength: number;
  ipv6PrefixLength: number;
  exemptLoopback: boolean;
}

/** Region-to-region latencies (ms) and extra region coordinates, as in a latency table file. */
export interface DnsLatencyTable {
  latencyMs: Record<string, Record<string, number>>;
  regions: Record<string, { lat: number; lon: number }>;
}

export interface DnsAnswerOptions {
  /** Addresses every in-zone name server answers (A/AAAA), unless the Domain names its own. */
  nameServerAddresses: string[];
  /** Service in the KubeFed namespace whose load-balancer IPs are the name servers' addresses when none are given. */
  nameServerService: string | undefined;
  /** From `--dns-latency-table` (a file, e.g. a mounted ConfigMap); undefined: the built-in table. */
  latencyTable: DnsLatencyTable | undefined;
  /** Location assumed for clients the database cannot place. */
  defaultLocation: { country?: string; region?: string } | undefined;
  /** Geo answers to clients that cannot be located: the `*` set when there is one (`default`), or every cluster (`all`). */
  unlocatedClients: 'default' | 'all';
  /** false: no response-rate limiting. */
  rateLimit: DnsRateLimit | false;
  maxUdpPayload: number;
  tcpIdleTimeoutMs: number;
  maxTcpConnections: number;
  /** UDP serving threads in the serving process (each worker, with --dns-workers): 1 = the JavaScript thread only. */
  udpThreads: number;
}

/** The DNS flags, as strings (command line or environment). */
export interface DnsOptionFlags {
  dnsNameServerAddresses?: string | undefined;
  dnsService?: string | undefined;
  dnsLatencyTable?: string | undefined;
  dnsDefaultLocation?: string | undefined;
  dnsUnlocatedClients?: string | undefined;
  dnsRateLimit?: string | undefined;
  dnsMaxUdpPayload?: string | number | undefined;
  dnsTcpIdleTimeout?: string | undefined;
  dnsMaxTcpConnections?: string | number | undefined;
  dnsUdpThreads?: string | number | undefined;
}

export const DNS_RATE_LIMIT_DEFAULTS: DnsRateLimit = { responsesPerSecond: 100, burst: 100, slip: 2, ipv4PrefixLength: 24, ipv6PrefixLength: 56, exemptLoopback: true };
export const DEFAULT_MAX_UDP_PAYLOAD = 1232;
export const DEFAULT_DNS_TCP_IDLE_TIMEOUT = '10s';
export const DEFAULT_DNS_MAX_TCP_CONNECTIONS = 256;
export const DEFAULT_DNS_UDP_THREADS = 1;
export const DEFAULT_DNS_UNLOCATED_CLIENTS = 'default';

const q = (v: unknown): string => JSON.stringify(v);

function int(flag: string, value: string | number, min: number, max: number): number {
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new DnsOptionError(`${flag} ${q(value)}: expected an integer from ${min} to ${max}`);
  return n;
}

/** `--dns-nameserver-addresses 192.0.2.53,2001:db8::53`. */
export function parseAddresses(value: string | undefined): string[] {
  const list = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const a of list) if (isIP(a) === 0) throw new DnsOptionError(`--dns-nameserver-addresses: ${q(a)} is not an IP address`);
  return [...new Set(list)];
}

/** `--dns-default-location country:DE,region:eu-west-1` (either or both). */
export function parseDefaultLocation(value: string | undefined): DnsAnswerOptions['defaultLocation'] {
  const v = value?.trim() ?? '';
  if (v === '') return undefined;
  const out: { country?: string; region?: string } = {};
  for (const part of v.split(',').map((s) => s.trim())) {
    const m = /^(country|region):(.+)$/.exec(part);
    if (m?.[1] === 'country' && /^[A-Za-z]{2}$/.test(m[2] ?? '')) out.country = (m[2] ?? '').toUpperCase();
    else if (m?.[1] === 'region' && /^[a-z0-9-]+$/.test(m[2] ?? '')) out.region = m[2] ?? '';
    else throw new DnsOptionError(`--dns-default-location ${q(value)}: expected country:XX (ISO 3166-1 alpha-2) and/or region:NAME, comma-separated`);
  }
  return out;
}

/**
 * `--dns-rate-limit`: `off`, a number (responses per second), or `key=value` pairs:
 * responses-per-second, burst, slip, ipv4-prefix, ipv6-prefix, exempt-loopback.
 */
export function parseRateLimit(value: string | undefined): DnsRateLimit | false {
  const v = value?.trim() ?? '';
  if (v === '') return { ...DNS_RATE_LIMIT_DEFAULTS };
  if (v === 'off' || v === '0' || v === 'false') return false;
  const flag = '--dns-rate-limit';
  if (/^\d+$/.test(v)) { const r = int(flag, v, 1, 1_000_000); return { ...DNS_RATE_LIMIT_DEFAULTS, responsesPerSecond: r, burst: r }; }
  const out = { ...DNS_RATE_LIMIT_DEFAULTS };
  let burstSet = false;
  for (const pair of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [key = '', val = ''] = pair.split('=', 2).map((s) => s.trim());
    switch (key) {
      case 'responses-per-second': out.responsesPerSecond = int(`${flag} ${key}`, val, 1, 1_000_000); break;
      case 'burst': out.burst = int(`${flag} ${key}`, val, 1, 1_000_000); burstSet = true; break;
      case 'slip': out.slip = int(`${flag} ${key}`, val, 0, 10); break;
      case 'ipv4-prefix': out.ipv4PrefixLength = int(`${flag} ${key}`, val, 8, 32); break;
      case 'ipv6-prefix': out.ipv6PrefixLength = int(`${flag} ${key}`, val, 16, 128); break;
      case 'exempt-loopback':
        if (val !== 'true' && val !== 'false') throw new DnsOptionError(`${flag} ${key} ${q(val)}: expected true or false`);
        out.exemptLoopback = val === 'true';
        break;
      default:
        throw new DnsOptionError(`${flag} ${q(value)}: unknown setting ${q(key)} (off, a number, or responses-per-second=, burst=, slip=, ipv4-prefix=, ipv6-prefix=, exempt-loopback=)`);
    }
  }
  if (!burstSet) out.burst = out.responsesPerSecond;
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A latency table (YAML or JSON): `latencyMs: {from: {to: ms}}` (applied both ways) and
 * optional `regions: {name: {lat, lon}}` for regions the built-in table lacks. A bare
 * `{from: {to: ms}}` map is taken as latencyMs.
 */
export function parseLatencyTable(text: string, source: string): DnsLatencyTable {
  let doc: unknown;
  try { doc = parseYaml(text); } catch (err) { throw new DnsOptionError(`latency table ${source}: ${(err as Error).message}`); }
  if (!isRecord(doc)) throw new DnsOptionError(`latency table ${source}: expected a map`);
  const hasKeys = 'latencyMs' in doc || 'regions' in doc;
  const rows = hasKeys ? doc.latencyMs ?? {} : doc;
  const regions = hasKeys ? doc.regions ?? {} : {};
  const out: DnsLatencyTable = { latencyMs: {}, regions: {} };
  if (!isRecord(rows)) throw new DnsOptionError(`latency table ${source}: latencyMs must map a region to {region: ms}`);
  for (const [from, row] of Object.entries(rows)) {
    if (!isRecord(row)) throw new DnsOptionError(`latency table ${source}: ${from} must map regions to milliseconds`);
    const r: Record<string, number> = {};
    for (const [to, ms] of Object.entries(row)) {
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new DnsOptionError(`latency table ${source}: ${from} -> ${to}: ${q(ms)} is not a number of milliseconds >= 0`);
      r[to] = ms;
    }
    out.latencyMs[from] = r;
  }
  if (!isRecord(regions)) throw new DnsOptionError(`latency table ${source}: regions must map a region to {lat, lon}`);
  for (const [name, c] of Object.entries(regions)) {
    const lat = isRecord(c) ? c.lat : undefined;
    const lon = isRecord(c) ? c.lon : undefined;
    if (typeof lat !== 'number' || typeof lon !== 'number' || Math.abs(lat) > 90 || Math.abs(lon) > 180) throw new DnsOptionError(`latency table ${source}: region ${name} needs lat (-90..90) and lon (-180..180)`);
    out.regions[name] = { lat, lon };
  }
  return out;
}

function readLatencyTable(path: string | undefined): DnsLatencyTable | undefined {
  const p = path?.trim() ?? '';
  if (p === '') return undefined;
  let text: string;
  try { text = readFileSync(p, 'utf8'); } catch (err) { throw new DnsOptionError(`--dns-latency-table ${q(p)}: ${(err as Error).message}`); }
  return parseLatencyTable(text, p);
}

export function parseDnsAnswerOptions(f: DnsOptionFlags): DnsAnswerOptions {
  const unlocated = f.dnsUnlocatedClients?.trim() || DEFAULT_DNS_UNLOCATED_CLIENTS;
  if (unlocated !== 'default' && unlocated !== 'all') throw new DnsOptionError(`--dns-unlocated-clients ${q(f.dnsUnlocatedClients)}: expected default or all`);
  const idle = f.dnsTcpIdleTimeout?.trim() || DEFAULT_DNS_TCP_IDLE_TIMEOUT;
  const idleMs = parseDuration(idle);
  if (idleMs === undefined || idleMs < 100) throw new DnsOptionError(`--dns-tcp-idle-timeout ${q(idle)}: expected a duration of at least 100ms (e.g. 10s)`);
  const service = f.dnsService?.trim() ?? '';
  if (service !== '' && !/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(service)) throw new DnsOptionError(`--dns-service ${q(service)}: not a Service name (DNS-1035 label)`);
  return {
    nameServerAddresses: parseAddresses(f.dnsNameServerAddresses),
    nameServerService: service === '' ? undefined : service,
    latencyTable: readLatencyTable(f.dnsLatencyTable),
    defaultLocation: parseDefaultLocation(f.dnsDefaultLocation),
    unlocatedClients: unlocated,
    rateLimit: parseRateLimit(f.dnsRateLimit),
    maxUdpPayload: f.dnsMaxUdpPayload === undefined || f.dnsMaxUdpPayload === '' ? DEFAULT_MAX_UDP_PAYLOAD : int('--dns-max-udp-payload', f.dnsMaxUdpPayload, 512, 4096),
    tcpIdleTimeoutMs: idleMs,
    maxTcpConnections: f.dnsMaxTcpConnections === undefined || f.dnsMaxTcpConnections === '' ? DEFAULT_DNS_MAX_TCP_CONNECTIONS : int('--dns-max-tcp-connections', f.dnsMaxTcpConnections, 1, 100_000),
    udpThreads: f.dnsUdpThreads === undefined || f.dnsUdpThreads === '' ? DEFAULT_DNS_UDP_THREADS : int('--dns-udp-threads', f.dnsUdpThreads, 1, 16),
  };
}
