// Runs the load generator (loadgen/) and dnsperf against one server and parses their output.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LoadSettings {
  names: number;
  seconds: number;
  clients: number;
  outstanding: number;
  subnets: string;
}

export interface LoadResult {
  qps: number;
  p50Ms: number;
  p99Ms: number;
  lostPct: number;
  /** Share of NOERROR answers. */
  okPct: number;
  /** Share of answers pointing at each bench cluster (eu, us, ap). */
  clusters: Record<string, number>;
  /** CPU time of the load generator per answered query, microseconds. */
  clientCpuUs: number;
}

interface LoadgenReport {
  sent: number; answered: number; lost: number; qps: number; p50Us: number; p99Us: number;
  rcodes: Record<string, number>; clusters: Record<string, number>; cpuSeconds: number;
}

export async function loadgen(bin: string, port: number, s: LoadSettings, zone: string, seed: number): Promise<LoadResult> {
  const { stdout } = await run(bin, ['-server', `127.0.0.1:${port}`, '-zone', zone, '-names', String(s.names), '-subnets', s.subnets,
    '-clients', String(s.clients), '-outstanding', String(s.outstanding), '-seconds', String(s.seconds), '-seed', String(seed)], { maxBuffer: 1 << 20 });
  const r = JSON.parse(stdout) as LoadgenReport;
  const answers = Object.values(r.rcodes).reduce((a, b) => a + b, 0);
  const clusters: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.clusters)) clusters[k] = (100 * v) / Math.max(1, answers);
  return {
    qps: r.qps, p50Ms: r.p50Us / 1000, p99Ms: r.p99Us / 1000, lostPct: (100 * r.lost) / Math.max(1, r.sent),
    okPct: (100 * (r.rcodes.NOERROR ?? 0)) / Math.max(1, answers), clusters, clientCpuUs: (r.cpuSeconds / Math.max(1, r.answered)) * 1e6,
  };
}

/** Writes `count` of the load generator's queries (random name, random client subnet) for dnsperf -B. */
export async function emitQueries(bin: string, s: LoadSettings, zone: string, count: number, out: string): Promise<void> {
  await run(bin, ['-emit', String(count), '-out', out, '-zone', zone, '-names', String(s.names), '-subnets', s.subnets]);
}

export interface DnsperfResult {
  qps: number;
  lostPct: number;
  clientCpuUs: number;
}

/** dnsperf over the same binary queries, under /usr/bin/time for its CPU time. */
export async function dnsperf(bin: string, port: number, queries: string, s: LoadSettings, threads: number): Promise<DnsperfResult> {
  const args = ['-f', 'cpu %U %S', bin, '-s', '127.0.0.1', '-p', String(port), '-B', '-d', queries, '-l', String(s.seconds),
    '-c', String(s.clients), '-T', String(threads), '-q', String(s.outstanding)];
  const proc = spawn('/usr/bin/time', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-4000); });
  const code = await new Promise<number | null>((r) => proc.once('exit', r));
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const lostPct = Number(/Queries lost:.*\(([\d.]+)%\)/.exec(out)?.[1] ?? NaN);
  const completed = Number(/Queries completed:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(err);
  if (code !== 0 || Number.isNaN(qps) || !cpu) throw new Error(`dnsperf against port ${port} failed (${code}): ${err}`);
  return { qps, lostPct, clientCpuUs: ((Number(cpu[1]) + Number(cpu[2])) / completed) * 1e6 };
}
