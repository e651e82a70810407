// The per-member lifecycle every controller that caches member objects needs: follow the
// MemberRegistry, run per-member work (informers) for each Ready member with a client,
// restart it when the member's client object changes (credentials or endpoint rebuilt),
// stop it when the member goes NotReady or leaves, and track whether it has synced.
//
// A NotReady member is stopped, not kept: nothing acts on it (propagation reports
// ClusterNotReady, DNS publishes no targets for it) and its watches would only fail and
// retry against an unhealthy API server. The work starts again, from a fresh list, when
// it is Ready again. The registry updates a member before it notifies, so `notReady`
// and "get() says not ready" are the same thing; both are checked so a registry that
// notifies early still stops the work.
//
// What runs per member is the caller's: `start(name, client, signal)` launches it and
// returns a handle with a `done` promise (settles once the signal aborted and the work
// wound down) and a `synced` promise (the member's caches are complete).
import type { ClusterClient } from '../kube/cluster-client.js';
import { pause } from '../runtime/clock.js';
import type { MemberChange, MemberCluster, MemberRegistry } from './member-registry.js';

/** Why a lifecycle calls back about a whole member: a registry change, or its caches synced. */
export type MemberEvent = MemberChange | 'synced';

export interface MemberWork {
  /** Settles when the member's work stopped after its signal aborted; never rejects. */
  readonly done: Promise<unknown>;
  /** Resolves once the member's caches hold a complete list (may reject when aborted). */
  readonly synced: Promise<unknown>;
}

export interface MemberLifecycleOptions<H extends MemberWork> {
  members: MemberRegistry;
  /** Launches the work for a Ready member; it must stop when `signal` aborts. */
  start(name: string, client: ClusterClient, signal: AbortSignal): H;
  /** Called after the lifecycle acted on a registry change, and when a member synced. */
  onMember(name: string, event: MemberEvent): void;
}

interface MemberState<H> {
  client: ClusterClient;
  abort: AbortController;
  handle: H;
  synced: boolean;
}

export class MemberLifecycle<H extends MemberWork> {
  private readonly o: MemberLifecycleOptions<H>;
  private readonly states = new Map<string, MemberState<H>>();
  private unsubscribe: (() => void) | undefined;

  constructor(options: MemberLifecycleOptions<H>) {
    this.o = options;
  }

  /** The running work of a member, if any. */
  handle(name: string): H | undefined {
    return this.states.get(name)?.handle;
  }

  /** The client the member's work was started with. */
  client(name: string): ClusterClient | undefined {
    return this.states.get(name)?.client;
  }

  /** True when the member's work is running and synced. */
  synced(name: string): boolean {
    return this.states.get(name)?.synced ?? false;
  }

  /** Subscribes to the registry and starts work for every Ready member (idempotent). */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.o.members.subscribe((name, change) => this.onChange(name, change));
    for (const m of this.o.members.list()) this.ensure(m);
  }

  /** Unsubscribes and stops every member's work, resolving once all of it wound down. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await Promise.all([...this.states.keys()].map((n) => this.stopMember(n)));
  }

  /** Resolves once every Ready member with a client has synced, or after `timeoutMs`. */
  async waitForReadyMembers(timeoutMs: number, signal?: AbortSignal, pollMs = 10): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !signal?.aborted) {
      const pending = this.o.members.list().filter((m) => m.ready && m.client && !this.synced(m.name));
      if (pending.length === 0) return;
      await pause(pollMs, signal);
    }
  }

  private onChange(name: string, change: MemberChange): void {
    const m = this.o.members.get(name);
    if (change === 'removed' || change === 'notReady' || !m) void this.stopMember(name);
    else this.ensure(m);
    this.o.onMember(name, change);
  }

  /** Starts work for a Ready member with a client; restarts it when its client changed. */
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
    const handle = this.o.start(name, client, abort.signal);
    const state: MemberState<H> = { client, abort, handle, synced: false };
    this.states.set(name, state);
    handle.synced.then(
      () => {
        // A restart or stop replaced this work while it was syncing: its sync is stale.
        if (this.states.get(name) !== state || abort.signal.aborted) return;
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
    await state.handle.done;
  }
}
