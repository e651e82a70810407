// The built-in kinds every sandbox cluster serves, with the table columns kubectl shows.
import { ALL_VERBS, type PrinterColumn, type ResourceDef } from './types.js';

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function def(d: Partial<ResourceDef> & Pick<ResourceDef, 'group' | 'kind' | 'plural' | 'namespaced'> & { version: string }): ResourceDef {
  return {
    group: d.group,
    versions: [d.version],
    storageVersion: d.version,
    kind: d.kind,
    listKind: `${d.kind}List`,
    plural: d.plural,
    singular: d.kind.toLowerCase(),
    shortNames: d.shortNames ?? [],
    categories: d.categories ?? [],
    namespaced: d.namespaced,
    verbs: d.verbs ?? ALL_VERBS,
    statusSubresource: d.statusSubresource ?? false,
    ...(d.scale ? { scale: d.scale } : {}),
    // kube-apiserver's printers put Age after the default columns and before the `-o wide` ones
    columns: [...(d.columns ?? []).filter((c) => !c.priority), age, ...(d.columns ?? []).filter((c) => c.priority)],
    nameRule: d.nameRule ?? 'subdomain',
    ...(d.createOnly ? { createOnly: true } : {}),
  };
}

/** `kubectl get -o wide` of Deployments and ReplicaSets (kube-apiserver's printers). */
const workloadWide: PrinterColumn[] = [
  { name: 'Containers', type: 'string', jsonPath: '.spec.template.spec.containers[*].name', priority: 1 },
  { name: 'Images', type: 'string', jsonPath: '.spec.template.spec.containers[*].image', priority: 1 },
  { name: 'Selector', type: 'string', jsonPath: '.spec.selector', priority: 1 },
];

const replicasScale = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' };

export const BUILTIN_RESOURCES: ResourceDef[] = [
  def({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'], statusSubresource: true, nameRule: 'label',
    columns: [{ name: 'Status', type: 'string', jsonPath: '.status.phase' }] }),
  def({ group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'], statusSubresource: true, nameRule: 'label1035',
    columns: [
      { name: 'Type', type: 'string', jsonPath: '.spec.type' },
      { name: 'Cluster-IP', type: 'string', jsonPath: '.spec.clusterIP' },
      { name: 'External-IP', type: 'string', jsonPath: '.status.loadBalancer.ingress[*].ip' },
      { name: 'Port(s)', type: 'string', jsonPath: '.spec.ports[*].port' },
    ] }),
  def({ group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', namespaced: true, shortNames: ['ep'],
    columns: [{ name: 'Endpoints', type: 'string', jsonPath: '.subsets[*].addresses[*].ip' }] }),
  def({ group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true,
    columns: [{ name: 'Type', type: 'string', jsonPath: '.type' }, { name: 'Data', type: 'integer', jsonPath: '.data' }] }),
  def({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'],
    columns: [{ name: 'Data', type: 'integer', jsonPath: '.data' }] }),
  def({ group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'],
    columns: [{ name: 'Secrets', type: 'integer', jsonPath: '.secrets' }] }),
  def({ group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], statusSubresource: true,
    columns: [
      { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Region', type: 'string', jsonPath: '.metadata.labels.topology\\.kubernetes\\.io/region' },
      { name: 'Zone', type: 'string', jsonPath: '.metadata.labels.topology\\.kubernetes\\.io/zone' },
      { name: 'Version', type: 'string', jsonPath: '.status.nodeInfo.kubeletVersion' },
    ] }),
  def({ group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'],
    columns: [
      { name: 'Type', type: 'string', jsonPath: '.type' },
      { name: 'Reason', type: 'string', jsonPath: '.reason' },
      { name: 'Object', type: 'string', jsonPath: '.involvedObject.name' },
      { name: 'Message', type: 'string', jsonPath: '.message' },
    ] }),
  def({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'], statusSubresource: true,
    columns: [{ name: 'Status', type: 'string', jsonPath: '.status.phase' }] }),
  def({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'], statusSubresource: true, scale: replicasScale,
    columns: [
      { name: 'Ready', type: 'string', jsonPath: '.status.readyReplicas' },
      { name: 'Up-to-date', type: 'integer', jsonPath: '.status.updatedReplicas' },
      { name: 'Available', type: 'integer', jsonPath: '.status.availableReplicas' },
      ...workloadWide,
    ] }),
  def({ group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, shortNames: ['rs'], categories: ['all'], statusSubresource: true, scale: replicasScale,
    columns: [
      { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Current', type: 'integer', jsonPath: '.status.replicas' },
      { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas' },
      ...workloadWide,
    ] }),
  def({ group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true, categories: ['all'], statusSubresource: true,
    columns: [{ name: 'Completions', type: 'integer', jsonPath: '.spec.completions' }] }),
  def({ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', namespaced: true, shortNames: ['ing'], statusSubresource: true,
    columns: [
      { name: 'Class', type: 'string', jsonPath: '.spec.ingressClassName' },
      { name: 'Hosts', type: 'string', jsonPath: '.spec.rules[*].host' },
      { name: 'Address', type: 'string', jsonPath: '.status.loadBalancer.ingress[*].ip' },
    ] }),
  def({ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true,
    columns: [{ name: 'AddressType', type: 'string', jsonPath: '.addressType' }, { name: 'Endpoints', type: 'string', jsonPath: '.endpoints[*].addresses[0]' }] }),
  def({ group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true, shortNames: ['pdb'], statusSubresource: true,
    columns: [
      { name: 'Min Available', type: 'string', jsonPath: '.spec.minAvailable' },
      { name: 'Max Unavailable', type: 'string', jsonPath: '.spec.maxUnavailable' },
    ] }),
  def({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true,
    columns: [{ name: 'Holder', type: 'string', jsonPath: '.spec.holderIdentity' }] }),
  def({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true, nameRule: 'path' }),
  def({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false, nameRule: 'path' }),
  def({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true, nameRule: 'path',
    columns: [{ name: 'Role', type: 'string', jsonPath: '.roleRef.name' }] }),
  def({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false, nameRule: 'path',
    columns: [{ name: 'Role', type: 'string', jsonPath: '.roleRef.name' }] }),
  def({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false, shortNames: ['crd', 'crds'], statusSubresource: true,
    columns: [{ name: 'Created At', type: 'date', jsonPath: '.metadata.creationTimestamp' }] }),
  def({ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, verbs: ['create'], createOnly: true }),
  def({ group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', namespaced: false, verbs: ['create'], createOnly: true }),
  def({ group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false, verbs: ['create'], createOnly: true }),
];
