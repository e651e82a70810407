// The geo benchmark's result and its table.
export type TargetId = 'kfed-geo' | 'kfed-latency' | 'kfed-geo-procs' | 'gdnsd-geo' | 'pdns-geo' | 'knot-plain' | 'bind9-plain';

export interface GeoRow {
  id: TargetId;
  qps: number;
  p50Ms: number;
  p99Ms: number;
  lostPct: number;
  /** NOERROR share of answers. */
  okPct: number;
  /** Share of answers naming each cluster's address (the geo policy at work). */
  eu: number;
  us: number;
  ap: number;
  /** Server CPU (all its processes and threads) per answered query, microseconds. */
  serverCpuUs: number;
  /** Load generator CPU per answered query, microseconds. */
  clientCpuUs: number;
}

export interface GeoBenchResult {
  rows: GeoRow[];
  ratios: { name: string; value: number; goal: string; met: boolean }[];
  /** Per round, against BIND9: the load generator and dnsperf -B over the same queries. */
  dnsperfCheck: { loadgenQps: number; dnsperfQps: number; loadgenCpuUs: number; dnsperfCpuUs: number }[];
  skipped?: string;
  settings: { names: number; seconds: number; rounds: number; warmup: number; threads: number; clients: number; outstanding: number; subnets: number };
}

export function median(xs: number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function formatGeoBench(r: GeoBenchResult): string {
  if (r.skipped) return `dns-geo bench skipped: ${r.skipped}`;
  const s = r.settings;
  const f = (x: number, d = 2): string => x.toFixed(d);
  const check = r.dnsperfCheck;
  return [
    `dns-geo: ${s.names} names, ${s.subnets} client /24s (ECS, random per query), ${s.seconds}s (after ${s.warmup}s unmeasured) x ${s.rounds} interleaved rounds (median); loadgen ${s.clients} sockets, ${s.outstanding} outstanding; every server ${s.threads} worker(s)/thread(s)`,
    'server        qps      p50 ms  p99 ms  lost%  NOERROR%  answers eu/us/ap %   server us/q  loadgen us/q',
    ...r.rows.map((x) => `${x.id.padEnd(12)} ${f(x.qps, 0).padStart(7)}  ${f(x.p50Ms).padStart(6)}  ${f(x.p99Ms).padStart(6)}  ${f(x.lostPct).padStart(5)}  ${f(x.okPct, 1).padStart(8)}  ${`${f(x.eu, 1)}/${f(x.us, 1)}/${f(x.ap, 1)}`.padEnd(19)}  ${f(x.serverCpuUs, 1).padStart(11)}  ${f(x.clientCpuUs, 1).padStart(12)}`),
    ...r.ratios.filter((x) => !Number.isNaN(x.value)).map((x) => `${x.name.padEnd(36)} ${f(x.value).padStart(5)}  goal ${x.goal}  ${x.goal === '(info)' ? '' : x.met ? 'met' : 'MISSED'}`),
    `load generator vs dnsperf on BIND9 (same queries): ${f(median(check.map((c) => c.loadgenQps)), 0)} vs ${f(median(check.map((c) => c.dnsperfQps)), 0)} qps; client CPU ${f(median(check.map((c) => c.loadgenCpuUs)), 1)} vs ${f(median(check.map((c) => c.dnsperfCpuUs)), 1)} us/query`,
  ].join('\n');
}
