// DNS server benchmark: dnsperf against kfed, BIND9 and Knot serving the same 10,000-name
// zone on 127.0.0.1 in one run, with kfed's geo routing off (plain records) and on
// (every name a latency-routed set of three clusters, every query carrying an ECS
// option that kfed geolocates; BIND9 and Knot receive the same queries and ignore it).
// Rounds interleave the servers so background load hits all of them alike; the median
// round is reported. Run: npx tsx bench/dns-server/run.ts [--seconds N] [--rounds N]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { ClusteredDnsServer } from '../../src/dnsserver/cluster.js';
import { buildSnapshot } from '../../src/dnsserver/snapshot.js';
import { findTool } from '../../test/support/tools.js';
import { cpuSeconds, startBind, startKnot, type RunningServer } from './servers.js';
import { BENCH_ZONE, ecsOptionHex, plainEndpoints, queryFile, routedEndpoints, zoneFile } from './zone.js';

export interface DnsServerBenchOptions {
  names?: number;
  seconds?: number;
  rounds?: number;
  /** kfed worker processes (default: available parallelism). */
  workers?: number;
  /** Threads for named and knotd (default: available parallelism). */
  referenceThreads?: number;
  /** dnsperf clients, threads and outstanding queries. */
  clients?: number;
  dnsperfThreads?: number;
  outstanding?: number;
  /** Client subnet put in every query's ECS option in the geo-on runs (a public European /24). */
  ecsSubnet?: string;
  log?: (line: string) => void;
}

export type BenchServer = 'kfed' | 'bind9' | 'knot';

export interface DnsServerBenchRow {
  server: BenchServer;
  geo: boolean;
  qps: number;
  p50Ms: number;
  p99Ms: number;
  lostPct: number;
  /** Server CPU (user + system, all its processes) per answered query, in microseconds. */
  cpuUsPerQuery: number;
}

export interface DnsServerBenchResult {
  rows: DnsServerBenchRow[];
  /** kfed QPS / reference QPS and p99 ratios, per geo mode. */
  ratios: { geo: boolean; qpsVsBind: number; qpsVsKnot: number; p99VsBind: number; p99VsKnot: number }[];
  skipped?: string;
  settings: Required<Omit<DnsServerBenchOptions, 'log'>>;
}

