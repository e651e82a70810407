// k8s.io/api networking/v1 Ingress, policy/v1 PodDisruptionBudget and scheduling/v1 PriorityClass
// messages (generated.proto): what `kubectl create ingress|poddisruptionbudget|priorityclass` write.
import { condition, labelSelector, objectMeta } from './meta-schemas.js';
import { bool, inline, int32, int64, lazy, list, map, message, obj, ref, scalar, str } from './schema.js';

const ingressBackend = lazy(() => message('IngressBackend', {
  4: ref('service', lazy(() => message('IngressServiceBackend', {
    1: str('name', 'keep'),
    2: obj('port', lazy(() => message('ServiceBackendPort', {
      1: str('name'),
      2: int32('number'),
    }))),
  }))),
  3: ref('resource', lazy(() => message('TypedLocalObjectReference', {
    1: str('apiGroup', 'null'),
    2: str('kind', 'keep'),
    3: str('name', 'keep'),
  }))),
}));

const httpIngressPath = lazy(() => message('HTTPIngressPath', {
  1: str('path'),
  3: str('pathType', 'null'),
  2: obj('backend', ingressBackend),
}));

const ingressRule = lazy(() => message('IngressRule', {
  1: str('host'),
  2: inline(lazy(() => message('IngressRuleValue', {
    1: ref('http', lazy(() => message('HTTPIngressRuleValue', { 1: list('paths', httpIngressPath, 'null') }))),
  }))),
}));

const ingressLoadBalancerIngress = lazy(() => message('IngressLoadBalancerIngress', {
  1: str('ip'),
  2: str('hostname'),
  4: list('ports', lazy(() => message('IngressPortStatus', {
    1: int32('port', 'keep'),
    2: str('protocol', 'keep'),
    3: str('error', 'ptr'),
  }))),
}));

export const ingress = lazy(() => message('Ingress', {
  1: obj('metadata', objectMeta),
  2: obj('spec', lazy(() => message('IngressSpec', {
    4: str('ingressClassName', 'ptr'),
    1: ref('defaultBackend', ingressBackend),
    2: list('tls', lazy(() => message('IngressTLS', {
      1: list('hosts', 'string'),
      2: str('secretName'),
    }))),
    3: list('rules', ingressRule),
  }))),
  3: obj('status', lazy(() => message('IngressStatus', {
    1: obj('loadBalancer', lazy(() => message('IngressLoadBalancerStatus', { 1: list('ingress', ingressLoadBalancerIngress) }))),
  }))),
}));

export const podDisruptionBudget = lazy(() => message('PodDisruptionBudget', {
  1: obj('metadata', objectMeta),
  2: obj('spec', lazy(() => message('PodDisruptionBudgetSpec', {
    1: scalar('minAvailable', 'intstr', 'ptr'),
    2: ref('selector', labelSelector),
    3: scalar('maxUnavailable', 'intstr', 'ptr'),
    4: str('unhealthyPodEvictionPolicy', 'ptr'),
  }))),
  3: obj('status', lazy(() => message('PodDisruptionBudgetStatus', {
    1: int64('observedGeneration'),
    2: map('disruptedPods', 'time'),
    3: int32('disruptionsAllowed', 'keep'),
    4: int32('currentHealthy', 'keep'),
    5: int32('desiredHealthy', 'keep'),
    6: int32('expectedPods', 'keep'),
    7: list('conditions', condition),
  }))),
}));

export const priorityClass = lazy(() => message('PriorityClass', {
  1: obj('metadata', objectMeta),
  2: int32('value', 'keep'),
  3: bool('globalDefault'),
  4: str('description'),
  5: str('preemptionPolicy', 'ptr'),
}));
