// The soak's seeded fault schedule. Lanes inject faults side by side until a deadline; each
// fault heals itself before its lane takes the next. The first faults are every kind once
// (in a seeded order; the phase lasts until each ran), so even a short run sees each;
// later ones are drawn by weight. Kinds overlap freely (a controller may restart while the
// host is down: it retries until it starts), but one kind runs in one lane at a time.
import { CLUSTERS, HOST, LEASE_DURATION_MS, PARTITIONED, type SoakRig } from './rig.js';
import type { Rng } from './rng.js';

export const FAULT_KINDS = [
  'member-stop', 'partition', 'host-outage', 'error-rate', 'drop-watches', 'compaction', 'controller-kill', 'provider-throttle', 'provider-reject',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const WEIGHTS: Record<FaultKind, number> = {
  'member-stop': 3, partition: 3, 'host-outage': 1, 'error-rate': 3, 'drop-watches': 2, compaction: 2, 'controller-kill': 1, 'provider-throttle': 2, 'provider-reject': 2,
};
/** Longest a throttling fault lasts (the publisher resyncs every 10 s, so most bursts are used up). */
const THROTTLE_MAX_MS = 30_000;
/** The address pool of each sandbox cluster's load balancers (src/sandbox: the documentation ranges). */
const POOLS: Record<string, string> = { 'cluster-1': '192.0.2.', 'cluster-2': '198.51.100.', 'cluster-3': '203.0.113.' };

export interface FaultOptions {
  lanes: number;
  /** longest hold of a lasting fault (stop, partition, error rate, rejection), ms */
  maxHoldMs: number;
  /** pause between two faults of one lane, ms */
  gapMs: [number, number];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class FaultInjector {
  readonly counts = new Map<FaultKind, number>();
  /** faults whose injection or healing itself failed (reported, and the run fails) */
  readonly errors: string[] = [];
  private readonly queue: FaultKind[];
  private readonly busy = new Set<string>();
  private readonly stopped = new Set<string>();

  constructor(private readonly rig: SoakRig, private readonly rng: Rng, private readonly o: FaultOptions) {
    this.queue = [...FAULT_KINDS];
    for (let i = this.queue.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [this.queue[i], this.queue[j]] = [this.queue[j]!, this.queue[i]!];
    }
  }

  /**
   * Injects faults until `deadline` (epoch ms) and at least until every kind ran once;
   * resolves once every lane healed its last fault.
   */
  async run(deadline: number, log: (line: string) => void): Promise<void> {
    await Promise.all(Array.from({ length: this.o.lanes }, (_, lane) => this.lane(lane, deadline, log)));
  }

  /** Undo anything a failed heal may have left: every cluster started, no error rates, proxy passing, provider accepting, a controller running. */
  async healAll(): Promise<void> {
    for (const c of this.stopped) await this.rig.sb.cluster(c).start();
    this.stopped.clear();
    for (const c of CLUSTERS) this.rig.sb.cluster(c).faults.clear();
    this.rig.proxy.heal();
    this.rig.fake.rejectIf = undefined;
    this.rig.fake.clearThrottles();
    if (!this.rig.controller()) await this.rig.startController();
  }

  private next(): FaultKind | undefined {
    const i = this.queue.findIndex((k) => !this.busy.has(k));
    if (i >= 0) return this.queue.splice(i, 1)[0];
    if (this.queue.length > 0) return undefined;
    const free = Object.fromEntries(FAULT_KINDS.map((k) => [k, this.busy.has(k) ? 0 : WEIGHTS[k]])) as Record<FaultKind, number>;
    return Object.values(free).some((w) => w > 0) ? this.rng.weighted(free) : undefined;
  }

  private async lane(lane: number, deadline: number, log: (line: string) => void): Promise<void> {
    while (Date.now() < deadline || this.queue.length > 0) {
      const kind = this.next();
      if (kind === undefined) {
        await sleep(200);
        continue;
      }
      this.busy.add(kind);
      this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
      const started = Date.now();
      try {
        const what = await this.inject(kind);
        log(`fault lane ${lane}: ${kind} ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (err) {
        this.errors.push(`${kind}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        this.busy.delete(kind);
      }
      await sleep(this.rng.int(...this.o.gapMs));
    }
  }

  private hold(min = 1500): number {
    return this.rng.int(min, Math.max(min, this.o.maxHoldMs));
  }

  private async inject(kind: FaultKind): Promise<string> {
    const { sb, proxy, fake } = this.rig;
    switch (kind) {
      case 'member-stop': {
        const c = this.rng.pick(CLUSTERS.filter((n) => n !== HOST));
        const ms = this.hold();
        await this.stopFor(c, ms);
        return `${c} for ${ms} ms`;
      }
      case 'host-outage': {
        // Longer than the lease: the leader loses it and must regain it in the same process.
        const ms = LEASE_DURATION_MS + this.rng.int(1500, 4000);
        await this.stopFor(HOST, ms);
        return `${HOST} for ${ms} ms`;
      }
      case 'partition': {
        const ms = this.hold(2500);
        proxy.blackhole();
        try {
          await sleep(ms);
        } finally {
          proxy.heal();
        }
        return `${PARTITIONED} blackholed for ${ms} ms`;
      }
      case 'error-rate': {
        const c = this.rng.pick(CLUSTERS);
        const errorRate = this.rng.pick([0.1, 0.25, 0.5]);
        const errorCode = this.rng.pick([500, 429] as const);
        const ms = this.hold();
        sb.cluster(c).faults.set({ errorRate, errorCode, retryAfterSeconds: 1 });
        try {
          await sleep(ms);
        } finally {
          sb.cluster(c).faults.set({ errorRate: 0 });
        }
        return `${c} ${errorRate * 100}% ${errorCode} for ${ms} ms`;
      }
      case 'drop-watches': {
        const c = this.rng.pick(CLUSTERS);
        sb.cluster(c).faults.dropWatches();
        return c;
      }
      case 'compaction': {
        // Compact, then end the watches: each informer re-watches from an old resourceVersion, gets 410 Gone and relists.
        const c = this.rng.pick(CLUSTERS);
        await sb.cluster(c).faults.compact();
        sb.cluster(c).faults.dropWatches();
        return c;
      }
      case 'controller-kill': {
        await this.rig.killController();
        const ms = this.rng.int(0, 2000);
        await sleep(ms);
        const p = await this.rig.startController();
        return `SIGKILL, ${p.name} started after ${ms} ms`;
      }
      case 'provider-throttle': {
        // The next `count` Route53 calls answer throttled; healed once they did, or after
        // THROTTLE_MAX_MS at most. Before, a rule's unused count outlived the fault and the
        // counts of bursts injected while the publisher backed off added up: hundreds of
        // calls still refused minutes after the faults had stopped.
        const count = this.rng.int(3, 12);
        const code = this.rng.pick(['Throttling', 'PriorRequestNotComplete'] as const);
        const refused = (): number => [...fake.throttled.values()].reduce((a, b) => a + b, 0);
        const before = refused();
        const started = Date.now();
        fake.throttle({ count, code, retryAfterSeconds: 1 });
        try {
          while (refused() - before < count && Date.now() - started < THROTTLE_MAX_MS) await sleep(200);
        } finally {
          fake.clearThrottles();
        }
        return `the next ${count} Route53 calls answer ${code} (${refused() - before} did within ${Date.now() - started} ms)`;
      }
      case 'provider-reject': {
        const c = this.rng.pick(CLUSTERS);
        const pool = POOLS[c]!;
        const ms = this.hold();
        fake.rejectIf = (set) => set.values.some((v) => v.startsWith(pool));
        try {
          await sleep(ms);
        } finally {
          fake.rejectIf = undefined;
        }
        return `records with ${c}'s addresses (${pool}x) rejected for ${ms} ms`;
      }
    }
  }

  private async stopFor(cluster: string, ms: number): Promise<void> {
    this.stopped.add(cluster);
    await this.rig.sb.cluster(cluster).stop();
    try {
      await sleep(ms);
    } finally {
      await this.rig.sb.cluster(cluster).start();
      this.stopped.delete(cluster);
    }
  }
}
