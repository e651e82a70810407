// The FederatedTypeConfig controller: one sync controller per enabled type, started when
// a type is enabled and stopped when it is disabled or its config deleted, at run time.
// Status says whether the type's propagation controller runs; the finalizer
// core.kubefed.io/federated-type-config keeps a config until its controller stopped.
import { defaultFederatedTypeConfig, type FederatedTypeConfig, type FederatedTypeConfigStatus, FEDERATED_TYPE_CONFIGS, FTC_FINALIZER } from '../../api/core.js';
import type { MemberRegistry } from '../../clusters/member-registry.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import { isNotFound } from '../../kube/errors.js';
import type { Informer } from '../../kube/informer.js';
import { InformerFactory, type InformerScope } from '../../kube/informer-factory.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import type { Registry } from '../../observability/metrics.js';
import type { Controller, ReconcileResult } from '../../runtime/controller.js';
import { childAbort, ownSignal, type ChildAbort } from '../../runtime/clock.js';
import { ControllerBuilder, type ManagedController } from '../../runtime/controller-builder.js';
import { errorMessage } from '../../runtime/errors.js';
import type { Runnable } from '../../runtime/runnable.js';
import { HostCaches } from '../sync/host-caches.js';
import { FIELD_MANAGER } from '../resources.js';
import { SyncController, type SyncControllerOptions } from '../sync/sync-controller.js';
import { canonicalJson } from '../sync/version.js';

export interface TypeConfigControllerOptions extends Omit<SyncControllerOptions, 'ftc' | 'caches' | 'hasReplicas' | 'informers'> {
  host: ClusterClient;
  members: MemberRegistry;
  /** Where FederatedTypeConfigs live. */
  kubefedNamespace: string;
  /** The process's shared informers; default: a set of its own. */
  informers?: InformerFactory;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
}

interface Running {
  specKey: string;
  controller: SyncController;
  /** Stops it; relays the controller's stop signal until detached. */
  abort: ChildAbort;
  done: Promise<void>;
  failed: boolean;
}

export class TypeConfigController implements Runnable {
  readonly name = 'federated-type-config-controller';
  readonly needLeaderElection = true;
  readonly configs: Informer<FederatedTypeConfig>;
  readonly caches: HostCaches;
  readonly controller: Controller;
  readonly managed: ManagedController;
  private readonly o: TypeConfigControllerOptions;
  private readonly log: Logger;
  private readonly running = new Map<string, Running>();
  private readonly factory: InformerFactory;
  private readonly informers: InformerScope;
  /** Stops every sync controller: relays the caller's signal, one listener per running type. */
  private signal: AbortSignal | undefined;

  constructor(o: TypeConfigControllerOptions) {
    this.o = o;
    this.log = (o.logger ?? silentLogger()).child({ component: 'type-config-controller' });
    const common = { logger: o.logger, registry: o.registry };
    this.factory = o.informers ?? new InformerFactory(common);
    this.informers = this.factory.scope();
    this.configs = this.informers.informer<FederatedTypeConfig>(o.host, FEDERATED_TYPE_CONFIGS, { namespace: o.kubefedNamespace });
    this.caches = new HostCaches({ host: o.host, informers: this.informers, ...(o.limitedScope ? { namespace: o.kubefedNamespace } : {}) });
    this.managed = new ControllerBuilder(this.name, { workers: 1, ...common })
      .watch(this.configs, (e) => e.obj.metadata.name ?? '')
      .enqueueAllFrom(() => this.configs.list().map((f) => f.metadata.name ?? ''))
      .run({ name: 'sync-controllers', run: (signal) => this.holdSyncControllers(signal) })
      .onStop(() => this.informers.close())
      .reconcile((key, signal) => this.reconcile(key, signal));
    this.controller = this.managed.controller!;
  }

  /** True, or which enabled type has no running sync controller, or whose caches cannot sync. */
  liveness(): true | string {
    const own = this.managed.liveness();
    if (own !== true) return own;
    for (const [name, r] of this.running) {
      if (r.failed) return `sync controller ${name} failed`;
      const h = r.controller.liveness();
      if (h !== true) return h;
    }
    return true;
  }

  /** The running sync controller of a type config (by FTC name), for tests and diagnostics. */
  syncController(name: string): SyncController | undefined {
    return this.running.get(name)?.controller;
  }

