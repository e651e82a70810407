// kfed's simulated data plane for a real API server, acting as an agent through the API (as a
// kubelet, cloud provider and endpoint controllers would): nodes with region/zone labels,
// Deployment and ReplicaSet status from a pod-capacity model, load-balancer addresses for
// Services and Ingresses, Endpoints and EndpointSlices. The same model as sim/workloads.ts. With
// kwok (real-cluster.ts) the workload status is left to kube-controller-manager's controllers.
import { isDeepStrictEqual } from 'node:util';
import type { ClusterTopology } from '../topology.js';
import { nodeObjects } from '../bootstrap.js';
import { matchLabelSelector } from '../store/selectors.js';
import type { ApiClient } from './api-client.js';
import { Reflector } from './reflector.js';

type Obj = Record<string, any>;

export interface AgentOptions {
  topology: ClusterTopology;
  allocateLbIp: () => string;
  podIp: (uid: string, i: number) => string;
  /**
   * Write Deployment and ReplicaSet status from the pod-capacity model (default true); false when
   * the cluster's own controllers run real (kwok) pods and report it.
   */
  workloads?: boolean;
}

const MANAGER = 'kfed-sandbox-agent';

/** True when every field of `want` is in `have` with the same value (arrays: same length, element-wise). */
export function covers(have: unknown, want: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(have) && have.length === want.length && want.every((w, i) => covers(have[i], w));
  if (want && typeof want === 'object') {
    if (!have || typeof have !== 'object' || Array.isArray(have)) return false;
    return Object.entries(want as Obj).every(([k, v]) => covers((have as Obj)[k], v));
  }
  return isDeepStrictEqual(have, want);
}

function ownedByDeployment(o: Obj): boolean {
  return (o.metadata.ownerReferences ?? []).some((r: Obj) => r.kind === 'Deployment');
}

export class SimulationAgent {
  private readonly deployments: Reflector;
  private readonly replicasets: Reflector;
  private readonly services: Reflector;
  private readonly ingresses: Reflector;
  private readonly nodes: Reflector;
  private readonly endpointSlices: Reflector;
  private readonly endpoints: Reflector;
  private readonly lbIps = new Map<string, string>();
  /** `ns/name` of the Endpoints this agent wrote, removed with their Service */
  private readonly ownEndpoints = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private stopped = false;

  constructor(private readonly api: ApiClient, private readonly o: AgentOptions) {
    const kick = (): void => this.schedule();
    this.deployments = new Reflector(api, '/apis/apps/v1/deployments', kick);
    this.replicasets = new Reflector(api, '/apis/apps/v1/replicasets', kick);
    this.services = new Reflector(api, '/api/v1/services', kick);
    this.ingresses = new Reflector(api, '/apis/networking.k8s.io/v1/ingresses', kick);
    this.nodes = new Reflector(api, '/api/v1/nodes', kick);
    this.endpointSlices = new Reflector(api, '/apis/discovery.k8s.io/v1/endpointslices?labelSelector=endpointslice.kubernetes.io%2Fmanaged-by%3D' + MANAGER, kick);
    this.endpoints = new Reflector(api, '/api/v1/endpoints', kick);
  }

  /** Register the nodes (as their kubelets would), then follow the cluster. */
  async start(): Promise<void> {
    for (const node of nodeObjects(this.o.topology)) {
      const { status, ...spec } = node as Obj;
      const r = await this.api.call('POST', '/api/v1/nodes', spec);
      if (r.status !== 201 && r.status !== 409) throw new Error(`register node ${node.metadata.name}: ${r.status} ${r.body.message ?? ''}`);
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const conditions = (status.conditions as Obj[]).map((c) => ({ ...c, lastHeartbeatTime: now, lastTransitionTime: now }));
      // merge patches: kwok (real-cluster.ts's kwok option) may write the same new node meanwhile
      const ready = await this.mergePatch(`/api/v1/nodes/${node.metadata.name}/status`, { status: { ...status, conditions } });
      // kube-apiserver taints a new node not-ready (TaintNodesByCondition); the node lifecycle
      // controller, which this backend does not run, lifts it once the node is Ready
      const taints = ((ready.spec?.taints ?? []) as Obj[]).filter((t) => t.key !== 'node.kubernetes.io/not-ready');
      if (taints.length !== (ready.spec?.taints ?? []).length) await this.mergePatch(`/api/v1/nodes/${node.metadata.name}`, { spec: { taints: taints.length > 0 ? taints : null } });
    }
    for (const r of this.reflectors()) r.start();
  }