interface PerfRun {
  qps: number;
  cpuUsPerQuery: number;
  p50Ms: number;
  p99Ms: number;
  lostPct: number;
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** One dnsperf run in verbose mode: QPS from its summary, percentiles from per-query lines. */
async function dnsperf(bin: string, port: number, queries: string, o: Required<Omit<DnsServerBenchOptions, 'log'>>, ecs: boolean): Promise<PerfRun> {
  const args = ['-s', '127.0.0.1', '-p', String(port), '-d', queries, '-l', String(o.seconds), '-c', String(o.clients), '-T', String(o.dnsperfThreads), '-q', String(o.outstanding), '-v'];
  if (ecs) args.push('-E', ecsOptionHex(o.ecsSubnet));
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let lat = new Float64Array(1 << 20);
  let n = 0;
  let qps = NaN;
  let lostPct = NaN;
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
  const rl = createInterface({ input: proc.stdout });
  for await (const line of rl) {
    if (line.startsWith('> ')) {
      // "> RCODE name type latency"; timed-out queries carry no latency and are counted as lost.
      const v = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (!Number.isFinite(v)) continue;
      if (n === lat.length) { const g = new Float64Array(lat.length * 2); g.set(lat); lat = g; }
      lat[n++] = v;
    } else if (line.includes('Queries per second:')) qps = Number(line.split(':')[1]);
    else if (line.includes('Queries lost:')) lostPct = Number(/\(([\d.]+)%\)/.exec(line)?.[1] ?? NaN);
  }
  const code = await new Promise<number | null>((r) => (proc.exitCode !== null ? r(proc.exitCode) : proc.once('exit', r)));
  if (code !== 0 || Number.isNaN(qps)) throw new Error(`dnsperf against port ${port} failed (${code}): ${stderr}`);
  const sorted = lat.subarray(0, n).sort();
  return { qps, cpuUsPerQuery: NaN, p50Ms: quantile(sorted, 0.5) * 1000, p99Ms: quantile(sorted, 0.99) * 1000, lostPct };
}

async function startKfed(geo: boolean, names: number, workers: number): Promise<RunningServer> {
  const server = new ClusteredDnsServer({ port: 0, workers, rateLimit: false, geo: geo ? {} : false });
  const { udpPort } = await server.start();
  const endpoints = geo ? routedEndpoints(names, 'latency') : plainEndpoints(names);
  await server.setSnapshot(buildSnapshot({ zones: [{ domain: BENCH_ZONE, nameServers: [`ns1.${BENCH_ZONE}`] }], endpoints }));
  return { name: 'kfed', port: udpPort, pids: () => server.pids, stop: () => server.close() };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

export async function runDnsServerBench(opts: DnsServerBenchOptions = {}): Promise<DnsServerBenchResult> {
  const cores = availableParallelism();
  const o = {
    names: opts.names ?? 10_000, seconds: opts.seconds ?? 5, rounds: opts.rounds ?? 3, workers: opts.workers ?? cores,
    referenceThreads: opts.referenceThreads ?? cores, clients: opts.clients ?? 8, dnsperfThreads: opts.dnsperfThreads ?? 2,
    outstanding: opts.outstanding ?? 500, ecsSubnet: opts.ecsSubnet ?? '81.2.69.0',
  };
  const log = opts.log ?? ((l: string) => console.log(l));
  const tools = { dnsperf: findTool('dnsperf'), named: findTool('named'), knotd: findTool('knotd'), dig: findTool('dig') };
  const missing = Object.entries(tools).filter(([, p]) => !p).map(([k]) => k);
  if (missing.length > 0) return { rows: [], ratios: [], skipped: `missing ${missing.join(', ')}`, settings: o };
  const { dnsperf: perf = '', named = '', knotd = '', dig = '' } = tools;

  const dir = mkdtempSync(join(tmpdir(), 'kfed-dns-bench-'));
  try {
    const zonePath = join(dir, `${BENCH_ZONE}.zone`);
    const queries = join(dir, 'queries.txt');
    writeFileSync(zonePath, zoneFile(o.names));
    writeFileSync(queries, queryFile(o.names));
    const rows: DnsServerBenchRow[] = [];
    for (const geo of [false, true]) {
      const samples: Record<BenchServer, PerfRun[]> = { kfed: [], bind9: [], knot: [] };
      for (let round = 0; round < o.rounds; round++) {
        for (const which of ['kfed', 'bind9', 'knot'] as const) {
          const srv = which === 'kfed' ? await startKfed(geo, o.names, o.workers)
            : which === 'bind9' ? await startBind(named, dig, dir, zonePath, 15353 + round, o.referenceThreads)
              : await startKnot(knotd, dig, dir, zonePath, 16353 + round, o.referenceThreads);
          try {
            const cpu = (): number => srv.pids().reduce((sum, pid) => sum + cpuSeconds(pid), 0);
            const cpu0 = cpu();
            const r = await dnsperf(perf, srv.port, queries, o, geo);
            r.cpuUsPerQuery = ((cpu() - cpu0) / (r.qps * o.seconds)) * 1e6;
            samples[which].push(r);
            log(`  round ${round + 1} geo=${geo ? 'on ' : 'off'} ${which.padEnd(5)} ${r.qps.toFixed(0).padStart(7)} qps  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  lost ${r.lostPct}%  cpu ${r.cpuUsPerQuery.toFixed(1)} us/query`);
          } finally {
            await srv.stop();
          }
        }
      }
      for (const s of ['kfed', 'bind9', 'knot'] as const) {
        const runs = samples[s];
        rows.push({ server: s, geo, qps: median(runs.map((r) => r.qps)), p50Ms: median(runs.map((r) => r.p50Ms)), p99Ms: median(runs.map((r) => r.p99Ms)), lostPct: median(runs.map((r) => r.lostPct)), cpuUsPerQuery: median(runs.map((r) => r.cpuUsPerQuery)) });
      }
    }
    const ratios = [false, true].map((geo) => {
      const get = (s: BenchServer): DnsServerBenchRow | undefined => rows.find((r) => r.server === s && r.geo === geo);
      const k = get('kfed');
      const b = get('bind9');
      const n = get('knot');
      return { geo, qpsVsBind: (k?.qps ?? NaN) / (b?.qps ?? NaN), qpsVsKnot: (k?.qps ?? NaN) / (n?.qps ?? NaN), p99VsBind: (k?.p99Ms ?? NaN) / (b?.p99Ms ?? NaN), p99VsKnot: (k?.p99Ms ?? NaN) / (n?.p99Ms ?? NaN) };
    });
    return { rows, ratios, settings: o };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatDnsServerBench(r: DnsServerBenchResult): string {
  if (r.skipped) return `dns-server bench skipped: ${r.skipped}`;
  const s = r.settings;
  const lines = [
    `dns-server: ${s.names} names, dnsperf ${s.seconds}s x ${s.rounds} rounds (median), -c ${s.clients} -T ${s.dnsperfThreads} -q ${s.outstanding}; kfed ${s.workers} worker(s), named/knotd ${s.referenceThreads} thread(s)`,
    'server  geo   qps       p50 ms  p99 ms  lost%  server CPU us/query',
    ...r.rows.map((x) => `${x.server.padEnd(7)} ${(x.geo ? 'on' : 'off').padEnd(5)} ${x.qps.toFixed(0).padStart(8)}  ${x.p50Ms.toFixed(2).padStart(6)}  ${x.p99Ms.toFixed(2).padStart(6)}  ${String(x.lostPct).padEnd(5)}  ${x.cpuUsPerQuery.toFixed(1)}`),
    ...r.ratios.map((x) => `kfed ratio geo ${x.geo ? 'on ' : 'off'}: QPS ${x.qpsVsBind.toFixed(2)}x BIND9, ${x.qpsVsKnot.toFixed(2)}x Knot; p99 ${x.p99VsBind.toFixed(2)}x BIND9, ${x.p99VsKnot.toFixed(2)}x Knot`),
  ];
  return lines.join('\n');
}

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const o: DnsServerBenchOptions = {};
  for (const k of ['names', 'seconds', 'rounds', 'workers', 'clients', 'outstanding', 'dnsperfThreads', 'referenceThreads'] as const) {
    const v = arg(k);
    if (v !== undefined) o[k] = v;
  }
  const result = await runDnsServerBench(o);
  console.log(formatDnsServerBench(result));
  process.exit(0);
}
