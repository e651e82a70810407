// Cluster health controller (leader only). Every period it probes every member in
// parallel, each probe bounded by the timeout; results go through the consecutive
// threshold state machine (health-state.ts); a state change is written to the
// KubeFedCluster status (only then), recorded as an Event and counted in metrics.
//
// Fast path: when a controller reports a member's connections failing (or the member's
// Node watch here fails), the member is probed at once; while a Ready member refuses
// connections, confirmation probes follow `fastProbeIntervalMs` apart instead of a
// period apart. A slow or timed-out probe never takes the fast path, so one slow probe
// cannot flip a member when failureThreshold > 1.
//
// Region and zones come from a Node informer per member (labels, see cluster-status.ts).
//
// The controller builder (src/runtime/controller-builder.ts) owns start and stop: the
// status queue is its controller, the prober (registry subscription and the period tick)
// runs beside it once the registry has synced.
import type { KubeFedCluster } from '../api/core.js';
import type { KubeObject } from '../api/meta.js';
import type { HealthCheckConfig } from '../config/config.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import type { DynamicClient } from '../kube/dynamic-client.js';
import { isConflict, isNotFound, KubeApiError } from '../kube/errors.js';
import type { Informer } from '../kube/informer.js';
import { InformerFactory, type InformerScope } from '../kube/informer-factory.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import type { Registry } from '../observability/metrics.js';
import { pause } from '../runtime/clock.js';
import type { Controller } from '../runtime/controller.js';
import { ControllerBuilder, type ManagedController } from '../runtime/controller-builder.js';
import { Expectations } from '../runtime/expectations.js';
import type { Runnable } from '../runtime/runnable.js';
import { desiredStatus, locationFromNodes, statusEqual, type Location } from './cluster-status.js';
import type { EventRecorder } from './events.js';
import { observe, trackerFromStatus, type HealthState, type HealthTracker, type ProbeResult, type Transition } from './health-state.js';
import type { MemberChange } from './member-registry.js';
import { clusterMetrics, setClusterState, type ClusterMetrics, type ProbePath, type ProbeResultLabel } from './metrics.js';
import { probeMember } from './probe.js';
import type { KubeFedClusterRegistry } from './registry.js';
import { KUBEFED_CLUSTERS } from '../api/core.js';
import { NODES } from '../api/kubernetes.js';

export interface ClusterHealthControllerOptions {
  members: KubeFedClusterRegistry;
  host: DynamicClient;
  config: HealthCheckConfig;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
  events?: EventRecorder;
  /** Watch member Nodes for region/zones (and as a fast-path signal). Default true. */
  watchNodes?: boolean;
  /** How often /version is re-read while a member stays Ready. Default 5 min. */
  versionRefreshMs?: number;
  /** The process's shared informers (member Nodes). Default: a set of its own. */
  informers?: InformerFactory;
}

interface MemberState {
  readonly name: string;
  tracker: HealthTracker;
  client: ClusterClient | undefined;
  probing: boolean;
  /** A fast probe was asked for while one was in flight. */
  again: boolean;
  fastTimer: ReturnType<typeof setTimeout> | undefined;
  version: string | undefined;
  versionAt: number;
  location: Location | undefined;
  nodes: { informer: Informer; unsubscribe: (() => void)[] } | undefined;
}

const RESULT_LABEL: Record<ProbeResult['outcome'], ProbeResultLabel> = { healthy: 'healthy', notReady: 'not_ready', offline: 'offline', malformed: 'malformed' };
const EVENT_REASON: Record<HealthState, string> = { Ready: 'ClusterReady', NotReady: 'ClusterNotReady', Offline: 'ClusterNotReachable', ConfigMalformed: 'MalformedClusterConfig' };
const KUBEFED_STATE = { Ready: 'ready', NotReady: 'notready', Offline: 'offline', ConfigMalformed: 'notready' } as const;

export class ClusterHealthController implements Runnable {
  readonly name = 'cluster-health';
  readonly needLeaderElection = true;
  private readonly o: ClusterHealthControllerOptions;
  private readonly log: Logger;
  private readonly metrics: ClusterMetrics | undefined;
  private readonly status: Controller<string>;
  private readonly managed: ManagedController<string>;
  private readonly informers: InformerScope;
  private readonly states = new Map<string, MemberState>();
  /** Our status writes, used while the informer cache has not caught up with them. */
  private readonly written = new Expectations<KubeFedCluster>();
  private signal: AbortSignal | undefined;

