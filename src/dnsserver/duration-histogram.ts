// kfed_dns_answer_duration_seconds: a Prometheus histogram that takes many observations
// at once. prom-client's Histogram observes one value per call; the UDP path times a
// whole batch of answers and records each answer at the batch's mean time per answer,
// and the native answer cache (native/udp-batch) keeps its own bucket counts, added in
// at scrape time. _count and _sum are exact; a bucket holds the answers whose batch mean
// fell in it.
import type { Registry } from 'prom-client';

const NAME = 'kfed_dns_answer_duration_seconds';
export const DURATION_BUCKETS = [5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 1e-3, 1e-2];

interface Value {
  value: number;
  labels: Record<string, string | number>;
  metricName: string;
}

/** Counts by bucket (the last is +Inf, none cumulative) and the sum of seconds. */
export interface DurationSource {
  buckets(i: number): number;
  sum(): number;
}

export class DurationHistogram {
  readonly name = NAME;
  readonly help = 'Time to build one answer (UDP: each answer of a batch at the batch mean).';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly counts = new Float64Array(DURATION_BUCKETS.length + 1);
  private total = 0;
  private readonly sources: DurationSource[] = [];

  constructor(registry: Registry) {
    registry.registerMetric(this as never);
  }

  /** Records `n` answers that took `seconds` in all. */
  observeMany(n: number, seconds: number): void {
    if (n <= 0) return;
    const each = seconds / n;
    let b = 0;
    while (b < DURATION_BUCKETS.length && each > (DURATION_BUCKETS[b] as number)) b++;
    this.counts[b] = (this.counts[b] ?? 0) + n;
    this.total += seconds;
  }

  observe(seconds: number): void {
    this.observeMany(1, seconds);
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }

  /** Adds another set of counts (the native answer cache's) at every scrape. */
  addSource(s: DurationSource): void {
    this.sources.push(s);
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: Value[] } {
    const values: Value[] = [];
    let acc = 0;
    for (let i = 0; i <= DURATION_BUCKETS.length; i++) {
      acc += this.counts[i] ?? 0;
      for (const s of this.sources) acc += s.buckets(i);
      values.push({ value: acc, labels: { le: i < DURATION_BUCKETS.length ? (DURATION_BUCKETS[i] as number) : '+Inf' }, metricName: `${NAME}_bucket` });
    }
    let sum = this.total;
    for (const s of this.sources) sum += s.sum();
    values.push({ value: sum, labels: {}, metricName: `${NAME}_sum` }, { value: acc, labels: {}, metricName: `${NAME}_count` });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
