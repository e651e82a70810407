import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import { DEFAULT_FEDERATED_TYPES } from '../../../src/propagation/types/default-types.js';
import { federatedObjectFrom, templateFrom } from '../../../src/kubefedctl/federate-object.js';
import { baseObject, desiredObject, needsUpdate } from '../../../src/propagation/sync/desired.js';

const type = (plural: string) => DEFAULT_FEDERATED_TYPES.find((t) => t.plural === plural)!;

describe('federatedObjectFrom', () => {
  const svc: KubeObject = {
    apiVersion: 'v1', kind: 'Service',
    metadata: {
      name: 'go-app', namespace: 'go-app', uid: 'u', resourceVersion: '5', creationTimestamp: '2026-01-01T00:00:00Z', labels: { app: 'go-app' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', team: 'a' }, managedFields: [],
    },
    spec: { type: 'LoadBalancer', clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], healthCheckNodePort: 31000, selector: { app: 'go-app' }, ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }] },
    status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } },
  };

  it('builds a FederatedService placed on every cluster without member-allocated fields', () => {
    expect(federatedObjectFrom(svc, type('services'))).toEqual({
      apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedService',
      metadata: { name: 'go-app', namespace: 'go-app' },
      spec: {
        template: {
          metadata: { labels: { app: 'go-app' }, annotations: { team: 'a' } },
          spec: { type: 'LoadBalancer', selector: { app: 'go-app' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
        },
        placement: { clusterSelector: {} },
      },
    });
  });

  it('round-trips: the federated object asks for what the original object already is', () => {
    const fed = federatedObjectFrom(svc, type('services'));
    const desired = desiredObject(baseObject(fed, { version: 'v1', kind: 'Service', namespaced: true }).object, []);
    const observed: KubeObject = { ...structuredClone(svc), metadata: { ...structuredClone(svc.metadata), labels: { app: 'go-app', 'kubefed.io/managed': 'true' } } };
    expect(desired.ok && needsUpdate(desired.value, observed)).toBe(false);
  });

  it('places a FederatedNamespace in the namespace itself, and honours a selector', () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'go-app', uid: 'x' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
    expect(federatedObjectFrom(ns, type('namespaces'), { placement: { clusterSelector: { matchLabels: { env: 'prod' } } } })).toEqual({
      apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedNamespace', metadata: { name: 'go-app', namespace: 'go-app' },
      spec: { template: { spec: { finalizers: ['kubernetes'] } }, placement: { clusterSelector: { matchLabels: { env: 'prod' } } } },
    });
  });

  it('cluster-scoped targets stay cluster-scoped', () => {
    const cr: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] };
    const fed = federatedObjectFrom(cr, type('clusterroles'));
    expect(fed.metadata).toEqual({ name: 'reader' });
    expect(fed.spec.template).toEqual({ rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
  });

  it('strips generated Job selector/labels and ServiceAccount secrets', () => {
    const job: KubeObject = {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'n' },
      spec: { selector: { matchLabels: { 'controller-uid': 'x' } }, template: { metadata: { labels: { 'controller-uid': 'x', 'job-name': 'j', app: 'j' } }, spec: {} } },
    };
    expect(templateFrom(job)).toEqual({ spec: { template: { metadata: { labels: { app: 'j' } }, spec: {} } } });
    expect(templateFrom({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' }, secrets: [{ name: 't' }] })).toEqual({});
  });
});
