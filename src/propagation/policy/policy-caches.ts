// Informers on kfed's selector-based policies (policy.kfed.io): PropagationPolicy and
// ClusterPropagationPolicy place federated objects without placement of their own;
// OverridePolicy and ClusterOverridePolicy add per-cluster overrides. Shared by every
// sync controller through HostCaches. A policy selects objects by kind, name, namespace
// and labels, so any change may move any object of any type: listeners re-enqueue all.
import type { OverridePolicy, PropagationPolicy } from '../../api/federation.js';
import { CLUSTER_OVERRIDE_POLICIES, CLUSTER_PROPAGATION_POLICIES, OVERRIDE_POLICIES, PROPAGATION_POLICIES } from '../../api/federation.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import type { Informer } from '../../kube/informer.js';
import type { InformerScope } from '../../kube/informer-factory.js';
import type { ResourceRef } from '../../kube/resource.js';

export interface PolicyCachesOptions {
  host: ClusterClient;
  informers: InformerScope;
  /** KubeFedConfig scope Namespaced: namespaced policies only from this namespace. */
  namespace?: string | undefined;
}

export class PolicyCaches {
  private readonly propagationInformers: Informer<PropagationPolicy>[];
  private readonly overrideInformers: Informer<OverridePolicy>[];
  private readonly listeners = new Set<() => void>();

  constructor(o: PolicyCachesOptions) {
    const make = <T extends PropagationPolicy | OverridePolicy>(resource: ResourceRef): Informer<T> => {
      const inf = o.informers.informer<T>(o.host, resource, resource.namespaced && o.namespace ? { namespace: o.namespace } : {});
      const emit = (): void => {
        for (const l of this.listeners) l();
      };
      // Only the spec matters to selection and effect; a metadata-only update changes nothing.
      inf.addHandlers({ onAdd: emit, onUpdate: (a, b) => { if (a.metadata.generation !== b.metadata.generation) emit(); }, onDelete: emit });
      return inf;
    };
    this.propagationInformers = [make<PropagationPolicy>(PROPAGATION_POLICIES), make<PropagationPolicy>(CLUSTER_PROPAGATION_POLICIES)];
    this.overrideInformers = [make<OverridePolicy>(OVERRIDE_POLICIES), make<OverridePolicy>(CLUSTER_OVERRIDE_POLICIES)];
  }

  /** Cached propagation policies of both scopes (never mutate them). */
  propagationPolicies(): PropagationPolicy[] {
    return this.propagationInformers.flatMap((i) => i.list());
  }

  /** Cached override policies of both scopes (never mutate them). */
  overridePolicies(): OverridePolicy[] {
    return this.overrideInformers.flatMap((i) => i.list());
  }

  /** Called after any policy was added, deleted or its spec changed. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.propagationInformers, ...this.overrideInformers].map((i) => i.waitForSync(signal)));
  }
}