  async start(signal: AbortSignal): Promise<void> {
    // Sync controllers listen on our own signal, not the caller's: one listener per
    // running type (removed when it stops), so the caller's signal gets one relay.
    const syncs = ownSignal(signal);
    this.signal = syncs.signal;
    try {
      await this.managed.start(signal);
    } finally {
      syncs.dispose();
    }
  }

  /** Runs beside the workers; stops every sync controller when the controller stops. */
  private async holdSyncControllers(signal: AbortSignal): Promise<void> {
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.all([...this.running.keys()].map((n) => this.stopSync(n)));
  }

  private async reconcile(name: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    const cached = this.configs.getByName(this.o.kubefedNamespace, name);
    if (!cached) {
      await this.stopSync(name);
      return;
    }
    const ftc = defaultFederatedTypeConfig(cached);
    const finalizers = ftc.metadata.finalizers ?? [];
    if (ftc.metadata.deletionTimestamp) {
      await this.stopSync(name);
      if (finalizers.includes(FTC_FINALIZER)) await this.patchFinalizers(ftc, finalizers.filter((f) => f !== FTC_FINALIZER), signal);
      return;
    }
    if (!finalizers.includes(FTC_FINALIZER)) {
      await this.patchFinalizers(ftc, [...finalizers, FTC_FINALIZER], signal);
      return; // the update event brings the config back with a new resourceVersion
    }
    const enabled = ftc.spec.propagation === 'Enabled';
    const specKey = canonicalJson(ftc.spec);
    const cur = this.running.get(name);
    if (cur && (!enabled || cur.specKey !== specKey || cur.failed)) await this.stopSync(name);
    if (enabled && !this.running.has(name)) await this.startSync(name, ftc, specKey);
    const status: FederatedTypeConfigStatus = {
      observedGeneration: ftc.metadata.generation ?? 0,
      propagationController: enabled && this.running.has(name) ? 'Running' : 'NotRunning',
    };
    const prev = cached.status;
    if (!prev || prev.observedGeneration !== status.observedGeneration || prev.propagationController !== status.propagationController) {
      await this.o.host.dynamic.patch(FEDERATED_TYPE_CONFIGS, name, { status }, { namespace: this.o.kubefedNamespace, type: 'merge', subresource: 'status', fieldManager: FIELD_MANAGER, signal });
    }
  }

  private async patchFinalizers(ftc: FederatedTypeConfig, finalizers: string[], signal: AbortSignal): Promise<void> {
    try {
      await this.o.host.dynamic.patch(FEDERATED_TYPE_CONFIGS, ftc.metadata.name ?? '', { metadata: { finalizers, resourceVersion: ftc.metadata.resourceVersion } }, {
        namespace: this.o.kubefedNamespace, type: 'merge', fieldManager: FIELD_MANAGER, signal,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Whether the target has spec.replicas: discovery lists a `<plural>/scale` subresource. */
  private async hasReplicas(ftc: FederatedTypeConfig): Promise<boolean> {
    const t = ftc.spec.targetType;
    try {
      const info = await this.o.host.discovery.resourceFor(t.group ? `${t.group}/${t.version}` : t.version, t.kind);
      return info.subresources.includes('scale');
    } catch {
      return false;
    }
  }

  private async startSync(name: string, ftc: FederatedTypeConfig, specKey: string): Promise<void> {
    const parent = this.signal;
    if (!parent || parent.aborted) return;
    const { kubefedNamespace: _ns, ...rest } = this.o;
    const hasReplicas = await this.hasReplicas(ftc);
    if (parent.aborted) return; // stopped during discovery: nothing would stop it
    const controller = new SyncController({ ...rest, kubefedNamespace: this.o.kubefedNamespace, ftc, caches: this.caches, informers: this.factory, hasReplicas });
    const abort = childAbort(parent);
    const entry: Running = { specKey, controller, abort, done: Promise.resolve(), failed: false };
    entry.done = controller.start(abort.signal).catch((err: unknown) => {
      entry.failed = true;
      this.log.error({ type: name, err: errorMessage(err) }, 'sync controller failed; restarting with backoff');
      this.controller.queue.addRateLimited(name);
    });
    this.running.set(name, entry);
    this.log.info({ type: name }, 'sync controller started');
  }

  private async stopSync(name: string): Promise<void> {
    const entry = this.running.get(name);
    if (!entry) return;
    this.running.delete(name);
    entry.abort.detach();
    entry.abort.abort();
    await entry.done;
    this.log.info({ type: name }, 'sync controller stopped');
  }
}
