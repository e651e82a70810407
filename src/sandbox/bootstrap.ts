// The objects a fresh cluster has: system namespaces, nodes, and default RBAC.
import type { KubeObject } from '../api/meta.js';
import type { ClusterTopology } from './topology.js';

const RBAC = 'rbac.authorization.k8s.io/v1';

function clusterRole(name: string, rules: unknown[]): KubeObject {
  return { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } }, rules };
}

function bindGroup(name: string, role: string, group: string): KubeObject {
  return {
    apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
  };
}

export function bootstrapObjects(t: ClusterTopology): KubeObject[] {
  const out: KubeObject[] = [];
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  out.push({
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
  });
  // the API server's own endpoints, as its endpoint reconciler writes them
  const https = { name: 'https', port: 6443, protocol: 'TCP' };
  out.push({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [https] }] } as KubeObject);
  out.push({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4', endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }], ports: [https],
  } as KubeObject);
  out.push(...nodeObjects(t));
  out.push(clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]));
  out.push(clusterRole('system:discovery', [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/readyz', '/openapi', '/openapi/*', '/version', '/version/'], verbs: ['get'] }]));
  out.push(clusterRole('system:basic-user', [
    { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
    { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
  ]));
  out.push(clusterRole('system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }]));
  // the user-facing roles, flattened from kube-apiserver's aggregated ones for the kinds served here:
  // view reads everything but Secrets (and RBAC), edit also writes and reads Secrets, admin also
  // manages Roles and RoleBindings in a namespace
  const read = ['get', 'list', 'watch'];
  const write = ['create', 'delete', 'deletecollection', 'patch', 'update'];
  const workloads = [
    { apiGroups: [''], resources: ['configmaps', 'endpoints', 'pods', 'pods/status', 'serviceaccounts', 'services', 'services/status', 'events'] },
    { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status'] },
    { apiGroups: ['batch'], resources: ['jobs', 'jobs/status'] },
    { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'ingresses/status'] },
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets', 'poddisruptionbudgets/status'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'] },
  ];
  const viewRules = [...workloads.map((r) => ({ ...r, verbs: read })), { apiGroups: [''], resources: ['namespaces'], verbs: read }];
  const editRules = [
    ...viewRules,
    ...workloads.map((r) => ({ apiGroups: r.apiGroups, resources: r.resources.filter((x) => !x.endsWith('/status')), verbs: write })),
    { apiGroups: [''], resources: ['secrets'], verbs: [...read, ...write] },
    { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
  ];
  const aggregated = (name: string): Record<string, string> => ({ 'kubernetes.io/bootstrapping': 'rbac-defaults', [`rbac.authorization.k8s.io/aggregate-to-${name}`]: 'true' });
  out.push({ ...clusterRole('view', viewRules), metadata: { name: 'view', labels: aggregated('edit') } });
  out.push({ ...clusterRole('edit', editRules), metadata: { name: 'edit', labels: aggregated('admin') } });
  out.push(clusterRole('admin', [
    ...editRules,
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: [...read, ...write] },
    { apiGroups: ['authorization.k8s.io'], resources: ['localsubjectaccessreviews'], verbs: ['create'] },
  ]));
  out.push(bindGroup('cluster-admin', 'cluster-admin', 'system:masters'));
  out.push(bindGroup('system:discovery', 'system:discovery', 'system:authenticated'));
  out.push(bindGroup('system:basic-user', 'system:basic-user', 'system:authenticated'));
  out.push(bindGroup('system:public-info-viewer', 'system:public-info-viewer', 'system:authenticated'));
  return out;
}

/** The nodes of a cluster's topology, Ready, labelled with their region and zone. */
export function nodeObjects(t: ClusterTopology): KubeObject[] {
  const nodes: KubeObject[] = [];
  const count = t.zones.length * t.nodesPerZone;
  // podCapacity spread over the nodes, the first ones taking the remainder
  const pods = (k: number): string => String(t.podCapacity === undefined ? t.podsPerNode : Math.floor(t.podCapacity / count) + (k < t.podCapacity % count ? 1 : 0));
  let n = 0;
  for (const zone of t.zones) {
    for (let i = 0; i < t.nodesPerZone; i++) {
      n++;
      nodes.push({
        apiVersion: 'v1', kind: 'Node',
        metadata: {
          name: `${t.name}-node-${n}`,
          labels: {
            'kubernetes.io/hostname': `${t.name}-node-${n}`, 'kubernetes.io/os': 'linux',
            'topology.kubernetes.io/region': t.region, 'topology.kubernetes.io/zone': zone,
            'failure-domain.beta.kubernetes.io/region': t.region, 'failure-domain.beta.kubernetes.io/zone': zone,
          },
        },
        spec: {},
        status: {
          capacity: { pods: pods(n - 1), cpu: '8', memory: '32Gi' },
          allocatable: { pods: pods(n - 1), cpu: '8', memory: '32Gi' },
          conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
          nodeInfo: { kubeletVersion: 'v1.31.0-kfed-sandbox', osImage: 'kfed sandbox', architecture: 'amd64', operatingSystem: 'linux' },
        },
      });
    }
  }
  return nodes;
}
