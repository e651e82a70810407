// Server metrics. The serving path only bumps numbers in typed arrays; they are moved
// into prom-client at scrape time (collect), so a query never hashes label sets.
import { Counter, Gauge, Registry } from 'prom-client';
import { RCODE } from './answer.js';
import { DURATION_BUCKETS, DurationHistogram } from './duration-histogram.js';
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
/** Metrics slots (transport x qtype x rcode) of the queries counter. */
export const METRIC_SLOTS = 2 * NQ * NR;
/** The native serving threads' statistics: HITS, SUM, rate-limit DROPS, then the duration buckets (answer_cache.h). */
const NATIVE_HITS = METRIC_SLOTS;
const NATIVE_SUM = METRIC_SLOTS + 1;
const NATIVE_DROPS = METRIC_SLOTS + 2;
const NATIVE_BUCKETS = METRIC_SLOTS + 3;

export class DnsMetrics {
  readonly registry: Registry;
  private readonly counts = new Float64Array(2 * NQ * NR);
  private readonly flushed = new Float64Array(2 * NQ * NR);
  private readonly limited = new Float64Array(2);
  private readonly limitedFlushed = new Float64Array(2);
  /** [answers replayed from the answer cache, of them already flushed]. */
  private readonly cached = new Float64Array(2);
  private readonly latency: DurationHistogram;
  /** The native answer cache's statistics (counts by slot, hits, seconds, buckets), one per serving thread. */
  private readonly native: Float64Array[] = [];
  /** Native values already flushed: the query slots, then hits, then rate-limit drops. */
  private readonly nativeFlushed = new Float64Array(METRIC_SLOTS + 2);
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
    const nativeFlushed = this.nativeFlushed;
    const native = this.native;
    /** Value `i` summed over the native serving threads. */
    const nat = (i: number): number => { let v = 0; for (const a of native) v += a[i] ?? 0; return v; };
    const limited = this.limited;
    const limitedFlushed = this.limitedFlushed;
    new Counter({
      name: 'kfed_dns_queries_total', help: 'DNS queries answered, by transport, query type and response code.',
      labelNames: ['transport', 'qtype', 'rcode'], registers: [reg],
      collect() {
        for (let i = 0; i < counts.length; i++) {
          let d = (counts[i] ?? 0) - (flushed[i] ?? 0);
          flushed[i] = counts[i] ?? 0;
          if (native.length > 0) { const v = nat(i); d += v - (nativeFlushed[i] ?? 0); nativeFlushed[i] = v; }
          if (d <= 0) continue;
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
          let d = (limited[i] ?? 0) - (limitedFlushed[i] ?? 0);
          limitedFlushed[i] = limited[i] ?? 0;
          if (a === 'drop' && native.length > 0) { const v = nat(NATIVE_DROPS); d += v - (nativeFlushed[METRIC_SLOTS + 1] ?? 0); nativeFlushed[METRIC_SLOTS + 1] = v; }
          if (d > 0) this.inc({ action: a }, d);
        });
      },
    });
    const cached = this.cached;
    new Counter({
      name: 'kfed_dns_answer_cache_hits_total', help: 'UDP answers replayed from the answer cache instead of being built.',
      registers: [reg],
      collect() {
        let d = (cached[0] ?? 0) - (cached[1] ?? 0);
        cached[1] = cached[0] ?? 0;
        if (native.length > 0) { const v = nat(NATIVE_HITS); d += v - (nativeFlushed[METRIC_SLOTS] ?? 0); nativeFlushed[METRIC_SLOTS] = v; }
        if (d > 0) this.inc(d);
      },
    });
    this.latency = new DurationHistogram(reg);
    // Across DNS worker processes these are not sums: the minimum is what every worker has reached.
    this.generation = new Gauge({ name: 'kfed_dns_snapshot_generation', help: 'Number of zone snapshots installed since start.', registers: [reg], aggregator: 'min' });
    this.serial = new Gauge({ name: 'kfed_dns_snapshot_serial', help: 'SOA serial of the snapshot being served.', registers: [reg], aggregator: 'min' });
    this.records = new Gauge({ name: 'kfed_dns_snapshot_records', help: 'Resource records in the snapshot being served.', registers: [reg], aggregator: 'min' });
    this.dropped = new Counter({ name: 'kfed_dns_dropped_total', help: 'Packets dropped without a reply (not a query, or shorter than a header).', registers: [reg] });
    this.tcpRejected = new Counter({ name: 'kfed_dns_tcp_rejected_total', help: 'TCP connections refused at the connection cap.', registers: [reg] });
    this.internalErrors = new Counter({ name: 'kfed_dns_internal_errors_total', help: 'Queries that hit an unexpected error (answered SERVFAIL or dropped).', registers: [reg] });
  }

  query(transport: Transport, qtype: number, rcode: number, seconds: number): void {
    if (this.count(transport, qtype, rcode)) this.latency.observe(seconds);
  }

  /** Counts one query without timing it (see `answered`); false for a dropped packet. */
  count(transport: Transport, qtype: number, rcode: number): boolean {
    if (rcode < 0) { this.dropped.inc(); return false; }
    const i = DnsMetrics.slot(transport, qtype, rcode);
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    return true;
  }

  /** Records the time of `n` answers built together (`seconds` in all). */
  answered(n: number, seconds: number): void {
    this.latency.observeMany(n, seconds);
  }

  /** The queries counter's slot for a transport, query type and response code. */
  static slot(transport: Transport, qtype: number, rcode: number): number {
    const q = qtype < 0 ? NQ - 1 : QTYPE_SLOT[qtype & 0xffff] ?? NQ - 2;
    const r = RCODE_SLOT[rcode & 0xfff] ?? NR - 1;
    return (transport === 'udp' ? 0 : NQ * NR) + q * NR + r;
  }

  /**
   * Adds a native serving thread's statistics (native/udp-batch/answer_cache.h: answers
   * by slot, hits, seconds, duration buckets for DURATION_BUCKETS) at every scrape.
   */
  addNativeCache(stats: Float64Array): void {
    if (stats.length !== NATIVE_BUCKETS + DURATION_BUCKETS.length + 1) throw new Error(`native answer cache statistics: ${stats.length} values, expected ${NATIVE_BUCKETS + DURATION_BUCKETS.length + 1}`);
    this.native.push(stats);
    this.latency.addSource({ buckets: (i) => stats[NATIVE_BUCKETS + i] ?? 0, sum: () => stats[NATIVE_SUM] ?? 0 });
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
