// `kfed federate`'s pure core: a Federated<Kind> object built from an existing object.
// The template keeps what a user wrote (spec/data/rules..., labels, annotations) and drops
// what the API server or member controllers filled in, so propagating it to another
// cluster neither fails (immutable allocated fields) nor fights a controller.
import type { KubeObject } from '../api/meta.js';
import { apiVersionOf } from '../api/core.js';
import type { FederatedObject, Placement } from '../api/federation.js';
import type { FederatedTypeOptions, TargetAPIResource } from '../propagation/types/federated-crd.js';
import { federatedTypeFor } from '../propagation/types/federated-crd.js';
import { templateFrom } from '../propagation/template.js';

export { templateFrom };

export interface FederateOptions extends FederatedTypeOptions {
  /** default `clusterSelector: {}` (every cluster), as kubefedctl federate */
  placement?: Placement;
}

/**
 * Federated<Kind> for `obj`. Same name; same namespace, except a Namespace whose
 * FederatedNamespace lives in the namespace itself.
 */
export function federatedObjectFrom(obj: KubeObject, target: TargetAPIResource, opts: FederateOptions = {}): FederatedObject {
  const fedType = federatedTypeFor(target, opts);
  const name = obj.metadata.name ?? '';
  const namespace = target.namespaced ? obj.metadata.namespace : target.group === '' && target.plural === 'namespaces' ? name : undefined;
  return {
    apiVersion: apiVersionOf({ ...(fedType.group ? { group: fedType.group } : {}), version: fedType.version }),
    kind: fedType.kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec: { template: templateFrom(obj), placement: opts.placement ?? { clusterSelector: {} } },
  };
}
