// Host informers every sync controller shares: version records (PropagatedVersion and
// ClusterPropagatedVersion) and FederatedNamespaces (namespaced kinds are placed only
// where their namespace is). One list+watch each, however many types are enabled.
// Any FederatedNamespace change re-enqueues the objects in its namespace: a placement
// change moves them, and a status change means the namespace now exists in members, so
// objects whose creation failed for want of it can go at once instead of after backoff.
// kfed's policies (policy-caches.ts) are shared the same way. The informers come from the
// owner's scope (the FederatedTypeConfig controller's), which starts and releases them.
import type { PropagatedVersion } from '../../api/core.js';
import type { FederatedObject } from '../../api/federation.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import type { Informer } from '../../kube/informer.js';
import type { InformerScope } from '../../kube/informer-factory.js';
import type { ResourceRef } from '../../kube/resource.js';
import { PolicyCaches } from '../policy/policy-caches.js';
import { CLUSTER_PROPAGATED_VERSIONS, PROPAGATED_VERSIONS } from '../../api/core.js';
import { FEDERATED_NAMESPACES } from '../../api/federation.js';

export interface HostCachesOptions {
  host: ClusterClient;
  /** KubeFedConfig scope Namespaced: only the KubeFed namespace is watched. */
  namespace?: string;
  informers: InformerScope;
}

export class HostCaches {
  readonly versions: Informer<PropagatedVersion>;
  readonly clusterVersions: Informer<PropagatedVersion>;
  readonly federatedNamespaces: Informer<FederatedObject>;
  readonly policies: PolicyCaches;
  private readonly fnsListeners = new Set<(namespace: string) => void>();

  constructor(o: HostCachesOptions) {
    const make = <T extends PropagatedVersion | FederatedObject>(resource: ResourceRef): Informer<T> =>
      o.informers.informer<T>(o.host, resource, resource.namespaced && o.namespace ? { namespace: o.namespace } : {});
    this.versions = make<PropagatedVersion>(PROPAGATED_VERSIONS);
    this.clusterVersions = make<PropagatedVersion>(CLUSTER_PROPAGATED_VERSIONS);
    this.federatedNamespaces = make<FederatedObject>(FEDERATED_NAMESPACES);
    this.policies = new PolicyCaches(o);
    const emit = (obj: FederatedObject): void => {
      for (const l of this.fnsListeners) l(obj.metadata.namespace ?? '');
    };
    this.federatedNamespaces.addHandlers({ onAdd: emit, onUpdate: (_a, b) => emit(b), onDelete: emit });
  }

  /** Called with the namespace whose FederatedNamespace was added, changed or deleted. */
  onFederatedNamespace(fn: (namespace: string) => void): () => void {
    this.fnsListeners.add(fn);
    return () => this.fnsListeners.delete(fn);
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([this.versions.waitForSync(signal), this.clusterVersions.waitForSync(signal), this.federatedNamespaces.waitForSync(signal), this.policies.waitForSync(signal)]);
  }
}