  constructor(options: ClusterHealthControllerOptions) {
    this.o = options;
    this.log = (options.logger ?? silentLogger()).child({ component: 'cluster-health' });
    this.metrics = options.registry ? clusterMetrics(options.registry) : undefined;
    const registry = options.registry ? { registry: options.registry } : {};
    this.informers = (options.informers ?? new InformerFactory({ logger: options.logger ?? silentLogger(), ...registry })).scope();
    const m = options.members;
    this.managed = new ControllerBuilder<string>('kubefedcluster-status', { workers: 4, logger: this.log, ...registry })
      // Someone else edited status (or our write echoed back): re-check it.
      .watch(m.clusters, (e) => (e.type === 'update' ? (e.obj.metadata.name ?? '') : undefined))
      // A registry that cannot list is the registry's to report; probing waits for it.
      .waitFor('member registry', (signal) => m.waitForSync(signal).catch(() => undefined))
      .run({ name: 'prober', run: (signal) => this.probeMembers(signal) })
      .onStop(() => this.informers.close())
      .reconcile((name, signal) => this.writeStatus(name, signal));
    this.status = this.managed.controller!;
  }

  /** The tracker of a member (tests, diagnostics). */
  health(name: string): Readonly<HealthTracker> | undefined {
    return this.states.get(name)?.tracker;
  }

  start(signal: AbortSignal): Promise<void> {
    return this.managed.start(signal);
  }

  liveness(): true | string {
    return this.managed.liveness();
  }

  /** Follows the registry and probes every member each period until `signal` aborts. */
  private async probeMembers(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    const m = this.o.members;
    const unsubscribe = [
      m.subscribe((name, change) => this.onMember(name, change)),
      // fastProbeIntervalMs 0 turns the whole fast path off: probes only every period.
      m.onConnectionFailure((name) => (this.o.config.fastProbeIntervalMs > 0 ? void this.probe(name, 'fast') : undefined)),
    ];
    for (const member of m.list()) this.onMember(member.name, 'added');
    this.log.info({ members: this.states.size, periodMs: this.o.config.periodMs }, 'cluster health checks started');
    try {
      await this.tick(signal);
    } finally {
      for (const u of unsubscribe) u();
      for (const name of [...this.states.keys()]) this.drop(name);
      this.signal = undefined;
    }
  }

  private async tick(signal: AbortSignal): Promise<void> {
    const period = this.o.config.periodMs;
    let next = Date.now() + period;
    while (!signal.aborted) {
      await pause(Math.max(0, next - Date.now()), signal);
      if (signal.aborted) return;
      next += period;
      // Fell behind (a stalled event loop): restart the cadence instead of bursting.
      if (next < Date.now()) next = Date.now() + period;
      for (const name of this.states.keys()) void this.probe(name, 'periodic');
    }
  }

  private onMember(name: string, change: MemberChange): void {
    if (!this.signal || this.signal.aborted) return;
    if (change === 'removed') {
      this.drop(name);
      return;
    }
    const member = this.o.members.get(name);
    if (!member) return;
    let s = this.states.get(name);
    if (!s) {
      s = {
        name,
        tracker: trackerFromStatus(this.o.members.cluster(name)?.status),
        client: member.client,
        probing: false,
        again: false,
        fastTimer: undefined,
        version: undefined,
        versionAt: 0,
        location: undefined,
        nodes: undefined,
      };
      this.states.set(name, s);
      this.watchNodes(s);
      void this.probe(name, 'fast');
      return;
    }
    if (s.client !== member.client) {
      s.client = member.client;
      s.version = undefined;
      s.location = undefined;
      this.watchNodes(s);
      void this.probe(name, 'fast');
    }
  }

  private drop(name: string): void {
    const s = this.states.get(name);
    if (!s) return;
    this.states.delete(name);
    this.written.forget(name);
    if (s.fastTimer) clearTimeout(s.fastTimer);
    this.unwatchNodes(s);
    if (this.metrics) setClusterState(this.metrics, name, undefined);
  }

  private unwatchNodes(s: MemberState): void {
    const nodes = s.nodes;
    if (!nodes) return;
    s.nodes = undefined;
    for (const u of nodes.unsubscribe) u();
    void this.informers.release(nodes.informer);
  }

  private watchNodes(s: MemberState): void {
    this.unwatchNodes(s);
    if (this.o.watchNodes === false || !s.client || !this.signal) return;
    const informer = this.informers.informer<KubeObject>(s.client, NODES);
    let scheduled = false;
    const update = (): void => {
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(() => {
        scheduled = false;
        if (this.states.get(s.name) !== s || s.nodes?.informer !== informer) return;
        const loc = locationFromNodes(informer.list());
        if (s.location && s.location.region === loc.region && s.location.zones.join() === loc.zones.join()) return;
        s.location = loc;
        this.status.enqueue(s.name);
      });
    };
    // Released by drop(), which the prober calls for every member when it ends.
    s.nodes = {
      informer,
      unsubscribe: [
        informer.addHandlers({ onAdd: update, onUpdate: update, onDelete: update }),
        informer.onError((err) => {
          // Only "no answer" failures say something about reachability (not 403 or 410).
          if (!(err instanceof KubeApiError) || err.code === 0) this.o.members.reportConnectionFailure(s.name, err);
        }),
      ],
    };
  }

