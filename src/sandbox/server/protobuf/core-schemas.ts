// k8s.io/api core/v1 messages (generated.proto) of the objects `kubectl create` writes, but pods.
import { condition, objectMeta } from './meta-schemas.js';
import { bool, inline, int32, lazy, list, map, message, obj, ref, scalar, str } from './schema.js';

export const localObjectReference = lazy(() => message('LocalObjectReference', {
  1: str('name'),
}));

export const objectReference = lazy(() => message('ObjectReference', {
  1: str('kind'),
  2: str('namespace'),
  3: str('name'),
  4: str('uid'),
  5: str('apiVersion'),
  6: str('resourceVersion'),
  7: str('fieldPath'),
}));

const namespaceCondition = lazy(() => message('NamespaceCondition', {
  1: str('type', 'keep'),
  2: str('status', 'keep'),
  4: scalar('lastTransitionTime', 'time', 'keep'),
  5: str('reason'),
  6: str('message'),
}));

export const namespace = lazy(() => message('Namespace', {
  1: obj('metadata', objectMeta),
  2: obj('spec', lazy(() => message('NamespaceSpec', { 1: list('finalizers', 'string') }))),
  3: obj('status', lazy(() => message('NamespaceStatus', {
    1: str('phase'),
    2: list('conditions', namespaceCondition),
  }))),
}));

export const configMap = lazy(() => message('ConfigMap', {
  1: obj('metadata', objectMeta),
  4: bool('immutable', 'ptr'),
  2: map('data', 'string'),
  3: map('binaryData', 'bytes'),
}));

export const secret = lazy(() => message('Secret', {
  1: obj('metadata', objectMeta),
  5: bool('immutable', 'ptr'),
  2: map('data', 'bytes'),
  4: map('stringData', 'string'),
  3: str('type'),
}));

export const serviceAccount = lazy(() => message('ServiceAccount', {
  1: obj('metadata', objectMeta),
  2: list('secrets', objectReference),
  3: list('imagePullSecrets', localObjectReference),
  4: bool('automountServiceAccountToken', 'ptr'),
}));

const servicePort = lazy(() => message('ServicePort', {
  1: str('name'),
  2: str('protocol'),
  6: str('appProtocol', 'ptr'),
  3: int32('port', 'keep'),
  4: scalar('targetPort', 'intstr', 'keep'),
  5: int32('nodePort'),
}));

const sessionAffinityConfig = lazy(() => message('SessionAffinityConfig', {
  1: ref('clientIP', lazy(() => message('ClientIPConfig', { 1: int32('timeoutSeconds', 'ptr') }))),
}));

const loadBalancerIngress = lazy(() => message('LoadBalancerIngress', {
  1: str('ip'),
  2: str('hostname'),
  3: str('ipMode', 'ptr'),
  4: list('ports', lazy(() => message('PortStatus', {
    1: int32('port', 'keep'),
    2: str('protocol', 'keep'),
    3: str('error', 'ptr'),
  }))),
}));

export const service = lazy(() => message('Service', {
  1: obj('metadata', objectMeta),
  2: obj('spec', lazy(() => message('ServiceSpec', {
    1: list('ports', servicePort),
    2: map('selector', 'string'),
    3: str('clusterIP'),
    18: list('clusterIPs', 'string'),
    4: str('type'),
    5: list('externalIPs', 'string'),
    7: str('sessionAffinity'),
    8: str('loadBalancerIP'),
    9: list('loadBalancerSourceRanges', 'string'),
    10: str('externalName'),
    11: str('externalTrafficPolicy'),
    12: int32('healthCheckNodePort'),
    13: bool('publishNotReadyAddresses'),
    14: ref('sessionAffinityConfig', sessionAffinityConfig),
    19: list('ipFamilies', 'string'),
    17: str('ipFamilyPolicy', 'ptr'),
    20: bool('allocateLoadBalancerNodePorts', 'ptr'),
    21: str('loadBalancerClass', 'ptr'),
    22: str('internalTrafficPolicy', 'ptr'),
    23: str('trafficDistribution', 'ptr'),
  }))),
  3: obj('status', lazy(() => message('ServiceStatus', {
    1: obj('loadBalancer', lazy(() => message('LoadBalancerStatus', { 1: list('ingress', loadBalancerIngress) }))),
    2: list('conditions', condition),
  }))),
}));

const quotaList = (name: string) => lazy(() => message(name, {
  1: map('hard', 'quantity'),
  2: map('used', 'quantity'),
}));

export const resourceQuota = lazy(() => message('ResourceQuota', {
  1: obj('metadata', objectMeta),
  2: obj('spec', lazy(() => message('ResourceQuotaSpec', {
    1: map('hard', 'quantity'),
    2: list('scopes', 'string'),
    3: ref('scopeSelector', lazy(() => message('ScopeSelector', {
      1: list('matchExpressions', lazy(() => message('ScopedResourceSelectorRequirement', {
        1: str('scopeName', 'keep'),
        2: str('operator', 'keep'),
        3: list('values', 'string'),
      }))),
    }))),
  }))),
  3: obj('status', quotaList('ResourceQuotaStatus')),
}));

/** ConfigMapKeySelector, SecretKeySelector: a LocalObjectReference inlined, then key and optional. */
export function keySelector(name: string) {
  return lazy(() => message(name, {
    1: inline(localObjectReference),
    2: str('key', 'keep'),
    3: bool('optional', 'ptr'),
  }));
}
