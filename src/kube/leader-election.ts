// Leader election on a coordination.k8s.io/v1 Lease, following client-go's algorithm:
// a candidate takes the lease when it is free or when its holder has not renewed it
// within leaseDurationSeconds *as observed locally* (no clock comparison across
// machines); writes use resourceVersion for optimistic concurrency; the leader renews
// every retryPeriod and steps down when it cannot renew within renewDeadline; a
// graceful stop releases the lease (empty holder, duration 1 s) so a standby takes
// over at once.
import { LEASES } from '../api/kubernetes.js';
import type { KubeObject } from '../api/meta.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { Gauge, registerOnce, type Registry } from '../observability/metrics.js';
import type { DynamicClient } from './dynamic-client.js';
import { isAlreadyExists, isConflict, isNotFound } from './errors.js';


export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export interface LeaderElectorOptions {
  client: DynamicClient;
  namespace: string;
  name: string;
  /** Unique per replica, e.g. the pod name plus a random suffix. */
  identity: string;
  /** Default 15 s. */
  leaseDurationMs?: number;
  /** Default 10 s. */
  renewDeadlineMs?: number;
  /** Default 2 s. */
  retryPeriodMs?: number;
  /** Release the lease when run() is cancelled. Default true (false emulates a crash in tests). */
  releaseOnCancel?: boolean;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
  /** Called whenever the observed holder changes (including to this replica). */
  onNewLeader?: (identity: string) => void;
}

export interface LeaderCallbacks {
  /** `leading` aborts when this term ends. */
  onStartedLeading(leading: AbortSignal): void;
  onStoppedLeading(): void;
}

