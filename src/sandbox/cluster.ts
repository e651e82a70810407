// One sandbox cluster: store, API server, and the simulated controllers behind it.
import { ObjectStore } from './store/object-store.js';
import { ResourceRegistry } from './resources/registry.js';
import { ObjectService } from './server/object-service.js';
import { ResourceHandler } from './server/resource-handler.js';
import { WatchHub } from './server/watch.js';
import { ApiServer, NO_FAULTS, type Faults } from './server/api-server.js';
import { Authenticator, newToken, serviceAccountUser } from './auth/authn.js';
import { authorize, SUPERUSER_GROUP, type UserInfo } from './auth/rbac.js';
import { createServingCert, type CertificateAuthority, type KeyPair } from './pki.js';
import { LifecycleControllers } from './sim/lifecycle.js';
import { WorkloadSim } from './sim/workloads.js';
import { lbPool, podIp, type ClusterTopology } from './topology.js';
import { bootstrapObjects } from './bootstrap.js';
import type { KubeObject } from '../api/meta.js';
import { WRITE_VERBS, type RequestCounts, type SandboxMember } from './member.js';

export type { RequestCounts } from './member.js';

type Obj = Record<string, any>;

export interface ClusterOptions {
  index: number;
  topology: ClusterTopology;
  ca: CertificateAuthority;
  historyWindow?: number;
  bookmarkIntervalMs?: number;
}

export class SandboxCluster implements SandboxMember {
  readonly name: string;
  readonly store: ObjectStore;
  readonly registry = new ResourceRegistry();
  readonly objects: ObjectService;
  readonly authn = new Authenticator();
  readonly adminToken = newToken();
  readonly caPem: string;
  readonly counts: RequestCounts = { byVerb: {}, writes: 0 };
  private readonly server: ApiServer;
  private readonly watches: WatchHub;
  private readonly lifecycle: LifecycleControllers;
  private readonly workloads: WorkloadSim;
  private nextIp = 1;
  private nextNodePort = 30000;

  private constructor(readonly options: ClusterOptions, tls: KeyPair) {
    this.name = options.topology.name;
    this.caPem = options.ca.certPem;
    this.store = new ObjectStore(options.historyWindow ?? 100_000);
    this.objects = new ObjectService(this.store, this.registry, {
      clusterIP: () => {
        const n = this.nextIp++;
        return `10.96.${Math.floor(n / 254) % 256}.${(n % 254) + 1}`;
      },
      nodePort: () => 30000 + ((this.nextNodePort++ - 30000) % 2768),
    });
    this.watches = new WatchHub(this.store);
    this.authn.addToken(this.adminToken, { username: 'kubernetes-admin', groups: [SUPERUSER_GROUP, 'system:authenticated'] });
    const resources = new ResourceHandler({
      store: this.store,
      registry: this.registry,
      objects: this.objects,
      watches: this.watches,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 5000,
      issueToken: (ns, sa, expirationSeconds) => {
        const token = newToken();
        const expires = Date.now() + expirationSeconds * 1000;
        this.authn.addToken(token, serviceAccountUser(ns, sa.metadata.name!, sa.metadata.uid), expires);
        return { token, expirationTimestamp: new Date(expires).toISOString().replace(/\.\d+Z$/, 'Z') };
      },
      review: (kind, body, user) => this.review(kind, body, user),
    });
    this.server = new ApiServer({
      store: this.store, registry: this.registry, authn: this.authn, resources, tls,
      onRequest: (verb) => {
        this.counts.byVerb[verb] = (this.counts.byVerb[verb] ?? 0) + 1;
        if (WRITE_VERBS.has(verb)) this.counts.writes++;
      },
    });
    this.lifecycle = new LifecycleControllers({ store: this.store, registry: this.registry, objects: this.objects, authn: this.authn, caPem: this.caPem });
    const topo = options.topology;
    this.workloads = new WorkloadSim(this.store, this.registry, this.objects, {
      podCapacity: () => this.podCapacity(),
      allocateLbIp: lbPool(options.index),
      podIp: podIp(options.index),
    });
    for (const obj of bootstrapObjects(topo)) {
      const def = this.registry.byKind(obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0]! : '', obj.kind)!;
      this.objects.create(def, def.storageVersion, obj.metadata.namespace, obj, { fieldManager: 'kube-apiserver' });
    }
  }

  static async create(options: ClusterOptions): Promise<SandboxCluster> {
    const tls = await createServingCert(options.ca, options.topology.name);
    const c = new SandboxCluster(options, tls);
    await c.server.start();
    return c;
  }

  get url(): string {
    return this.server.url;
  }

  get running(): boolean {
    return this.server.listening;
  }

  /** Stop the listener and cut connections; the stored state survives, as etcd's would. */
  async stop(): Promise<void> {
    this.watches.dropAll();
    await this.server.stop();
  }

  async start(): Promise<void> {
    await this.server.start();
  }

  readonly faults = {
    set: (f: Partial<Faults>): void => {
      this.server.faults = { ...this.server.faults, ...f };
    },
    clear: (): void => {
      this.server.faults = { ...NO_FAULTS };
    },
    get: (): Faults => ({ ...this.server.faults }),
    dropWatches: (): void => this.watches.dropAll(),
    compact: (): void => this.store.compact(),
  };

  resourceVersion(): Promise<string> {
    return Promise.resolve(String(this.store.currentRv));
  }

  get openWatches(): number {
    return this.watches.count;
  }

  /** Total pods the Ready nodes can run. */
  podCapacity(): number {
    let total = 0;
    for (const n of this.store.list('nodes') as Obj[]) {
      const ready = (n.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
      if (ready && !n.spec?.unschedulable) total += Number(n.status?.allocatable?.pods ?? 0);
    }
    return total;
  }

  async close(): Promise<void> {
    this.lifecycle.stop();
    this.workloads.stop();
    await this.stop();
  }

  private review(kind: string, body: Obj, caller: UserInfo): Obj {
    const spec = body.spec ?? {};
    const out = { ...body, apiVersion: body.apiVersion ?? 'authorization.k8s.io/v1', kind, metadata: { creationTimestamp: null } };
    if (kind === 'SelfSubjectReview') {
      return { ...out, apiVersion: 'authentication.k8s.io/v1', status: { userInfo: { username: caller.username, groups: caller.groups, ...(caller.uid ? { uid: caller.uid } : {}) } } };
    }
    // SelfSubjectAccessReview asks about the caller; SubjectAccessReview names the user in spec
    const user: UserInfo = kind === 'SubjectAccessReview' ? { username: spec.user ?? '', groups: spec.groups ?? [] } : caller;
    const ra = spec.resourceAttributes;
    const nra = spec.nonResourceAttributes;
    const r = ra
      ? authorize(this.store, user, { kind: 'resource', verb: ra.verb, group: ra.group ?? '', resource: ra.resource ?? '', ...(ra.subresource ? { subresource: ra.subresource } : {}), ...(ra.name ? { name: ra.name } : {}), ...(ra.namespace ? { namespace: ra.namespace } : {}) })
      : authorize(this.store, user, { kind: 'nonresource', verb: nra?.verb ?? 'get', path: nra?.path ?? '/' });
    return { ...out, status: { allowed: r.allowed, ...(r.reason ? { reason: r.reason } : {}) } };
  }

  /** Direct, in-process access for tests and the demo (bypasses HTTP, not admission). */
  get(resource: string, ns: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(resource, ns, name);
  }
}
