// The FederatedTypeConfig controller: one sync controller per enabled type, started when
// a type is enabled and stopped when it is disabled or its config deleted, at run time.
// Status says whether the type's propagation controller runs; the finalizer
// core.kubefed.io/federated-type-config keeps a config until its controller stopped.
import { defaultFederatedTypeConfig, type FederatedTypeConfig, type FederatedTypeConfigStatus } from '../api/core.js';
import { setMaxListeners } from 'node:events';
import type { MemberRegistry } from '../clusters/member-registry.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { isNotFound } from '../kube/errors.js';
import { Informer } from '../kube/informer.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import type { Registry } from '../observability/metrics.js';
import { Controller, type ReconcileResult } from '../runtime/controller.js';
import { errorMessage } from '../runtime/errors.js';
import type { Runnable } from '../runtime/runnable.js';
import { HostCaches } from './host-caches.js';
import { FEDERATED_TYPE_CONFIGS, FIELD_MANAGER, FTC_FINALIZER } from './resources.js';
import { SyncController, type SyncControllerOptions } from './sync-controller.js';
import { canonicalJson } from './version.js';

export interface TypeConfigControllerOptions extends Omit<SyncControllerOptions, 'ftc' | 'caches' | 'hasReplicas'> {
  host: ClusterClient;
  members: MemberRegistry;
  /** Where FederatedTypeConfigs live. */
  kubefedNamespace: string;
  logger?: Logger;
  registry?: Registry;
}

interface Running {
  specKey: string;
  controller: SyncController;
  abort: AbortController;
  done: Promise<void>;
  failed: boolean;
}

export class TypeConfigController implements Runnable {
  readonly name = 'federated-type-config-controller';
  readonly needLeaderElection = true;
  readonly configs: Informer<FederatedTypeConfig>;
  readonly caches: HostCaches;
  readonly controller: Controller;
  private readonly o: TypeConfigControllerOptions;
  private readonly log: Logger;
  private readonly running = new Map<string, Running>();
  private signal: AbortSignal | undefined;

  constructor(o: TypeConfigControllerOptions) {
    this.o = o;
    this.log = (o.logger ?? silentLogger()).child({ component: 'type-config-controller' });
    const common = { ...(o.logger ? { logger: o.logger } : {}), ...(o.registry ? { registry: o.registry } : {}) };
    this.configs = new Informer<FederatedTypeConfig>({ client: o.host.dynamic, resource: FEDERATED_TYPE_CONFIGS, namespace: o.kubefedNamespace, cluster: o.host.name, ...common });
    this.caches = new HostCaches({ host: o.host, ...(o.limitedScope ? { namespace: o.kubefedNamespace } : {}), ...common });
    this.controller = new Controller({ name: this.name, workers: 1, reconcile: (key, signal) => this.reconcile(key, signal), ...common });
    const enqueue = (f: FederatedTypeConfig): void => this.controller.enqueue(f.metadata.name ?? '');
    this.configs.addHandlers({ onAdd: enqueue, onUpdate: (_a, f) => enqueue(f), onDelete: enqueue });
  }

  /** The running sync controller of a type config (by FTC name), for tests and diagnostics. */
  syncController(name: string): SyncController | undefined {
    return this.running.get(name)?.controller;
  }

  async start(signal: AbortSignal): Promise<void> {
    // Every member operation derives a timeout signal from this one; that is not a leak.
    setMaxListeners(0, signal);
    this.signal = signal;
    const runs: Promise<unknown>[] = [this.configs.start(signal)];
    this.caches.start(signal);
    try {
      await this.configs.waitForSync(signal);
      runs.push(this.controller.start(signal));
      await Promise.all(runs);
    } catch (err) {
      if (!signal.aborted) throw new Error(`${this.name}: start`, { cause: err });
    } finally {
      await Promise.all([...this.running.keys()].map((n) => this.stopSync(n)));
      await this.caches.stop();
      await Promise.allSettled(runs);
    }
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
    const controller = new SyncController({ ...rest, kubefedNamespace: this.o.kubefedNamespace, ftc, caches: this.caches, hasReplicas: await this.hasReplicas(ftc) });
    const abort = new AbortController();
    parent.addEventListener('abort', () => abort.abort(), { once: true });
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
    entry.abort.abort();
    await entry.done;
    entry.controller.controller.dispose();
    this.log.info({ type: name }, 'sync controller stopped');
  }
}
