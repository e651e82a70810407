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
  out.push(clusterRole('view', [{ apiGroups: ['', 'apps', 'batch', 'networking.k8s.io', 'discovery.k8s.io'], resources: ['*'], verbs: ['get', 'list', 'watch'] }]));
  out.push(bindGroup('cluster-admin', 'cluster-admin', 'system:masters'));
  out.push(bindGroup('system:discovery', 'system:discovery', 'system:authenticated'));
  out.push(bindGroup('system:basic-user', 'system:basic-user', 'system:authenticated'));
  out.push(bindGroup('system:public-info-viewer', 'system:public-info-viewer', 'system:authenticated'));
  return out;
}

/** The nodes of a cluster's topology, Ready, labelled with their region and zone. */
export function nodeObjects(t: ClusterTopology): KubeObject[] {
  const nodes: KubeObject[] = [];
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
          capacity: { pods: String(t.podsPerNode), cpu: '8', memory: '32Gi' },
          allocatable: { pods: String(t.podsPerNode), cpu: '8', memory: '32Gi' },
          conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
          nodeInfo: { kubeletVersion: 'v1.31.0-kfed-sandbox', osImage: 'kfed sandbox', architecture: 'amd64', operatingSystem: 'linux' },
        },
      });
    }
  }
  return nodes;
}
