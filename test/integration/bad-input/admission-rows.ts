// Malformed objects the API server refuses (422 Invalid) through kfed's CRD schemas. One row
// per input; the README's "Bad input" table lists them (rows A1..). `error` is what the
// refusal message must contain: the field path and the reason the API server gives.
import type { KubeObject } from '../../../src/api/meta.js';
import type { ResourceRef } from '../../../src/kube/resource.js';

const ref = (group: string, version: string, resource: string, kind: string, namespaced = true): ResourceRef => ({ group, version, resource, kind, namespaced });
export const KUBEFED_CONFIGS = ref('core.kubefed.io', 'v1beta1', 'kubefedconfigs', 'KubeFedConfig');
export const KUBEFED_CLUSTERS = ref('core.kubefed.io', 'v1beta1', 'kubefedclusters', 'KubeFedCluster');
export const FTCS = ref('core.kubefed.io', 'v1beta1', 'federatedtypeconfigs', 'FederatedTypeConfig');
export const FED_CONFIGMAPS = ref('types.kubefed.io', 'v1beta1', 'federatedconfigmaps', 'FederatedConfigMap');
export const RSPS = ref('scheduling.kubefed.io', 'v1alpha1', 'replicaschedulingpreferences', 'ReplicaSchedulingPreference');
export const SDRS = ref('multiclusterdns.kubefed.io', 'v1alpha1', 'servicednsrecords', 'ServiceDNSRecord');
export const DNS_ENDPOINTS = ref('multiclusterdns.kubefed.io', 'v1alpha1', 'dnsendpoints', 'DNSEndpoint');
export const PROPAGATION_POLICIES = ref('policy.kfed.io', 'v1alpha1', 'propagationpolicies', 'PropagationPolicy');

export interface AdmissionRow {
  id: string;
  input: string;
  ref: ResourceRef;
  object: Record<string, unknown>;
  error: string[];
}