  private async probe(name: string, path: ProbePath): Promise<void> {
    const s = this.states.get(name);
    const signal = this.signal;
    if (!s || !signal || signal.aborted) return;
    if (s.probing) {
      if (path === 'fast') s.again = true;
      return;
    }
    if (s.fastTimer) {
      clearTimeout(s.fastTimer);
      s.fastTimer = undefined;
    }
    s.probing = true;
    const started = performance.now();
    let result: ProbeResult;
    const client = s.client;
    try {
      if (!client) {
        result = { outcome: 'malformed', message: this.o.members.clientError(name) ?? 'no credentials', refused: false, at: Date.now() };
      } else {
        const refresh = this.o.versionRefreshMs ?? 300_000;
        const withVersion = s.version === undefined || s.tracker.reported !== 'Ready' || Date.now() - s.versionAt > refresh;
        result = await probeMember(client, { timeoutMs: this.o.config.timeoutMs, withVersion, signal });
        if (withVersion && result.version) s.versionAt = Date.now();
      }
    } catch {
      return; // aborted: leadership ended
    } finally {
      s.probing = false;
    }
    this.metrics?.probes.labels(RESULT_LABEL[result.outcome], path).inc();
    this.metrics?.healthStatusDuration.observe((performance.now() - started) / 1000);
    if (this.states.get(name) !== s || s.client !== client || signal.aborted) return;
    let dirty = false;
    if (result.version && result.version !== s.version) {
      s.version = result.version;
      dirty = true;
    }
    const { tracker, transition } = observe(s.tracker, result, this.o.config);
    s.tracker = tracker;
    if (transition) {
      this.onTransition(s, transition);
      dirty = true;
    }
    if (dirty) this.status.enqueue(name);
    const fast = this.o.config.fastProbeIntervalMs;
    // Any probe without an answer (refused, or silent until the timeout) is confirmed at the fast
    // pace: a partitioned member must not wait a period per failed probe (issue 13 item 7).
    if (fast > 0 && result.outcome === 'offline' && tracker.reported === 'Ready') {
      s.again = false;
      s.fastTimer = setTimeout(() => {
        s.fastTimer = undefined;
        void this.probe(name, 'fast');
      }, fast);
      s.fastTimer.unref?.();
    } else if (s.again) {
      s.again = false;
      void this.probe(name, 'fast');
    }
  }

  private onTransition(s: MemberState, t: Transition): void {
    const fields = { cluster: s.name, from: t.from ?? 'unknown', to: t.to, reason: t.message || undefined };
    if (t.to === 'Ready') this.log.info(fields, 'member cluster is ready');
    else this.log.warn(fields, 'member cluster is not ready');
    if (this.metrics) {
      this.metrics.transitions.labels(t.to).inc();
      setClusterState(this.metrics, s.name, KUBEFED_STATE[t.to]);
    }
    const cluster = this.o.members.cluster(s.name);
    if (cluster && this.o.events) {
      const message = t.to === 'Ready' ? `cluster ${s.name} is ready` : `cluster ${s.name} is not ready: ${t.message || t.to}`;
      this.o.events.record(cluster, t.to === 'Ready' ? 'Normal' : 'Warning', EVENT_REASON[t.to], message);
    }
  }

  private async writeStatus(name: string, signal: AbortSignal): Promise<void> {
    const s = this.states.get(name);
    const cached = this.o.members.cluster(name);
    if (!s || !cached) return;
    if (s.tracker.reported === undefined && s.location === undefined && s.version === undefined) return;
    // The cache may not have seen our previous write yet; build on that write then.
    const base = this.written.current(name, cached);
    const status = desiredStatus({
      current: base.status,
      health: s.tracker.reported ? { state: s.tracker.reported, message: s.tracker.message, since: s.tracker.since } : undefined,
      location: s.location,
      kubernetesVersion: s.version,
    });
    if (statusEqual(base.status, status)) return;
    const body: KubeFedCluster = { apiVersion: base.apiVersion ?? 'core.kubefed.io/v1beta1', kind: 'KubeFedCluster', metadata: { ...base.metadata }, spec: base.spec, status };
    try {
      const updated = await this.o.host.updateStatus<KubeFedCluster>(KUBEFED_CLUSTERS, body, { signal, timeoutMs: 10_000 });
      this.written.wrote(name, updated);
      this.metrics?.statusWrites.labels('success').inc();
      this.log.debug({ cluster: name, ready: status.conditions.find((c) => c.type === 'Ready')?.status }, 'status written');
    } catch (err) {
      if (isNotFound(err)) return;
      this.metrics?.statusWrites.labels(isConflict(err) ? 'conflict' : 'error').inc();
      // A conflict means the cache is behind: the requeue reads it again.
      if (isConflict(err)) this.written.forget(name);
      throw new Error(`write status of KubeFedCluster ${name}`, { cause: err });
    }
  }
}
