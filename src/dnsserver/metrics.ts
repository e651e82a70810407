// Server metrics. The serving path only bumps numbers in typed arrays; they are moved
// into prom-client at scrape time (collect), so a query never hashes label sets.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RCODE } from './answer.js';
import { TYPE } from './records.js';

export type Transport = 'udp' | 'tcp';
export type RateLimitAction = 'drop' | 'slip';

const QTYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'NS', 'SOA', 'MX', 'SRV', 'PTR', 'CAA', 'ANY', 'other', 'none'] as const;
const QTYPE_INDEX = new Map<number, number>([
  [TYPE.A, 0], [TYPE.AAAA, 1], [TYPE.CNAME, 2], [TYPE.TXT, 3], [TYPE.NS, 4], [TYPE.SOA, 5], [TYPE.MX, 6],
  [TYPE.SRV, 7], [TYPE.PTR, 8], [TYPE.CAA, 9], [TYPE.ANY, 10],
]);
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'BADVERS', 'other'] as const;
const RCODE_INDEX = new Map<number, number>([
  [RCODE.NOERROR, 0], [RCODE.FORMERR, 1], [RCODE.SERVFAIL, 2], [RCODE.NXDOMAIN, 3], [RCODE.NOTIMP, 4], [RCODE.REFUSED, 5], [RCODE.BADVERS, 6],
]);
// Dense lookup tables: a query indexes an array instead of hashing into a Map.
const QTYPE_SLOT = new Uint8Array(65536).fill(QTYPES.length - 2);
for (const [t, i] of QTYPE_INDEX) QTYPE_SLOT[t] = i;
const RCODE_SLOT = new Uint8Array(4096).fill(RCODES.length - 1);
for (const [r, i] of RCODE_INDEX) RCODE_SLOT[r] = i;
const TRANSPORTS: readonly Transport[] = ['udp', 'tcp'];
const NQ = QTYPES.length;
const NR = RCODES.length;

export class DnsMetrics {
  readonly registry: Registry;
  private readonly counts = new Float64Array(2 * NQ * NR);
  private readonly flushed = new Float64Array(2 * NQ * NR);
  private readonly limited = new Float64Array(2);
  private readonly limitedFlushed = new Float64Array(2);
  /** [answers replayed from the answer cache, of them already flushed]. */
  private readonly cached = new Float64Array(2);
  private readonly latency: Histogram;
  private readonly generation: Gauge;
  private readonly serial: Gauge;
  private readonly records: Gauge;
  private readonly dropped: Counter;
  private readonly tcpRejected: Counter;
  private readonly internalErrors: Counter;

  constructor(registry?: Registry) {
    const reg = registry ?? new Registry();
    this.registry = reg;
    const counts = this.counts;
    const flushed = this.flushed;
    const limited = this.limited;
    const limitedFlushed = this.limitedFlushed;
    new Counter({
      name: 'kfed_dns_queries_total', help: 'DNS queries answered, by transport, query type and response code.',
      labelNames: ['transport', 'qtype', 'rcode'], registers: [reg],
      collect() {
        for (let i = 0; i < counts.length; i++) {
          const d = (counts[i] ?? 0) - (flushed[i] ?? 0);
          if (d <= 0) continue;
          flushed[i] = counts[i] ?? 0;
          const t = Math.floor(i / (NQ * NR));
          const r = i % NR;
          const q = Math.floor(i / NR) % NQ;
          this.inc({ transport: TRANSPORTS[t] ?? 'udp', qtype: QTYPES[q] ?? 'other', rcode: RCODES[r] ?? 'other' }, d);
        }
      },
    });
    new Counter({
      name: 'kfed_dns_rate_limited_total', help: 'UDP responses withheld (drop) or truncated (slip) by response-rate limiting.',
      labelNames: ['action'], registers: [reg],
      collect() {
        (['drop', 'slip'] as const).forEach((a, i) => {
          const d = (limited[i] ?? 0) - (limitedFlushed[i] ?? 0);
          if (d > 0) { limitedFlushed[i] = limited[i] ?? 0; this.inc({ action: a }, d); }
        });
      },
    });
    const cached = this.cached;
    new Counter({
      name: 'kfed_dns_answer_cache_hits_total', help: 'UDP answers replayed from the answer cache instead of being built.',
      registers: [reg],
      collect() {
        const d = (cached[0] ?? 0) - (cached[1] ?? 0);
        if (d > 0) { cached[1] = cached[0] ?? 0; this.inc(d); }
      },
    });
    this.latency = new Histogram({
      name: 'kfed_dns_answer_duration_seconds', help: 'Time to build and send one answer.',
      buckets: [5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 1e-3, 1e-2], registers: [reg],
    });
    // Across DNS worker processes these are not sums: the minimum is what every worker has reached.
    this.generation = new Gauge({ name: 'kfed_dns_snapshot_generation', help: 'Number of zone snapshots installed since start.', registers: [reg], aggregator: 'min' });
    this.serial = new Gauge({ name: 'kfed_dns_snapshot_serial', help: 'SOA serial of the snapshot being served.', registers: [reg], aggregator: 'min' });
    this.records = new Gauge({ name: 'kfed_dns_snapshot_records', help: 'Resource records in the snapshot being served.', registers: [reg], aggregator: 'min' });
    this.dropped = new Counter({ name: 'kfed_dns_dropped_total', help: 'Packets dropped without a reply (not a query, or shorter than a header).', registers: [reg] });
    this.tcpRejected = new Counter({ name: 'kfed_dns_tcp_rejected_total', help: 'TCP connections refused at the connection cap.', registers: [reg] });
    this.internalErrors = new Counter({ name: 'kfed_dns_internal_errors_total', help: 'Queries that hit an unexpected error (answered SERVFAIL or dropped).', registers: [reg] });
  }

  query(transport: Transport, qtype: number, rcode: number, seconds: number): void {
    if (rcode < 0) { this.dropped.inc(); return; }
    const q = qtype < 0 ? NQ - 1 : QTYPE_SLOT[qtype & 0xffff] ?? NQ - 2;
    const r = RCODE_SLOT[rcode & 0xfff] ?? NR - 1;
    const i = (transport === 'udp' ? 0 : NQ * NR) + q * NR + r;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.latency.observe(seconds);
  }

  /** Counts UDP replies the kernel refused, read from `source` at scrape time. */
  udpRepliesDropped(source: () => number): void {
    if (this.registry.getSingleMetric('kfed_dns_udp_replies_dropped_total')) return;
    let seen = 0;
    new Counter({
      name: 'kfed_dns_udp_replies_dropped_total', help: 'UDP replies the kernel did not take (full socket buffer, or an error queued for the destination).',
      registers: [this.registry],
      collect() {
        const now = source();
        if (now > seen) { this.inc(now - seen); seen = now; }
      },
    });
  }

  cacheHit(): void {
    this.cached[0] = (this.cached[0] ?? 0) + 1;
  }

  rateLimited(action: RateLimitAction): void {
    const i = action === 'drop' ? 0 : 1;
    this.limited[i] = (this.limited[i] ?? 0) + 1;
  }

  snapshot(serial: number, records: number): void {
    this.generation.inc();
    this.serial.set(serial);
    this.records.set(records);
  }

  tcpConnectionRejected(): void {
    this.tcpRejected.inc();
  }

  internalError(): void {
    this.internalErrors.inc();
  }
}
