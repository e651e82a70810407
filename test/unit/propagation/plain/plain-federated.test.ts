// Plain objects placed by policies: which policies select a plain object (target kind only,
// scope, labels), which objects are not sources, and the generated Federated<Kind>.
import { describe, expect, it } from 'vitest';
import type { FederatedTypeConfig } from '../../../../src/api/core.js';
import type { FederatedObject, PropagationPolicy } from '../../../../src/api/federation.js';
import type { KubeObject } from '../../../../src/api/meta.js';
import {
  federatedKey, generatedDiffers, generatedFederated, ineligible, isGenerated, isMemberCopy, plainKey, plainSelectors,
} from '../../../../src/propagation/plain/plain-federated.js';

const ftc = (kind: string, group: string, plural: string, scope: 'Namespaced' | 'Cluster' = 'Namespaced'): FederatedTypeConfig => ({
  apiVersion: 'core.kubefed.io/v1beta1', kind: 'FederatedTypeConfig', metadata: { name: `${plural}${group ? `.${group}` : ''}`, namespace: 'kube-federation-system' },
  spec: {
    propagation: 'Enabled',
    targetType: { ...(group ? { group } : {}), version: 'v1', kind, pluralName: plural, scope },
    federatedType: { group: 'types.kubefed.io', version: 'v1beta1', kind: `Federated${kind}`, pluralName: `federated${plural}`, scope: kind === 'Namespace' ? 'Namespaced' : scope },
  },
});
const DEPLOY = ftc('Deployment', 'apps', 'deployments');
const NAMESPACE = ftc('Namespace', '', 'namespaces', 'Cluster');

const web: KubeObject = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1', resourceVersion: '7', generation: 3, labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', team: 'a' } },
  spec: { replicas: 2 },
  status: { readyReplicas: 2 },
} as KubeObject;

const pp = (name: string, kind: string, o: { ns?: string; app?: string; name?: string } = {}): PropagationPolicy => ({
  apiVersion: 'policy.kfed.io/v1alpha1', kind: o.ns ? 'PropagationPolicy' : 'ClusterPropagationPolicy', metadata: o.ns ? { name, namespace: o.ns } : { name },
  spec: { resourceSelectors: [{ kind, ...(o.app ? { labelSelector: { matchLabels: { app: o.app } } } : {}), ...(o.name ? { name: o.name } : {}) }], placement: {} },
});

describe('plainSelectors', () => {
  it.each([
    ['target kind in its namespace', pp('a', 'Deployment', { ns: 'shop' }), true],
    ['another namespace', pp('b', 'Deployment', { ns: 'other' }), false],
    ['cluster-scoped, by label', pp('c', 'Deployment', { app: 'web' }), true],
    ['label mismatch', pp('d', 'Deployment', { app: 'api' }), false],
    ['by name', pp('e', 'Deployment', { name: 'web' }), true],
    ['the federated kind selects federated objects only', pp('f', 'FederatedDeployment'), false],
    ['another kind', pp('g', 'ConfigMap'), false],
  ])('%s', (_what, policy, selected) => {
    expect(plainSelectors([policy], DEPLOY, web).length).toBe(selected ? 1 : 0);
  });

  it('a Namespace is selected in its own namespace', () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    expect(plainSelectors([pp('a', 'Namespace', { ns: 'shop' }), pp('b', 'Namespace', { ns: 'other' })], NAMESPACE, ns).map((p) => p.metadata.name)).toEqual(['a']);
    expect(federatedKey(NAMESPACE, ns)).toBe('shop/shop');
    expect(plainKey(NAMESPACE, 'shop/shop')).toBe('shop');
    expect(federatedKey(DEPLOY, web)).toBe('shop/web');
    expect(plainKey(DEPLOY, 'shop/web')).toBe('shop/web');
  });
});

describe('sources', () => {
  it('skips objects being deleted or controlled by another object; kfed\'s member copies are told apart', () => {
    const K = 'kube-federation-system';
    expect(ineligible(web, K)).toBeUndefined();
    expect(ineligible({ ...web, metadata: { ...web.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }, K)).toBe('being deleted');
    expect(ineligible({ ...web, metadata: { ...web.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'x', uid: 'u', controller: true }] } }, K)).toBe('controlled by Deployment x');
    expect(ineligible({ ...web, metadata: { ...web.metadata, namespace: 'kube-system' } }, K)).toBe('in the system namespace kube-system');
    expect(ineligible({ ...web, metadata: { ...web.metadata, namespace: K } }, K)).toBe(`in the system namespace ${K}`);
    expect(ineligible({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-public' } }, K)).toBe('in the system namespace kube-public');
    expect(ineligible({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, K)).toBeUndefined();
    for (const obj of [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: 'shop' } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'shop' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 't', namespace: 'shop' }, type: 'kubernetes.io/service-account-token' },
    ] as KubeObject[]) expect(ineligible(obj, K), obj.kind).toBe('made by every cluster for itself');
    expect(isMemberCopy(web)).toBe(false);
    expect(isMemberCopy({ ...web, metadata: { ...web.metadata, labels: { 'kubefed.io/managed': 'true' } } })).toBe(true);
  });
});

describe('generatedFederated', () => {
  it('is the cleaned object, its labels plus the generated label, owned by it, without placement', () => {
    const fed = generatedFederated(DEPLOY, { ...web, metadata: { ...web.metadata, labels: { app: 'web', 'kubefed.io/managed': 'true' } } });
    expect(fed).toEqual({
      apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment',
      metadata: { name: 'web', namespace: 'shop', labels: { app: 'web', 'kfed.io/generated-from': 'plain' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u-1' }] },
      spec: { template: { metadata: { labels: { app: 'web' }, annotations: { team: 'a' } }, spec: { replicas: 2 } } },
    });
    expect(isGenerated(fed)).toBe(true);
  });

  it('differs only in labels, owner or template, whatever the key order', () => {
    const desired = generatedFederated(DEPLOY, web);
    const stored: FederatedObject = {
      ...desired,
      metadata: { ...desired.metadata, uid: 'f-1', resourceVersion: '9', finalizers: ['kubefed.io/sync-controller'], labels: { 'kfed.io/generated-from': 'plain', app: 'web' } },
      spec: { ...desired.spec, template: { spec: { replicas: 2 }, metadata: { annotations: { team: 'a' }, labels: { app: 'web' } } } },
      status: { observedGeneration: 1 },
    };
    expect(generatedDiffers(stored, desired)).toBe(false);
    const withNull = { ...web, spec: { replicas: 2, template: { metadata: { creationTimestamp: null } } } } as KubeObject;
    const pruned = { ...stored, spec: { template: { ...stored.spec.template, spec: { replicas: 2, template: { metadata: {} } } } } };
    expect(generatedDiffers(pruned, generatedFederated(DEPLOY, withNull))).toBe(false);
    expect(generatedDiffers(stored, generatedFederated(DEPLOY, { ...web, spec: { replicas: 3 } } as KubeObject))).toBe(true);
    expect(generatedDiffers(stored, generatedFederated(DEPLOY, { ...web, metadata: { ...web.metadata, uid: 'u-2' } }))).toBe(true);
  });
});
