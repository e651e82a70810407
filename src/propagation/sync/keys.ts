// Pure mappings between the keys of federated objects, member objects and version
// records. The member informers' event handlers use them to find the federated object
// a member object belongs to (docs/contributing.md: map secondary events back with a pure function).
import { propagatedVersionName } from '../../api/core.js';
import type { KubeObject } from '../../api/meta.js';

export interface KeyScope {
  /** the target kind is namespaced (Deployment), not cluster-scoped (ClusterRole, Namespace) */
  targetNamespaced: boolean;
  /** the target is the core Namespace (its FederatedNamespace lives in the namespace itself) */
  namespaceTarget: boolean;
}

function split(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** Federated object key (`ns/name` or `name`) of a member object. */
export function federatedKeyForMember(obj: KubeObject, scope: KeyScope): string {
  const name = obj.metadata.name ?? '';
  if (scope.namespaceTarget) return `${name}/${name}`;
  if (scope.targetNamespaced) return `${obj.metadata.namespace ?? ''}/${name}`;
  return name;
}

/** Member object key (informer cache key) of a federated object key. */
export function memberKeyForFederated(fedKey: string, scope: KeyScope): string {
  const { namespace, name } = split(fedKey);
  if (scope.namespaceTarget) return name;
  if (scope.targetNamespaced) return `${namespace ?? ''}/${name}`;
  return name;
}

/** Cache key of the (Cluster)PropagatedVersion of a federated object. */
export function versionRecordKey(fedKey: string, targetKind: string): string {
  const { namespace, name } = split(fedKey);
  const recordName = propagatedVersionName(targetKind, name);
  return namespace ? `${namespace}/${recordName}` : recordName;
}

/** Every federated object key in `namespace` among `keys` (a FederatedNamespace changed). */
export function keysInNamespace(keys: Iterable<string>, namespace: string): string[] {
  const prefix = `${namespace}/`;
  return [...keys].filter((k) => k.startsWith(prefix));
}
