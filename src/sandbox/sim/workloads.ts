// Simulated data plane: Deployment/ReplicaSet status from a pod-capacity model (and Pending
// pods for the replicas beyond it, pending-pods.ts), Endpoints and EndpointSlices for
// Services, load balancers for Services and Ingresses.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../api/meta.js';
import type { ObjectStore, StoreEvent } from '../store/object-store.js';
import type { ResourceRegistry } from '../resources/registry.js';
import type { ObjectService } from '../server/object-service.js';
import { ApiError } from '../server/api-error.js';
import { matchLabelSelector } from '../store/selectors.js';
import { Batcher } from './batcher.js';
import { PendingPods } from './pending-pods.js';

type Obj = Record<string, any>;

export interface WorkloadSimOptions {
  /** total pods the cluster's nodes can run */
  podCapacity: () => number;
  /** next load-balancer address from this cluster's pool */
  allocateLbIp: () => string;
  /** a stable pod IP for replica i of workload uid */
  podIp: (uid: string, i: number) => string;
}

const WORKLOADS = ['deployments.apps', 'replicasets.apps'];

export class WorkloadSim {
  private readonly batch: Batcher<string>;
  private readonly unsubscribe: () => void;
  private readonly lbIps = new Map<string, string>(); // object uid -> allocated ip
  private readonly pending: PendingPods;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly objects: ObjectService,
    private readonly opts: WorkloadSimOptions,
  ) {
    this.pending = new PendingPods(registry, objects, () => this.store.list('nodes').length);
    this.batch = new Batcher((keys) => this.reconcile(keys), 5);
    this.unsubscribe = store.subscribe((ev) => this.onEvent(ev));
  }

  stop(): void {
    this.unsubscribe();
    this.batch.stop();
  }

  /** Recompute everything, e.g. after node capacity changed. */
  resync(): void {
    this.batch.add('workloads');
  }

  private onEvent(ev: StoreEvent): void {
    if (WORKLOADS.includes(ev.resource)) {
      // our own status writes do not change spec; ignore them to avoid a loop
      if (ev.type === 'MODIFIED' && ev.prev && ev.prev.metadata.generation === ev.obj.metadata.generation
        && isDeepStrictEqual(ev.prev.metadata.labels, ev.obj.metadata.labels)) return;
      this.batch.add('workloads');
    } else if (ev.resource === 'services') {
      if (ev.type === 'DELETED') {
        this.lbIps.delete(ev.obj.metadata.uid!);
        this.batch.add(`svcdel|${ev.obj.metadata.namespace}|${ev.obj.metadata.name}`);
      } else if (!(ev.type === 'MODIFIED' && ev.prev && isDeepStrictEqual((ev.prev as Obj).spec, (ev.obj as Obj).spec)
        && isDeepStrictEqual(ev.prev.metadata.labels, ev.obj.metadata.labels))) {
        // Services have no generation: a change of spec or labels (not our status writes) is what matters
        this.batch.add(`svc|${ev.obj.metadata.namespace}|${ev.obj.metadata.name}`);
      }
    } else if (ev.resource === 'ingresses.networking.k8s.io' && ev.type !== 'DELETED') {
      this.batch.add(`ing|${ev.obj.metadata.namespace}|${ev.obj.metadata.name}`);
    } else if (ev.resource === 'nodes') {
      this.batch.add('workloads');
    }
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }

  private reconcile(keys: Set<string>): void {
    const nsTouched = new Set<string>();
    if (keys.has('workloads')) {
      for (const ns of this.allocate()) nsTouched.add(ns);
    }
    for (const k of keys) {
      const [kind, ns, name] = k.split('|') as [string, string, string];
      if (kind === 'svc') this.service(ns, name);
      if (kind === 'svcdel') this.deleteEndpoints(ns, name);
      if (kind === 'ing') this.ingress(ns, name);
    }
    for (const ns of nsTouched) for (const svc of this.store.list('services', ns)) this.endpoints(svc);
  }

  /** Place replicas in creation order until capacity runs out; returns namespaces whose readiness changed. */
  private allocate(): Set<string> {
    let free = this.opts.podCapacity();
    const all: { res: string; o: KubeObject }[] = [];
    for (const res of WORKLOADS) for (const o of this.store.list(res)) all.push({ res, o });
    all.sort((a, b) => (a.o.metadata.creationTimestamp ?? '').localeCompare(b.o.metadata.creationTimestamp ?? '') || (a.o.metadata.uid! < b.o.metadata.uid! ? -1 : 1));
    const changed = new Set<string>();
    const live = new Set<string>();
    for (const { res, o } of all) {
      // ReplicaSets owned by a Deployment would double count; the sandbox runs Deployments directly
      if (res === 'replicasets.apps' && (o.metadata.ownerReferences ?? []).some((r) => r.kind === 'Deployment')) continue;
      const spec = (o as Obj).spec ?? {};
      const want = Number(spec.replicas ?? 1);
      const ready = o.metadata.deletionTimestamp ? 0 : Math.max(0, Math.min(want, free));
      free -= ready;
      if (!o.metadata.deletionTimestamp) {
        live.add(o.metadata.uid!);
        this.pending.sync(o, want - ready);
      }
      const status: Obj = {
        observedGeneration: o.metadata.generation,
        replicas: want,
        ...(res === 'deployments.apps' ? { updatedReplicas: want } : { fullyLabeledReplicas: want }),
        ...(ready > 0 ? { readyReplicas: ready, availableReplicas: ready } : {}),
        ...(res === 'deployments.apps' && want - ready > 0 ? { unavailableReplicas: want - ready } : {}),
      };
      if (res === 'deployments.apps') {
        const prevConds = ((o as Obj).status?.conditions ?? []) as Obj[];
        const cond = (type: string, ok: boolean, reason: string, message: string): Obj => {
          const before = prevConds.find((c) => c.type === type);
          const status = ok ? 'True' : 'False';
          const t = before && before.status === status ? before.lastTransitionTime : new Date().toISOString().replace(/\.\d+Z$/, 'Z');
          return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
        };
        status.conditions = [
          cond('Available', ready >= want, ready >= want ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', ready >= want ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.'),
          cond('Progressing', true, 'NewReplicaSetAvailable', `ReplicaSet "${o.metadata.name}" has successfully progressed.`),
        ];
      }
      if (isDeepStrictEqual((o as Obj).status ?? {}, status)) continue;
      if (((o as Obj).status?.readyReplicas ?? 0) !== (status.readyReplicas ?? 0)) changed.add(o.metadata.namespace!);
      const def = this.registry.get('apps', res === 'deployments.apps' ? 'deployments' : 'replicasets')!;
      this.safe(() => this.objects.update(def, 'v1', o.metadata.namespace, o.metadata.name!, { ...o, status }, { subresource: 'status', fieldManager: 'kube-controller-manager' }));
    }
    this.pending.prune(live);
    return changed;
  }

  private readyPods(ns: string, selector: Record<string, string>): { ip: string; name: string }[] {
    const pods: { ip: string; name: string }[] = [];
    for (const res of WORKLOADS) {
      for (const o of this.store.list(res, ns)) {
        const labels = (o as Obj).spec?.template?.metadata?.labels;
        if (!matchLabelSelector({ matchLabels: selector }, labels)) continue;
        const ready = Number((o as Obj).status?.readyReplicas ?? 0);
        for (let i = 0; i < ready; i++) pods.push({ ip: this.opts.podIp(o.metadata.uid!, i), name: `${o.metadata.name}-${i}` });
      }
    }
    return pods;
  }

  private service(ns: string, name: string): void {
    const svc = this.store.get('services', ns, name) as Obj | undefined;
    if (!svc) return;
    const wantLb = svc.spec?.type === 'LoadBalancer';
    const cur = svc.status?.loadBalancer?.ingress as Obj[] | undefined;
    let ingress: Obj[] | undefined;
    if (wantLb) {
      let ip = this.lbIps.get(svc.metadata.uid) ?? cur?.[0]?.ip;
      if (!ip) ip = this.opts.allocateLbIp();
      this.lbIps.set(svc.metadata.uid, ip);
      ingress = [{ ip, ipMode: 'VIP' }];
    }
    const status = ingress ? { loadBalancer: { ingress } } : { loadBalancer: {} };
    if (!isDeepStrictEqual(svc.status ?? {}, status)) {
      this.safe(() => this.objects.update(this.registry.get('', 'services')!, 'v1', ns, name, { ...svc, status }, { subresource: 'status', fieldManager: 'kube-controller-manager' }));
    }
    this.endpoints(this.store.get('services', ns, name)!);
  }

  private ingress(ns: string, name: string): void {
    const ing = this.store.get('ingresses.networking.k8s.io', ns, name) as Obj | undefined;
    if (!ing) return;
    let ip = this.lbIps.get(ing.metadata.uid) ?? ing.status?.loadBalancer?.ingress?.[0]?.ip;
    if (!ip) ip = this.opts.allocateLbIp();
    this.lbIps.set(ing.metadata.uid, ip);
    const status = { loadBalancer: { ingress: [{ ip }] } };
    if (isDeepStrictEqual(ing.status ?? {}, status)) return;
    this.safe(() => this.objects.update(this.registry.get('networking.k8s.io', 'ingresses')!, 'v1', ns, name, { ...ing, status }, { subresource: 'status', fieldManager: 'kube-controller-manager' }));
  }

  private endpoints(svcObj: KubeObject): void {
    const svc = svcObj as Obj;
    const selector = svc.spec?.selector as Record<string, string> | undefined;
    if (!selector || Object.keys(selector).length === 0) return;
    const ns = svc.metadata.namespace as string;
    const name = svc.metadata.name as string;
    const pods = this.readyPods(ns, selector);
    const ports = ((svc.spec.ports ?? []) as Obj[]).map((p) => ({ ...(p.name ? { name: p.name } : {}), port: typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: p.protocol ?? 'TCP' }));
    const owner = [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }];
    const ep: Obj = {
      metadata: { name, namespace: ns, labels: { ...(svc.metadata.labels ?? {}) } },
      subsets: pods.length > 0 ? [{ addresses: pods.map((p) => ({ ip: p.ip, targetRef: { kind: 'Pod', namespace: ns, name: p.name } })), ports }] : [],
    };
    this.upsert('', 'endpoints', ns, name, ep);
    const slice: Obj = {
      metadata: { name: `${name}-kfed`, namespace: ns, labels: { ...(svc.metadata.labels ?? {}), 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' }, ownerReferences: owner },
      addressType: 'IPv4',
      endpoints: pods.map((p) => ({ addresses: [p.ip], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', namespace: ns, name: p.name } })),
      ports,
    };
    this.upsert('discovery.k8s.io', 'endpointslices', ns, `${name}-kfed`, slice);
  }

  private upsert(group: string, plural: string, ns: string, name: string, desired: Obj): void {
    const def = this.registry.get(group, plural)!;
    const key = group ? `${plural}.${group}` : plural;
    const cur = this.store.get(key, ns, name) as Obj | undefined;
    this.safe(() => {
      if (!cur) {
        this.objects.create(def, 'v1', ns, desired, { fieldManager: 'kube-controller-manager' });
        return;
      }
      const next = { ...structuredClone(cur), ...desired, metadata: { ...cur.metadata, labels: desired.metadata.labels, ...(desired.metadata.ownerReferences ? { ownerReferences: desired.metadata.ownerReferences } : {}) } };
      this.objects.update(def, 'v1', ns, name, next, { fieldManager: 'kube-controller-manager' });
    });
  }

  private deleteEndpoints(ns: string, name: string): void {
    this.safe(() => {
      if (this.store.get('endpoints', ns, name)) this.objects.delete(this.registry.get('', 'endpoints')!, ns, name);
    });
  }
}