/** Go's metav1.MicroTime format: RFC 3339 with exactly six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export class LeaderElector {
  private readonly o: Required<Omit<LeaderElectorOptions, 'logger' | 'registry' | 'onNewLeader'>> & { onNewLeader: ((identity: string) => void) | undefined };
  private readonly log: Logger;
  private readonly status: Gauge<'name'> | undefined;
  private observed: { holder: string; renewTime: string; transitions: number; durationS: number } | undefined;
  private observedAt = 0;
  private leading = false;
  private leader = '';

  constructor(options: LeaderElectorOptions) {
    this.o = {
      client: options.client,
      namespace: options.namespace,
      name: options.name,
      identity: options.identity,
      leaseDurationMs: options.leaseDurationMs ?? 15_000,
      renewDeadlineMs: options.renewDeadlineMs ?? 10_000,
      retryPeriodMs: options.retryPeriodMs ?? 2_000,
      releaseOnCancel: options.releaseOnCancel ?? true,
      onNewLeader: options.onNewLeader,
    };
    if (!this.o.identity) throw new Error('leader election: identity is required');
    if (this.o.leaseDurationMs <= this.o.renewDeadlineMs) throw new Error('leader election: leaseDuration must be greater than renewDeadline');
    if (this.o.renewDeadlineMs <= this.o.retryPeriodMs * 1.2) throw new Error('leader election: renewDeadline must be greater than 1.2 x retryPeriod');
    this.log = (options.logger ?? silentLogger()).child({ component: 'leader-election', lease: `${options.namespace}/${options.name}`, identity: options.identity });
    this.status = options.registry
      ? registerOnce(options.registry, 'kube/leader-election', (r) =>
          new Gauge({ name: 'leader_election_master_status', help: '1 while this replica holds the lease.', labelNames: ['name'], registers: [r] }),
        )
      : undefined;
    this.status?.labels(options.name).set(0);
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Last observed holder ('' when none). */
  getLeader(): string {
    return this.leader;
  }

  /** Campaigns and leads, term after term, until `signal` aborts; then releases the lease. */
  async run(signal: AbortSignal, callbacks: LeaderCallbacks): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.acquire(signal))) break;
      const term = new AbortController();
      this.setLeading(true);
      this.log.info('acquired lease; leading');
      try {
        callbacks.onStartedLeading(term.signal);
      } catch (err) {
        this.log.error({ err: String(err) }, 'onStartedLeading threw');
      }
      await this.renewUntilLost(signal);
      term.abort();
      this.setLeading(false);
      try {
        callbacks.onStoppedLeading();
      } catch (err) {
        this.log.error({ err: String(err) }, 'onStoppedLeading threw');
      }
      if (signal.aborted) {
        if (this.o.releaseOnCancel) await this.release();
        break;
      }
      this.log.warn('lost lease; campaigning again');
    }
  }

  private setLeading(v: boolean): void {
    this.leading = v;
    this.status?.labels(this.o.name).set(v ? 1 : 0);
  }

  /** Retries until this replica holds the lease (true) or `signal` aborts (false). */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew(signal)) return true;
      await sleep(this.o.retryPeriodMs * (1 + Math.random() * 0.2), signal);
    }
    return false;
  }

  private async renewUntilLost(signal: AbortSignal): Promise<void> {
    let lastRenew = Date.now();
    while (!signal.aborted) {
      await sleep(this.o.retryPeriodMs, signal);
      if (signal.aborted) return;
      while (!signal.aborted) {
        if (await this.tryAcquireOrRenew(signal)) {
          lastRenew = Date.now();
          break;
        }
        if (Date.now() - lastRenew >= this.o.renewDeadlineMs) {
          this.log.warn({ renewDeadlineMs: this.o.renewDeadlineMs }, 'failed to renew lease within the deadline');
          return;
        }
        await sleep(Math.min(this.o.retryPeriodMs / 2, this.o.renewDeadlineMs - (Date.now() - lastRenew)), signal);
      }
    }
  }

  private leaseBody(prev: LeaseSpec | undefined, now: number, resourceVersion?: string): Lease {
    const sameHolder = prev?.holderIdentity === this.o.identity;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.o.name, namespace: this.o.namespace, ...(resourceVersion ? { resourceVersion } : {}) },
      spec: {
        holderIdentity: this.o.identity,
        leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000),
        acquireTime: sameHolder && prev?.acquireTime ? prev.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: (prev?.leaseTransitions ?? 0) + (prev && !sameHolder ? 1 : 0),
      },
    };
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const client = this.o.client;
    const reqOpts = { signal, timeoutMs: Math.max(1000, this.o.retryPeriodMs) };
    const now = Date.now();
    try {
      const lease = await client.getIfExists<Lease>(LEASES, this.o.name, { namespace: this.o.namespace, ...reqOpts });
      if (!lease) {
        await client.create<Lease>(LEASES, this.leaseBody(undefined, now), reqOpts);
        this.observe({ holderIdentity: this.o.identity, renewTime: microTime(now), leaseTransitions: 0, leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000) }, now);
        return true;
      }
      const spec = lease.spec ?? {};
      this.observe(spec, now);
      const holder = spec.holderIdentity ?? '';
      if (holder && holder !== this.o.identity) {
        const durationMs = (spec.leaseDurationSeconds ?? Math.ceil(this.o.leaseDurationMs / 1000)) * 1000;
        if (this.observedAt + durationMs > now) return false;
        this.log.info({ holder }, 'lease expired; taking over');
      }
      const updated = await client.update<Lease>(LEASES, this.leaseBody(spec, now, lease.metadata.resourceVersion), reqOpts);
      this.observe(updated.spec ?? {}, now);
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      if (isConflict(err) || isAlreadyExists(err)) return false;
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'lease request failed');
      return false;
    }
  }

  private observe(spec: LeaseSpec, now: number): void {
    const rec = {
      holder: spec.holderIdentity ?? '',
      renewTime: spec.renewTime ?? '',
      transitions: spec.leaseTransitions ?? 0,
      durationS: spec.leaseDurationSeconds ?? 0,
    };
    const o = this.observed;
    if (!o || o.holder !== rec.holder || o.renewTime !== rec.renewTime || o.transitions !== rec.transitions || o.durationS !== rec.durationS) {
      this.observed = rec;
      this.observedAt = now;
    }
    if (rec.holder !== this.leader) {
      this.leader = rec.holder;
      if (rec.holder) this.log.info({ leader: rec.holder }, 'new leader observed');
      this.o.onNewLeader?.(rec.holder);
    }
  }

  /** Gives the lease up if we hold it, so a standby does not wait for it to expire. */
  private async release(): Promise<void> {
    const client = this.o.client;
    try {
      const lease = await client.get<Lease>(LEASES, this.o.name, { namespace: this.o.namespace, timeoutMs: 5000 });
      if (lease.spec?.holderIdentity !== this.o.identity) return;
      const now = Date.now();
      await client.update<Lease>(
        LEASES,
        {
          ...lease,
          spec: {
            holderIdentity: '',
            leaseDurationSeconds: 1,
            acquireTime: microTime(now),
            renewTime: microTime(now),
            leaseTransitions: lease.spec?.leaseTransitions ?? 0,
          },
        },
        { timeoutMs: 5000 },
      );
      this.log.info('released lease');
    } catch (err) {
      if (isNotFound(err)) return;
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'failed to release lease; it will expire');
    }
  }
}
