// k8s.io/api core/v1 pod template messages (generated.proto): the parts that `kubectl create
// deployment/job/cronjob` fill and the common ones a typed client sends. A field left out here
// that arrives with a value is refused (415) by the decoder, never dropped.
import { keySelector, localObjectReference } from './core-schemas.js';
import { objectMeta } from './meta-schemas.js';
import { bool, inline, int32, int64, lazy, list, map, message, obj, ref, scalar, str } from './schema.js';

const keyToPath = lazy(() => message('KeyToPath', {
  1: str('key', 'keep'),
  2: str('path', 'keep'),
  3: int32('mode', 'ptr'),
  4: int64('user', 'ptr'),
}));

const volumeSource = lazy(() => message('VolumeSource', {
  1: ref('hostPath', lazy(() => message('HostPathVolumeSource', {
    1: str('path', 'keep'),
    2: str('type', 'ptr'),
  }))),
  2: ref('emptyDir', lazy(() => message('EmptyDirVolumeSource', {
    1: str('medium'),
    2: scalar('sizeLimit', 'quantity', 'ptr'),
    3: int32('mode', 'ptr'),
  }))),
  6: ref('secret', lazy(() => message('SecretVolumeSource', {
    1: str('secretName'),
    2: list('items', keyToPath),
    3: int32('defaultMode', 'ptr'),
    4: bool('optional', 'ptr'),
    5: int64('defaultUser', 'ptr'),
  }))),
  10: ref('persistentVolumeClaim', lazy(() => message('PersistentVolumeClaimVolumeSource', {
    1: str('claimName', 'keep'),
    2: bool('readOnly'),
  }))),
  19: ref('configMap', lazy(() => message('ConfigMapVolumeSource', {
    1: inline(localObjectReference),
    2: list('items', keyToPath),
    3: int32('defaultMode', 'ptr'),
    4: bool('optional', 'ptr'),
    5: int64('defaultUser', 'ptr'),
  }))),
}));

const volume = lazy(() => message('Volume', {
  1: str('name', 'keep'),
  2: inline(volumeSource),
}));

const containerPort = lazy(() => message('ContainerPort', {
  1: str('name'),
  2: int32('hostPort'),
  3: int32('containerPort', 'keep'),
  4: str('protocol'),
  5: str('hostIP'),
}));

export const resourceRequirements = lazy(() => message('ResourceRequirements', {
  1: map('limits', 'quantity'),
  2: map('requests', 'quantity'),
  3: list('claims', lazy(() => message('ResourceClaim', {
    1: str('name', 'keep'),
    2: str('request'),
  }))),
}));

const envVarSource = lazy(() => message('EnvVarSource', {
  1: ref('fieldRef', lazy(() => message('ObjectFieldSelector', {
    1: str('apiVersion'),
    2: str('fieldPath', 'keep'),
  }))),
  3: ref('configMapKeyRef', keySelector('ConfigMapKeySelector')),
  4: ref('secretKeyRef', keySelector('SecretKeySelector')),
}));

const envVar = lazy(() => message('EnvVar', {
  1: str('name', 'keep'),
  2: str('value'),
  3: ref('valueFrom', envVarSource),
}));

/** ConfigMapEnvSource, SecretEnvSource. */
const envSource = (name: string) => lazy(() => message(name, {
  1: inline(localObjectReference),
  2: bool('optional', 'ptr'),
}));

const envFromSource = lazy(() => message('EnvFromSource', {
  1: str('prefix'),
  2: ref('configMapRef', envSource('ConfigMapEnvSource')),
  3: ref('secretRef', envSource('SecretEnvSource')),
}));

const volumeMount = lazy(() => message('VolumeMount', {
  1: str('name', 'keep'),
  2: bool('readOnly'),
  7: str('recursiveReadOnly', 'ptr'),
  3: str('mountPath', 'keep'),
  4: str('subPath'),
  5: str('mountPropagation', 'ptr'),
  6: str('subPathExpr'),
}));

const container = lazy(() => message('Container', {
  1: str('name', 'keep'),
  2: str('image'),
  3: list('command', 'string'),
  4: list('args', 'string'),
  5: str('workingDir'),
  6: list('ports', containerPort),
  19: list('envFrom', envFromSource),
  7: list('env', envVar),
  8: obj('resources', resourceRequirements),
  24: str('restartPolicy', 'ptr'),
  9: list('volumeMounts', volumeMount),
  13: str('terminationMessagePath'),
  20: str('terminationMessagePolicy'),
  14: str('imagePullPolicy'),
  16: bool('stdin'),
  17: bool('stdinOnce'),
  18: bool('tty'),
}));

const toleration = lazy(() => message('Toleration', {
  1: str('key'),
  2: str('operator'),
  3: str('value'),
  4: str('effect'),
  5: int64('tolerationSeconds', 'ptr'),
}));

const podSpec = lazy(() => message('PodSpec', {
  1: list('volumes', volume),
  20: list('initContainers', container),
  2: list('containers', container, 'null'),
  3: str('restartPolicy'),
  4: int64('terminationGracePeriodSeconds', 'ptr'),
  5: int64('activeDeadlineSeconds', 'ptr'),
  6: str('dnsPolicy'),
  7: map('nodeSelector', 'string'),
  8: str('serviceAccountName'),
  9: str('serviceAccount'),
  21: bool('automountServiceAccountToken', 'ptr'),
  10: str('nodeName'),
  11: bool('hostNetwork'),
  12: bool('hostPID'),
  13: bool('hostIPC'),
  27: bool('shareProcessNamespace', 'ptr'),
  15: list('imagePullSecrets', localObjectReference),
  16: str('hostname'),
  17: str('subdomain'),
  19: str('schedulerName'),
  22: list('tolerations', toleration),
  24: str('priorityClassName'),
  25: int32('priority', 'ptr'),
  29: str('runtimeClassName', 'ptr'),
  30: bool('enableServiceLinks', 'ptr'),
  31: str('preemptionPolicy', 'ptr'),
  32: map('overhead', 'quantity'),
  35: bool('setHostnameAsFQDN', 'ptr'),
  37: bool('hostUsers', 'ptr'),
  40: ref('resources', resourceRequirements),
  41: str('hostnameOverride', 'ptr'),
}));

export const podTemplateSpec = lazy(() => message('PodTemplateSpec', {
  1: obj('metadata', objectMeta),
  2: obj('spec', podSpec),
}));
