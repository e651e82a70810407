// What `kfed join` creates in a member, named as kubefedctl names it so that kubefedctl
// and kfed can unjoin each other's members.
//
// Permissions (documented in the README, "Member permissions"): kubefedctl bound the
// member service account to `*` verbs on `*` resources plus GET on every non-resource
// URL. kfed must still write any federated type (a later `kfed enable` can add any
// kind, so resources cannot be listed up front), but it never impersonates, escalates
// or binds roles it does not hold, approves or signs certificates, or reads non-resource
// URLs other than health, version and discovery. So the role grants the object verbs
// on every resource and GET on those URLs only; everything else is refused with 403.
import type { KubeObject } from '../api/meta.js';

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

/** The verbs the sync, status and DNS controllers use on member objects. */
export const OBJECT_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** Non-resource URLs kfed reads: health probes, version, discovery. */
export const NON_RESOURCE_URLS = ['/healthz', '/livez', '/readyz', '/version', '/version/', '/api', '/api/*', '/apis', '/apis/*'];

export const CLUSTER_SCOPED_RULES: PolicyRule[] = [
  { apiGroups: ['*'], resources: ['*'], verbs: OBJECT_VERBS },
  { nonResourceURLs: NON_RESOURCE_URLS, verbs: ['get'] },
];

/** Namespaced federation: objects only in the KubeFed namespace (a Role) ... */
export const NAMESPACED_RULES: PolicyRule[] = [{ apiGroups: ['*'], resources: ['*'], verbs: OBJECT_VERBS }];

/** ... plus health, version and Node labels cluster-wide (Kubefed's health-check role). */
export const HEALTH_CHECK_RULES: PolicyRule[] = [
  { nonResourceURLs: NON_RESOURCE_URLS, verbs: ['get'] },
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
];

export interface MemberNames {
  serviceAccount: string;
  tokenSecret: string;
  /** ClusterRole + binding (cluster scope) or Role + binding in the KubeFed namespace (namespaced scope). */
  role: string;
  /** Namespaced scope only: ClusterRole + binding for health checks. */
  healthCheckRole: string;
}

export function memberNames(clusterName: string, hostClusterName: string, namespace: string): MemberNames {
  const sa = `${clusterName}-${hostClusterName}`;
  return {
    serviceAccount: sa,
    tokenSecret: sa,
    role: `kubefed-controller-manager:${sa}`,
    healthCheckRole: `kubefed-controller-manager:${namespace}:healthcheck-${sa}`,
  };
}

const RBAC = 'rbac.authorization.k8s.io/v1';
export const JOIN_LABEL = 'kubefed.io/joined-by';

export function roleObject(kind: 'ClusterRole' | 'Role', name: string, rules: PolicyRule[], namespace?: string): KubeObject {
  return { apiVersion: RBAC, kind, metadata: { name, ...(namespace ? { namespace } : {}), labels: { [JOIN_LABEL]: 'kfed' } }, rules } as KubeObject;
}

export function bindingObject(kind: 'ClusterRoleBinding' | 'RoleBinding', name: string, roleKind: 'ClusterRole' | 'Role', sa: string, saNamespace: string, namespace?: string): KubeObject {
  return {
    apiVersion: RBAC,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}), labels: { [JOIN_LABEL]: 'kfed' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name },
    subjects: [{ kind: 'ServiceAccount', name: sa, namespace: saNamespace }],
  } as KubeObject;
}