const kfc = (spec: Record<string, unknown>): Record<string, unknown> => ({ apiVersion: 'core.kubefed.io/v1beta1', kind: 'KubeFedConfig', spec: { scope: 'Cluster', ...spec } });
const kfcl = (spec: Record<string, unknown>): Record<string, unknown> => ({ apiVersion: 'core.kubefed.io/v1beta1', kind: 'KubeFedCluster', spec: { apiEndpoint: 'https://192.0.2.10:6443', secretRef: { name: 's' }, ...spec } });
const fcm = (spec: Record<string, unknown>): Record<string, unknown> => ({ apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap', spec: { template: {}, ...spec } });
const rsp = (spec: Record<string, unknown>): Record<string, unknown> => ({ apiVersion: 'scheduling.kubefed.io/v1alpha1', kind: 'ReplicaSchedulingPreference', spec: { targetKind: 'FederatedDeployment', totalReplicas: 3, ...spec } });
const sdr = (spec: Record<string, unknown>): Record<string, unknown> => ({ apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'ServiceDNSRecord', spec: { domainRef: 'myfed', ...spec } });
const dep = (ep: Record<string, unknown>): Record<string, unknown> => ({ apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'DNSEndpoint', spec: { endpoints: [{ dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'], ...ep }] } });
const pp = (spec: Record<string, unknown>): Record<string, unknown> => ({ apiVersion: 'policy.kfed.io/v1alpha1', kind: 'PropagationPolicy', spec: { resourceSelectors: [{ kind: 'ConfigMap' }], placement: { clusterSelector: {} }, ...spec } });
const ftc = (spec: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: 'core.kubefed.io/v1beta1', kind: 'FederatedTypeConfig',
  spec: {
    targetType: { version: 'v1', kind: 'Widget', pluralName: 'widgets', scope: 'Namespaced' },
    federatedType: { group: 'types.kubefed.io', version: 'v1beta1', kind: 'FederatedWidget', pluralName: 'federatedwidgets', scope: 'Namespaced' },
    propagation: 'Enabled', ...spec,
  },
});

export const ADMISSION_ROWS: AdmissionRow[] = [
  { id: 'A1', input: 'KubeFedConfig spec.scope: Everything', ref: KUBEFED_CONFIGS, object: kfc({ scope: 'Everything' }), error: ['spec.scope', 'Unsupported value: "Everything"'] },
  { id: 'A2', input: 'KubeFedConfig without spec', ref: KUBEFED_CONFIGS, object: { apiVersion: 'core.kubefed.io/v1beta1', kind: 'KubeFedConfig' }, error: ['spec', 'Required value'] },
  { id: 'A3', input: 'KubeFedConfig leaderElect.resourceLock: etcd', ref: KUBEFED_CONFIGS, object: kfc({ leaderElect: { resourceLock: 'etcd' } }), error: ['spec.leaderElect.resourceLock', 'Unsupported value: "etcd"'] },
  { id: 'A4', input: 'KubeFedConfig featureGates[].configuration: On', ref: KUBEFED_CONFIGS, object: kfc({ featureGates: [{ name: 'PushReconciler', configuration: 'On' }] }), error: ['configuration', 'Unsupported value: "On"'] },
  { id: 'A5', input: 'KubeFedConfig feature gate without a name', ref: KUBEFED_CONFIGS, object: kfc({ featureGates: [{ configuration: 'Enabled' }] }), error: ['name', 'Required value'] },
  { id: 'A6', input: 'KubeFedConfig clusterHealthCheck.failureThreshold: 0', ref: KUBEFED_CONFIGS, object: kfc({ clusterHealthCheck: { failureThreshold: 0 } }), error: ['spec.clusterHealthCheck.failureThreshold', 'greater than or equal to 1'] },
  { id: 'A7', input: 'KubeFedConfig clusterHealthCheck.successThreshold: -1', ref: KUBEFED_CONFIGS, object: kfc({ clusterHealthCheck: { successThreshold: -1 } }), error: ['spec.clusterHealthCheck.successThreshold', 'greater than or equal to 1'] },
  { id: 'A8', input: 'KubeFedConfig clusterHealthCheck.failureThreshold: "3" (a string)', ref: KUBEFED_CONFIGS, object: kfc({ clusterHealthCheck: { failureThreshold: '3' } }), error: ['spec.clusterHealthCheck.failureThreshold', 'must be of type integer'] },
  { id: 'A9', input: 'KubeFedConfig clusterHealthCheck.period: "10 seconds"', ref: KUBEFED_CONFIGS, object: kfc({ clusterHealthCheck: { period: '10 seconds' } }), error: ['spec.clusterHealthCheck.period', 'should match'] },
  { id: 'A10', input: 'KubeFedConfig clusterHealthCheck.timeout: -1s', ref: KUBEFED_CONFIGS, object: kfc({ clusterHealthCheck: { timeout: '-1s' } }), error: ['spec.clusterHealthCheck.timeout', 'should match'] },
  { id: 'A11', input: 'KubeFedConfig leaderElect.leaseDuration: forever', ref: KUBEFED_CONFIGS, object: kfc({ leaderElect: { leaseDuration: 'forever' } }), error: ['spec.leaderElect.leaseDuration', 'should match'] },
  { id: 'A12', input: 'KubeFedConfig leaderElect.retryPeriod: 5 (no unit)', ref: KUBEFED_CONFIGS, object: kfc({ leaderElect: { retryPeriod: '5' } }), error: ['spec.leaderElect.retryPeriod', 'should match'] },
  { id: 'A13', input: 'KubeFedConfig controllerDuration.availableDelay: 1 minute', ref: KUBEFED_CONFIGS, object: kfc({ controllerDuration: { availableDelay: '1 minute' } }), error: ['spec.controllerDuration.availableDelay', 'should match'] },
  { id: 'A14', input: 'KubeFedConfig syncController.adoptResources: Yes', ref: KUBEFED_CONFIGS, object: kfc({ syncController: { adoptResources: 'Yes' } }), error: ['spec.syncController.adoptResources', 'Unsupported value: "Yes"'] },
  { id: 'A15', input: 'KubeFedCluster without apiEndpoint', ref: KUBEFED_CLUSTERS, object: { apiVersion: 'core.kubefed.io/v1beta1', kind: 'KubeFedCluster', spec: { secretRef: { name: 's' } } }, error: ['spec.apiEndpoint', 'Required value'] },
  { id: 'A16', input: 'KubeFedCluster secretRef without name', ref: KUBEFED_CLUSTERS, object: kfcl({ secretRef: {} }), error: ['spec.secretRef.name', 'Required value'] },
  { id: 'A17', input: 'KubeFedCluster disabledTLSValidations: [Everything]', ref: KUBEFED_CLUSTERS, object: kfcl({ disabledTLSValidations: ['Everything'] }), error: ['disabledTLSValidations', 'Unsupported value: "Everything"'] },
  { id: 'A18', input: 'KubeFedCluster apiEndpoint: 42 (a number)', ref: KUBEFED_CLUSTERS, object: kfcl({ apiEndpoint: 42 }), error: ['spec.apiEndpoint', 'must be of type string'] },
  { id: 'A19', input: 'FederatedTypeConfig propagation: Maybe', ref: FTCS, object: ftc({ propagation: 'Maybe' }), error: ['spec.propagation', 'Unsupported value: "Maybe"'] },
  { id: 'A20', input: 'FederatedTypeConfig targetType.scope: Global', ref: FTCS, object: ftc({ targetType: { version: 'v1', kind: 'Widget', pluralName: 'widgets', scope: 'Global' } }), error: ['spec.targetType.scope', 'Unsupported value: "Global"'] },
  { id: 'A21', input: 'FederatedTypeConfig without federatedType', ref: FTCS, object: ftc({ federatedType: undefined }), error: ['spec.federatedType', 'Required value'] },
  { id: 'A22', input: 'Federated<Kind> clusterSelector operator: Near', ref: FED_CONFIGMAPS, object: fcm({ placement: { clusterSelector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } } }), error: ['operator', 'Unsupported value: "Near"'] },
  { id: 'A23', input: 'Federated<Kind> placement.clusters[] without name', ref: FED_CONFIGMAPS, object: fcm({ placement: { clusters: [{}] } }), error: ['name', 'Required value'] },
  { id: 'A24', input: 'Federated<Kind> overrides[] without clusterName', ref: FED_CONFIGMAPS, object: fcm({ overrides: [{ clusterOverrides: [] }] }), error: ['clusterName', 'Required value'] },
  { id: 'A25', input: 'Federated<Kind> override op: move', ref: FED_CONFIGMAPS, object: fcm({ overrides: [{ clusterName: 'c', clusterOverrides: [{ op: 'move', path: '/data' }] }] }), error: ['op', 'should match'] },
  { id: 'A26', input: 'Federated<Kind> override without path', ref: FED_CONFIGMAPS, object: fcm({ overrides: [{ clusterName: 'c', clusterOverrides: [{ value: 1 }] }] }), error: ['path', 'Required value'] },
  { id: 'A27', input: 'ReplicaSchedulingPreference targetKind: FederatedStatefulSet', ref: RSPS, object: rsp({ targetKind: 'FederatedStatefulSet' }), error: ['spec.targetKind', 'Unsupported value: "FederatedStatefulSet"'] },
  { id: 'A28', input: 'ReplicaSchedulingPreference totalReplicas: -1', ref: RSPS, object: rsp({ totalReplicas: -1 }), error: ['spec.totalReplicas', 'greater than or equal to 0'] },
  { id: 'A29', input: 'ReplicaSchedulingPreference weight: -2', ref: RSPS, object: rsp({ clusters: { c1: { weight: -2 } } }), error: ['weight', 'greater than or equal to 0'] },
  { id: 'A30', input: 'ReplicaSchedulingPreference without totalReplicas', ref: RSPS, object: rsp({ totalReplicas: undefined }), error: ['spec.totalReplicas', 'Required value'] },
  { id: 'A31', input: 'ServiceDNSRecord without domainRef', ref: SDRS, object: sdr({ domainRef: undefined }), error: ['spec.domainRef', 'Required value'] },
  { id: 'A32', input: 'ServiceDNSRecord healthCheck.protocol: ICMP', ref: SDRS, object: sdr({ healthCheck: { protocol: 'ICMP' } }), error: ['protocol', 'Unsupported value: "ICMP"'] },
  { id: 'A33', input: 'ServiceDNSRecord healthCheck.port: 0', ref: SDRS, object: sdr({ healthCheck: { port: 0 } }), error: ['port', 'greater than or equal to 1'] },
  { id: 'A34', input: 'DNSEndpoint record without dnsName', ref: DNS_ENDPOINTS, object: dep({ dnsName: undefined }), error: ['dnsName', 'Required value'] },
  { id: 'A35', input: 'DNSEndpoint recordType: BOGUS', ref: DNS_ENDPOINTS, object: dep({ recordType: 'BOGUS' }), error: ['recordType', 'Unsupported value: "BOGUS"'] },
  { id: 'A36', input: 'DNSEndpoint dnsName: "bad name!"', ref: DNS_ENDPOINTS, object: dep({ dnsName: 'bad name!' }), error: ['dnsName', 'should match'] },
  { id: 'A37', input: 'PropagationPolicy resourceSelectors: []', ref: PROPAGATION_POLICIES, object: pp({ resourceSelectors: [] }), error: ['spec.resourceSelectors', 'at least 1 items'] },
  { id: 'A38', input: 'PropagationPolicy resource selector without kind', ref: PROPAGATION_POLICIES, object: pp({ resourceSelectors: [{ name: 'x' }] }), error: ['kind', 'Required value'] },
  { id: 'A39', input: 'PropagationPolicy without placement', ref: PROPAGATION_POLICIES, object: pp({ placement: undefined }), error: ['spec.placement', 'Required value'] },
];

/** The object of a row, named and placed for creation. */
export function rowObject(row: AdmissionRow, namespace: string): KubeObject {
  const o = JSON.parse(JSON.stringify(row.object)) as KubeObject;
  o.metadata = { name: `bad-${row.id.toLowerCase()}`, ...(row.ref.namespaced ? { namespace } : {}) };
  return o;
}
