// The pods kube-scheduler cannot place: for every replica of a Deployment (or standalone
// ReplicaSet) beyond the cluster's pod capacity, a Pod in phase Pending with condition
// PodScheduled=False, reason Unschedulable, as a real scheduler leaves them. Kubefed's
// ReplicaSchedulingPreference reads exactly these (pods stuck Unschedulable for a minute) to
// move replicas to clusters with room. Replicas that do run have no Pod objects in the sandbox.
import type { KubeObject } from '../../api/meta.js';
import type { ResourceRegistry } from '../resources/registry.js';
import type { ObjectService } from '../server/object-service.js';
import { ApiError } from '../server/api-error.js';

type Obj = Record<string, any>;

function kubeTime(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

export class PendingPods {
  /** workload uid -> the pending pods made for it, in index order */
  private readonly byOwner = new Map<string, { ns: string; names: string[] }>();

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly objects: ObjectService,
    /** the cluster's schedulable node count, for the scheduler's message */
    private readonly nodes: () => number,
  ) {}

  /** Make `count` pods of workload `o` Pending (creating or deleting the difference). */
  sync(o: KubeObject, count: number): void {
    const uid = o.metadata.uid!;
    const entry = this.byOwner.get(uid) ?? { ns: o.metadata.namespace!, names: [] };
    if (entry.names.length === count) return;
    while (entry.names.length > count) this.remove(entry.ns, entry.names.pop()!);
    while (entry.names.length < count) {
      const name = `${o.metadata.name}-pending-${entry.names.length}`;
      this.create(o, name);
      entry.names.push(name);
    }
    if (entry.names.length > 0) this.byOwner.set(uid, entry);
    else this.byOwner.delete(uid);
  }

  /** Delete the pods of workloads no longer there (garbage collection would too; this is at once). */
  prune(live: ReadonlySet<string>): void {
    for (const [uid, entry] of this.byOwner) {
      if (live.has(uid)) continue;
      for (const name of entry.names) this.remove(entry.ns, name);
      this.byOwner.delete(uid);
    }
  }

  private pods() {
    return this.registry.get('', 'pods')!;
  }

  private create(o: KubeObject, name: string): void {
    const template = ((o as Obj).spec?.template ?? {}) as Obj;
    const pod: Obj = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name, namespace: o.metadata.namespace, labels: { ...(template.metadata?.labels ?? {}) },
        ownerReferences: [{ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: structuredClone(template.spec ?? {}),
    };
    const n = this.nodes();
    const status = {
      phase: 'Pending',
      qosClass: 'BestEffort',
      conditions: [{
        type: 'PodScheduled', status: 'False', reason: 'Unschedulable', lastProbeTime: null, lastTransitionTime: kubeTime(new Date()),
        message: `0/${n} nodes are available: ${n} Too many pods. preemption: 0/${n} nodes are available: ${n} No preemption victims found for incoming pod.`,
      }],
    };
    try {
      const created = this.objects.create(this.pods(), 'v1', o.metadata.namespace, pod, { fieldManager: 'kube-controller-manager' }).obj;
      this.objects.update(this.pods(), 'v1', o.metadata.namespace, name, { ...created, status }, { subresource: 'status', fieldManager: 'kube-scheduler' });
    } catch (err) {
      // A template the API refuses as a Pod (or a namespace being deleted) gets no pod, as in a real cluster.
      if (!(err instanceof ApiError)) throw err;
    }
  }

  private remove(ns: string, name: string): void {
    try {
      this.objects.delete(this.pods(), ns, name);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }
}
