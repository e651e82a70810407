// k8s.io/api rbac/v1, authentication/v1 TokenRequest and policy/v1 Eviction messages (generated.proto).
import { deleteOptions, labelSelector, objectMeta } from './meta-schemas.js';
import { int64, lazy, list, message, obj, ref, scalar, str } from './schema.js';

const policyRule = lazy(() => message('PolicyRule', {
  1: list('verbs', 'string', 'null'),
  2: list('apiGroups', 'string'),
  3: list('resources', 'string'),
  4: list('resourceNames', 'string'),
  5: list('nonResourceURLs', 'string'),
}));

export const role = lazy(() => message('Role', {
  1: obj('metadata', objectMeta),
  2: list('rules', policyRule, 'null'),
}));

export const clusterRole = lazy(() => message('ClusterRole', {
  1: obj('metadata', objectMeta),
  2: list('rules', policyRule, 'null'),
  3: ref('aggregationRule', lazy(() => message('AggregationRule', {
    1: list('clusterRoleSelectors', labelSelector),
  }))),
}));

const subject = lazy(() => message('Subject', {
  1: str('kind', 'keep'),
  2: str('apiGroup'),
  3: str('name', 'keep'),
  4: str('namespace'),
}));

const roleRef = lazy(() => message('RoleRef', {
  1: str('apiGroup', 'keep'),
  2: str('kind', 'keep'),
  3: str('name', 'keep'),
}));

/** RoleBinding and ClusterRoleBinding have the same fields. */
export const binding = (name: string) => lazy(() => message(name, {
  1: obj('metadata', objectMeta),
  2: list('subjects', subject),
  3: obj('roleRef', roleRef),
}));

const boundObjectReference = lazy(() => message('BoundObjectReference', {
  1: str('kind'),
  2: str('apiVersion'),
  3: str('name'),
  4: str('uid'),
}));

export const tokenRequest = lazy(() => message('TokenRequest', {
  1: obj('metadata', objectMeta),
  2: obj('spec', lazy(() => message('TokenRequestSpec', {
    1: list('audiences', 'string', 'null'),
    // Pointers whose JSON tags have no omitempty: `null` when unset.
    4: int64('expirationSeconds', 'null'),
    3: ref('boundObjectRef', boundObjectReference, 'null'),
  }))),
  3: obj('status', lazy(() => message('TokenRequestStatus', {
    1: str('token', 'keep'),
    2: scalar('expirationTimestamp', 'time', 'keep'),
  }))),
}));

export const eviction = lazy(() => message('Eviction', {
  1: obj('metadata', objectMeta),
  2: ref('deleteOptions', deleteOptions),
}));
