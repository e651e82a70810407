// Informers on the member clusters the DNS record controllers read: Services,
// EndpointSlices and Ingresses of every Ready member, started when a member becomes
// Ready and stopped when it goes NotReady or leaves (MemberLifecycle runs that part). A
// NotReady member contributes no targets anyway (service-dns-status.ts), so its cache is
// not worth keeping, and its watches would only fail and retry against a dead API server.
//
// A member counts as observed only once all its informers have synced: until then the
// controllers treat it as unhealthy, which is what was published while it was NotReady,
// so a returning cluster never flaps through "no Service there".
import type { KubeObject } from '../../api/meta.js';
import { MemberLifecycle, type MemberEvent, type MemberWork } from '../../clusters/member-lifecycle.js';
import type { MemberRegistry } from '../../clusters/member-registry.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import type { Informer } from '../../kube/informer.js';
import type { InformerScope } from '../../kube/informer-factory.js';
import type { ResourceRef } from '../../kube/resource.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import type { Registry } from '../../observability/metrics.js';
import type { Runnable } from '../../runtime/runnable.js';
import { recordKeyOfEndpointSlice } from './record-keys.js';
import { ENDPOINT_SLICES, INGRESSES, SERVICES } from '../../api/kubernetes.js';

export type MemberResource = 'services' | 'endpointslices' | 'ingresses';

const REFS: Readonly<Record<MemberResource, ResourceRef>> = { services: SERVICES, endpointslices: ENDPOINT_SLICES, ingresses: INGRESSES };

/** Why the watcher calls back about a whole member: a registry change, or its caches synced. */
export type { MemberEvent };

export interface MemberInformerOptions {
  watchTimeoutSeconds?: number;
  silenceTimeoutMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

export interface MemberWatchesOptions {
  members: MemberRegistry;
  /** Where the member informers come from (shared per member, resource and selector). */
  informers: InformerScope;
  resources: readonly MemberResource[];
  /** An object of a member changed (added, updated or deleted); computes and enqueues keys. */
  onObject(cluster: string, resource: MemberResource, obj: KubeObject): void;
  /** A member joined, left, changed readiness or location, or its caches synced. */
  onMember(cluster: string, event: MemberEvent): void;
  informer?: MemberInformerOptions | undefined;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
}

interface MemberCaches extends MemberWork {
  informers: Map<MemberResource, Informer>;
  /** `ns/service` -> EndpointSlice cache keys, maintained from the slice informer. */
  slicesByService: Map<string, Set<string>>;
}

export class MemberWatches implements Runnable {
  readonly name = 'dns-member-watches';
  readonly needLeaderElection = true;
  private readonly o: MemberWatchesOptions;
  private readonly log: Logger;
  private readonly lifecycle: MemberLifecycle<MemberCaches>;

  constructor(options: MemberWatchesOptions) {
    this.o = options;
    this.log = (options.logger ?? silentLogger()).child({ component: 'dns-member-watches' });
    this.lifecycle = new MemberLifecycle({
      members: options.members,
      start: (name, client, signal) => this.startMember(name, client, signal),
      onMember: (name, event) => {
        if (event === 'synced') this.log.info({ cluster: name }, 'member caches synced');
        this.o.onMember(name, event);
      },
    });
  }

  /** True when the member's informers are running and synced. */
  synced(cluster: string): boolean {
    return this.lifecycle.synced(cluster);
  }

  get(cluster: string, resource: MemberResource, key: string): KubeObject | undefined {
    return this.lifecycle.handle(cluster)?.informers.get(resource)?.get(key);
  }

  /** The EndpointSlices of Service `ns/name` in a member. */
  endpointSlices(cluster: string, serviceKey: string): KubeObject[] {
    const caches = this.lifecycle.handle(cluster);
    const keys = caches?.slicesByService.get(serviceKey);
    const inf = caches?.informers.get('endpointslices');
    if (!keys || !inf) return [];
    const out: KubeObject[] = [];
    for (const k of keys) {
      const s = inf.get(k);
      if (s) out.push(s);
    }
    return out;
  }

  /** Resolves once every currently Ready member synced, or after `timeoutMs`. */
  waitForReadyMembers(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.lifecycle.waitForReadyMembers(timeoutMs, signal, 20);
  }

  async start(signal: AbortSignal): Promise<void> {
    this.startWatching();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await this.stopWatching();
  }

  /** Follows the registry: watches every Ready member until stopWatching(). */
  startWatching(): void {
    this.lifecycle.start();
  }

  stopWatching(): Promise<void> {
    return this.lifecycle.stop();
  }

  private startMember(name: string, client: ClusterClient, signal: AbortSignal): MemberCaches {
    const informers = new Map<MemberResource, Informer>();
    const slicesByService = new Map<string, Set<string>>();
    const unsubscribe: (() => void)[] = [];
    for (const resource of this.o.resources) {
      const inf = this.o.informers.informer(client, REFS[resource], {}, this.o.informer ?? {});
      if (resource === 'endpointslices') unsubscribe.push(indexSlices(inf, slicesByService));
      unsubscribe.push(
        inf.addHandlers({
          onAdd: (obj) => this.o.onObject(name, resource, obj),
          onUpdate: (_old, obj) => this.o.onObject(name, resource, obj),
          onDelete: (obj) => this.o.onObject(name, resource, obj),
        }),
        // The health controller's fast path: a failing watch triggers a probe now.
        inf.onError((err) => this.o.members.reportConnectionFailure(name, err)),
      );
      informers.set(resource, inf);
    }
    this.log.info({ cluster: name, resources: this.o.resources }, 'watching member');
    const done = new Promise<void>((resolve) => {
      const release = (): void => {
        for (const u of unsubscribe) u();
        Promise.all([...informers.values()].map((i) => this.o.informers.release(i)))
          .catch((err: unknown) => this.log.warn({ cluster: name, err: String(err) }, 'member informer ended with an error'))
          .finally(() => {
            this.log.info({ cluster: name }, 'stopped watching member');
            resolve();
          });
      };
      if (signal.aborted) release();
      else signal.addEventListener('abort', release, { once: true });
    });
    return { informers, slicesByService, done, synced: Promise.all([...informers.values()].map((i) => i.waitForSync(signal))) };
  }
}

/** Keeps `ns/service -> slice keys` in step with the slice informer (slices may change service). */
function indexSlices(inf: Informer, index: Map<string, Set<string>>): () => void {
  const owner = new Map<string, string>();
  const drop = (sliceKey: string): void => {
    const svc = owner.get(sliceKey);
    if (svc === undefined) return;
    owner.delete(sliceKey);
    const set = index.get(svc);
    set?.delete(sliceKey);
    if (set && set.size === 0) index.delete(svc);
  };
  const put = (obj: KubeObject): void => {
    const sliceKey = `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
    drop(sliceKey);
    const svc = recordKeyOfEndpointSlice(obj);
    if (svc === undefined) return;
    owner.set(sliceKey, svc);
    let set = index.get(svc);
    if (!set) index.set(svc, (set = new Set()));
    set.add(sliceKey);
  };
  return inf.addHandlers({
    onAdd: put,
    onUpdate: (_old, obj) => put(obj),
    onDelete: (obj) => drop(`${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`),
  });
}