  private async mergePatch(path: string, body: Obj): Promise<Obj> {
    const r = await this.api.call('PATCH', `${path}?fieldManager=${MANAGER}`, body, { contentType: 'application/merge-patch+json' });
    if (r.status !== 200) throw new Error(`PATCH ${path}: ${r.status} ${r.body.message ?? ''}`);
    return r.body;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const r of this.reflectors()) r.stop();
  }

  private reflectors(): Reflector[] {
    return [this.deployments, this.replicasets, this.services, this.ingresses, this.nodes, this.endpointSlices, this.endpoints];
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, 10);
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    if (!this.reflectors().every((r) => r.synced)) return;
    this.running = true;
    try {
      await this.reconcile();
    } catch {
      // the API server is stopped or a write conflicted: the next change or the retry below fixes it
      this.again = true;
    } finally {
      this.running = false;
      if (this.again && !this.stopped) {
        this.again = false;
        setTimeout(() => this.schedule(), 200);
      }
    }
  }

  private podCapacity(): number {
    let total = 0;
    for (const n of this.nodes.items.values()) {
      const ready = (n.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
      if (ready && !n.spec?.unschedulable) total += Number(n.status?.allocatable?.pods ?? 0);
    }
    return total;
  }

  private async reconcile(): Promise<void> {
    if (this.o.workloads !== false) await this.workloads();
    for (const svc of this.services.items.values()) await this.service(svc);
    for (const ing of this.ingresses.items.values()) await this.ingress(ing);
    await this.removeOrphanedEndpoints();
  }

  private async workloads(): Promise<void> {
    let free = this.podCapacity();
    const all: { res: string; o: Obj }[] = [];
    for (const o of this.deployments.items.values()) all.push({ res: 'deployments', o });
    for (const o of this.replicasets.items.values()) all.push({ res: 'replicasets', o });
    all.sort((a, b) => String(a.o.metadata.creationTimestamp ?? '').localeCompare(String(b.o.metadata.creationTimestamp ?? '')) || (a.o.metadata.uid < b.o.metadata.uid ? -1 : 1));
    for (const { res, o } of all) {
      if (res === 'replicasets' && ownedByDeployment(o)) continue;
      const want = Number(o.spec?.replicas ?? 1);
      const ready = o.metadata.deletionTimestamp ? 0 : Math.max(0, Math.min(want, free));
      free -= ready;
      const status: Obj = {
        observedGeneration: o.metadata.generation,
        replicas: want,
        ...(res === 'deployments' ? { updatedReplicas: want } : { fullyLabeledReplicas: want }),
        ...(ready > 0 ? { readyReplicas: ready, availableReplicas: ready } : {}),
        ...(res === 'deployments' && want - ready > 0 ? { unavailableReplicas: want - ready } : {}),
      };
      if (res === 'deployments') {
        const prev = (o.status?.conditions ?? []) as Obj[];
        const cond = (type: string, ok: boolean, reason: string, message: string): Obj => {
          const before = prev.find((c) => c.type === type);
          const s = ok ? 'True' : 'False';
          const t = before && before.status === s && before.reason === reason ? before.lastTransitionTime : new Date().toISOString().replace(/\.\d+Z$/, 'Z');
          return { type, status: s, reason, message, lastUpdateTime: t, lastTransitionTime: t };
        };
        status.conditions = [
          cond('Available', ready >= want, ready >= want ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', ready >= want ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.'),
          cond('Progressing', true, 'NewReplicaSetAvailable', `ReplicaSet "${o.metadata.name}" has successfully progressed.`),
        ];
      }
      const cur = o.status ?? {};
      const same = covers(cur, status) && ['readyReplicas', 'availableReplicas', 'unavailableReplicas'].every((k) => cur[k] === status[k] || (!cur[k] && !status[k]));
      if (same) continue;
      await this.api.call('PUT', `/apis/apps/v1/namespaces/${o.metadata.namespace}/${res}/${o.metadata.name}/status?fieldManager=${MANAGER}`, { ...o, status });
    }
  }

  private readyPods(ns: string, selector: Record<string, string>): { ip: string; name: string }[] {
    const pods: { ip: string; name: string }[] = [];
    for (const r of [this.deployments, this.replicasets]) {
      for (const o of r.items.values()) {
        // a Deployment's ReplicaSets' pods are the Deployment's (counted there)
        if (r === this.replicasets && ownedByDeployment(o)) continue;
        if (o.metadata.namespace !== ns || !matchLabelSelector({ matchLabels: selector }, o.spec?.template?.metadata?.labels)) continue;
        const ready = Number(o.status?.readyReplicas ?? 0);
        for (let i = 0; i < ready; i++) pods.push({ ip: this.o.podIp(o.metadata.uid, i), name: `${o.metadata.name}-${i}` });
      }
    }
    return pods;
  }

  private lbIp(o: Obj, current: string | undefined): string {
    const ip = this.lbIps.get(o.metadata.uid) ?? current ?? this.o.allocateLbIp();
    this.lbIps.set(o.metadata.uid, ip);
    return ip;
  }

  private async service(svc: Obj): Promise<void> {
    const ns = svc.metadata.namespace as string;
    const name = svc.metadata.name as string;
    if (svc.spec?.type === 'LoadBalancer') {
      const ip = this.lbIp(svc, svc.status?.loadBalancer?.ingress?.[0]?.ip);
      const status = { loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } };
      if (!covers(svc.status, status)) await this.api.call('PUT', `/api/v1/namespaces/${ns}/services/${name}/status?fieldManager=${MANAGER}`, { ...svc, status });
    } else if (svc.status?.loadBalancer?.ingress?.length) {
      await this.api.call('PUT', `/api/v1/namespaces/${ns}/services/${name}/status?fieldManager=${MANAGER}`, { ...svc, status: { loadBalancer: {} } });
    }
    const selector = svc.spec?.selector as Record<string, string> | undefined;
    if (!selector || Object.keys(selector).length === 0) return;
    const pods = this.readyPods(ns, selector);
    const ports = ((svc.spec.ports ?? []) as Obj[]).map((p) => ({ ...(p.name ? { name: p.name } : {}), port: typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: p.protocol ?? 'TCP' }));
    const labels = { ...(svc.metadata.labels ?? {}) };
    this.ownEndpoints.add(`${ns}/${name}`);
    await this.upsert(this.endpoints, `/api/v1/namespaces/${ns}/endpoints`, name, {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns, labels },
      subsets: pods.length > 0 ? [{ addresses: pods.map((p) => ({ ip: p.ip, targetRef: { kind: 'Pod', namespace: ns, name: p.name } })), ports }] : [],
    });
    await this.upsert(this.endpointSlices, `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, `${name}-kfed`, {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: {
        name: `${name}-kfed`, namespace: ns,
        labels: { ...labels, 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': MANAGER },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      addressType: 'IPv4',
      endpoints: pods.map((p) => ({ addresses: [p.ip], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', namespace: ns, name: p.name } })),
      ports,
    });
  }

  private async upsert(cache: Reflector, collection: string, name: string, desired: Obj): Promise<void> {
    const cur = cache.items.get(`${desired.metadata.namespace}/${name}`);
    if (!cur) {
      await this.api.call('POST', `${collection}?fieldManager=${MANAGER}`, desired);
      return;
    }
    const { metadata, ...rest } = desired;
    // an empty subsets list reads back as absent
    const restCur = { ...cur, subsets: cur.subsets ?? [], endpoints: cur.endpoints ?? [] };
    if (covers(restCur, rest) && isDeepStrictEqual(cur.metadata.labels ?? {}, metadata.labels)) return;
    await this.api.call('PUT', `${collection}/${name}?fieldManager=${MANAGER}`, { ...rest, metadata: { ...cur.metadata, labels: metadata.labels, ...(metadata.ownerReferences ? { ownerReferences: metadata.ownerReferences } : {}) } });
  }

  private async ingress(ing: Obj): Promise<void> {
    const ip = this.lbIp(ing, ing.status?.loadBalancer?.ingress?.[0]?.ip);
    const status = { loadBalancer: { ingress: [{ ip }] } };
    if (covers(ing.status, status)) return;
    await this.api.call('PUT', `/apis/networking.k8s.io/v1/namespaces/${ing.metadata.namespace}/ingresses/${ing.metadata.name}/status?fieldManager=${MANAGER}`, { ...ing, status });
  }

  /** Endpoints of Services that are gone (the slices go with their owner, by garbage collection). */
  private async removeOrphanedEndpoints(): Promise<void> {
    for (const k of this.ownEndpoints) {
      if (this.services.items.has(k)) continue;
      const [ns, name] = k.split('/') as [string, string];
      const r = await this.api.call('DELETE', `/api/v1/namespaces/${ns}/endpoints/${name}`);
      if (r.status < 300 || r.status === 404) this.ownEndpoints.delete(k);
    }
  }
}
