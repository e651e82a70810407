// Informers on one target type (e.g. apps/v1 Deployments) in every Ready member, started
// when a member becomes Ready and stopped when it goes NotReady or leaves: a NotReady
// member is not acted on (ClusterNotReady), and its watches would only fail and retry.
//
// The informers select objects carrying the `kubefed.io/managed` label, whatever its
// value: `true` is what kfed manages, and `false` must be seen too, or kfed could not
// tell an object a user fenced off (ManagedLabelFalse) from an absent one. Objects with
// no label (pre-existing, or orphaned) stay out of the cache; the sync controller reads
// them directly when it has to decide about adoption.
import type { KubeObject } from '../api/meta.js';
import { MANAGED_LABEL } from '../api/federation.js';
import type { MemberChange, MemberCluster, MemberRegistry } from '../clusters/member-registry.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { Informer } from '../kube/informer.js';
import type { ResourceRef } from '../kube/resource.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import type { Registry } from '../observability/metrics.js';

export type MemberEvent = MemberChange | 'synced';

export interface MemberInformerTuning {
  watchTimeoutSeconds?: number;
  silenceTimeoutMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  pageSize?: number;
}

export interface MemberInformersOptions {
  members: MemberRegistry;
  resource: ResourceRef;
  /** A member object changed; `deleted` when it left the cache. */
  onObject(cluster: string, obj: KubeObject, deleted: boolean): void;
  /** A member joined, left, changed readiness/labels/client, or its cache synced. */
  onMember(cluster: string, event: MemberEvent): void;
  tuning?: MemberInformerTuning;
  logger?: Logger;
  registry?: Registry;
}

interface MemberState {
  client: ClusterClient;
  abort: AbortController;
  informer: Informer;
  synced: boolean;
  running: Promise<unknown>;
}

export class MemberInformers {
  private readonly o: MemberInformersOptions;
  private readonly log: Logger;
  private readonly states = new Map<string, MemberState>();
  private unsubscribe: (() => void) | undefined;

  constructor(options: MemberInformersOptions) {
    this.o = options;
    this.log = (options.logger ?? silentLogger()).child({ component: 'member-informers', resource: options.resource.resource });
  }

  /** The member's cache holds a complete list. */
  synced(cluster: string): boolean {
    return this.states.get(cluster)?.synced ?? false;
  }

  /** Cached member object by `ns/name` or `name` (never mutate it). */
  get(cluster: string, key: string): KubeObject | undefined {
    return this.states.get(cluster)?.informer.get(key);
  }

  /** The client the cache was built with (writes go through the same client). */
  client(cluster: string): ClusterClient | undefined {
    return this.states.get(cluster)?.client;
  }

  start(): void {
    this.unsubscribe ??= this.o.members.subscribe((name, change) => this.onChange(name, change));
    for (const m of this.o.members.list()) this.ensure(m);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await Promise.all([...this.states.keys()].map((n) => this.stopMember(n)));
  }

  /** Resolves once every Ready member with a client has synced, or after `timeoutMs`. */
  async waitForReadyMembers(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !signal?.aborted) {
      const pending = this.o.members.list().filter((m) => m.ready && m.client && !this.synced(m.name));
      if (pending.length === 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private onChange(name: string, change: MemberChange): void {
    const m = this.o.members.get(name);
    if (change === 'removed' || !m) void this.stopMember(name);
    else this.ensure(m);
    this.o.onMember(name, change);
  }

  private ensure(m: MemberCluster): void {
    const cur = this.states.get(m.name);
    if (!m.ready || !m.client) {
      if (cur) void this.stopMember(m.name);
      return;
    }
    if (cur && cur.client === m.client) return;
    if (cur) void this.stopMember(m.name);
    this.startMember(m.name, m.client);
  }

  private startMember(name: string, client: ClusterClient): void {
    const abort = new AbortController();
    const informer = new Informer({
      client: client.dynamic,
      resource: this.o.resource,
      cluster: name,
      labelSelector: MANAGED_LABEL,
      ...this.o.tuning,
      ...(this.o.logger ? { logger: this.o.logger } : {}),
      ...(this.o.registry ? { registry: this.o.registry } : {}),
    });
    const state: MemberState = { client, abort, informer, synced: false, running: Promise.resolve() };
    this.states.set(name, state);
    informer.addHandlers({
      onAdd: (obj) => this.o.onObject(name, obj, false),
      onUpdate: (_old, obj) => this.o.onObject(name, obj, false),
      onDelete: (obj) => this.o.onObject(name, obj, true),
    });
    // The health controller's fast path: a failing watch asks for a probe now.
    informer.onError((err) => this.o.members.reportConnectionFailure(name, err));
    state.running = informer.start(abort.signal).catch((err: unknown) => this.log.warn({ cluster: name, err: String(err) }, 'member informer ended with an error'));
    informer.waitForSync(abort.signal).then(
      () => {
        if (this.states.get(name) !== state) return;
        state.synced = true;
        this.o.onMember(name, 'synced');
      },
      () => undefined,
    );
  }

  private async stopMember(name: string): Promise<void> {
    const state = this.states.get(name);
    if (!state) return;
    this.states.delete(name);
    state.abort.abort();
    await state.running;
  }
}
