import { describe, expect, it } from 'vitest';
import {
  defaultFederatedTypeConfig, groupQualifiedName, isClusterReady, pluralName, propagatedVersionName,
  type FederatedTypeConfig, type KubeFedCluster, type KubeFedConfig,
} from '../../../src/api/core.js';
import {
  defaultKubeFedConfig, featureEnabled, parseDuration, validateFederatedTypeConfig, validateKubeFedCluster, validateKubeFedConfig,
} from '../../../src/api/core-validation.js';

const config = (spec: Partial<KubeFedConfig['spec']> = {}): KubeFedConfig => ({
  apiVersion: 'core.kubefed.io/v1beta1', kind: 'KubeFedConfig', metadata: { name: 'kubefed', namespace: 'kube-federation-system' },
  spec: { scope: 'Cluster', ...spec },
});

describe('parseDuration', () => {
  const cases: [string, number | undefined][] = [['10s', 10_000], ['1m30s', 90_000], ['250ms', 250], ['1h', 3_600_000], ['1.5s', 1500], ['0', 0], ['-2s', -2000], ['10', undefined], ['', undefined], ['5x', undefined], ['1s2', undefined]];
  for (const [input, want] of cases) it(`${JSON.stringify(input)} -> ${want}`, () => expect(parseDuration(input)).toBe(want));
});

describe('KubeFedConfig', () => {
  it('defaults like Kubefed (with a Lease lock; health checks kfed\'s own) and the result validates', () => {
    const d = defaultKubeFedConfig(config());
    expect(d.spec).toEqual({
      scope: 'Cluster',
      controllerDuration: { availableDelay: '20s', unavailableDelay: '1m0s', cacheSyncTimeout: '5m0s' },
      leaderElect: { leaseDuration: '15s', renewDeadline: '10s', retryPeriod: '5s', resourceLock: 'leases' },
      featureGates: [
        { name: 'CrossClusterServiceDiscovery', configuration: 'Disabled' },
        { name: 'FederatedIngress', configuration: 'Disabled' },
        { name: 'PushReconciler', configuration: 'Enabled' },
        { name: 'RawResourceStatusCollection', configuration: 'Disabled' },
        { name: 'SchedulerPreferences', configuration: 'Enabled' },
      ],
      clusterHealthCheck: { period: '1s', timeout: '1500ms', failureThreshold: 2, successThreshold: 1 },
      syncController: { maxConcurrentReconciles: 1, adoptResources: 'Enabled' },
      statusController: { maxConcurrentReconciles: 1 },
    });
    expect(validateKubeFedConfig(d)).toEqual([]);
  });

  it('keeps values the user set and their feature gates', () => {
    const d = defaultKubeFedConfig(config({ clusterHealthCheck: { period: '5s' }, syncController: { adoptResources: 'Disabled' }, featureGates: [{ name: 'PushReconciler', configuration: 'Disabled' }] }));
    expect(d.spec.clusterHealthCheck).toEqual({ period: '5s', timeout: '1500ms', failureThreshold: 2, successThreshold: 1 });
    expect(d.spec.syncController?.adoptResources).toBe('Disabled');
    expect(featureEnabled(d, 'PushReconciler')).toBe(false);
    expect(featureEnabled(d, 'SchedulerPreferences')).toBe(true);
    expect(featureEnabled(config(), 'FederatedIngress')).toBe(false);
  });

  const invalid: { name: string; edit: (c: KubeFedConfig) => void; field: string }[] = [
    { name: 'missing scope', edit: (c) => { delete (c.spec as { scope?: string }).scope; }, field: 'spec.scope' },
    { name: 'bad scope', edit: (c) => { (c.spec as { scope: string }).scope = 'Galaxy'; }, field: 'spec.scope' },
    { name: 'zero period', edit: (c) => { c.spec.clusterHealthCheck!.period = '0s'; }, field: 'spec.clusterHealthCheck.period' },
    { name: 'malformed timeout', edit: (c) => { c.spec.clusterHealthCheck!.timeout = 'soon'; }, field: 'spec.clusterHealthCheck.timeout' },
    { name: 'zero failureThreshold', edit: (c) => { c.spec.clusterHealthCheck!.failureThreshold = 0; }, field: 'spec.clusterHealthCheck.failureThreshold' },
    { name: 'lease not above renew', edit: (c) => { c.spec.leaderElect!.leaseDuration = '10s'; }, field: 'spec.leaderElect.leaseDuration' },
    { name: 'renew not above retry*1.2', edit: (c) => { c.spec.leaderElect!.retryPeriod = '9s'; }, field: 'spec.leaderElect.renewDeadline' },
    { name: 'unknown feature gate', edit: (c) => { c.spec.featureGates!.push({ name: 'Teleport', configuration: 'Enabled' }); }, field: 'spec.featureGates.name' },
    { name: 'duplicate feature gate', edit: (c) => { c.spec.featureGates!.push({ name: 'PushReconciler', configuration: 'Enabled' }); }, field: 'spec.featureGates.name' },
    { name: 'bad adoptResources', edit: (c) => { (c.spec.syncController as { adoptResources: string }).adoptResources = 'Maybe'; }, field: 'spec.syncController.adoptResources' },
  ];
  for (const c of invalid) {
    it(`rejects ${c.name}`, () => {
      const d = defaultKubeFedConfig(config());
      c.edit(d);
      expect(validateKubeFedConfig(d).map((e) => e.field)).toContain(c.field);
    });
  }
  it('requires the sections when not defaulted', () => {
    expect(validateKubeFedConfig(config()).map((e) => e.field)).toEqual(['spec.controllerDuration', 'spec.leaderElect', 'spec.featureGates', 'spec.clusterHealthCheck', 'spec.syncController']);
  });
});

describe('KubeFedCluster', () => {
  const kfc = (spec: Partial<KubeFedCluster['spec']>): KubeFedCluster => ({
    apiVersion: 'core.kubefed.io/v1beta1', kind: 'KubeFedCluster', metadata: { name: 'cluster-2' },
    spec: { apiEndpoint: 'https://127.0.0.1:6443', secretRef: { name: 'cluster-2-abcde' }, ...spec },
  });
  const valid = ['https://127.0.0.1:6443', '127.0.0.1:6443', 'api.example.com', 'http://[2001:db8::1]:8443', 'https://cluster-2.example.org'];
  for (const ep of valid) it(`accepts endpoint ${ep}`, () => expect(validateKubeFedCluster(kfc({ apiEndpoint: ep }))).toEqual([]));
  const invalid: [string, Partial<KubeFedCluster['spec']>, string][] = [
    ['empty endpoint', { apiEndpoint: '' }, 'spec.apiEndpoint'],
    ['ftp endpoint', { apiEndpoint: 'ftp://example.com' }, 'spec.apiEndpoint'],
    ['bad host', { apiEndpoint: 'https://Bad_Host' }, 'spec.apiEndpoint'],
    ['empty secret', { secretRef: { name: '' } }, 'spec.secretRef.name'],
    ['bad secret name', { secretRef: { name: 'Not_Valid' } }, 'spec.secretRef.name'],
    ['unknown TLS validation', { disabledTLSValidations: ['Everything' as 'SubjectName'] }, 'spec.disabledTLSValidations'],
    ['* with others', { disabledTLSValidations: ['*', 'SubjectName'] }, 'spec.disabledTLSValidations'],
    ['bad proxy', { proxyURL: 'not a url' }, 'spec.proxyURL'],
  ];
  for (const [name, spec, field] of invalid) it(`rejects ${name}`, () => expect(validateKubeFedCluster(kfc(spec)).map((e) => e.field)).toContain(field));
  it('is ready only with Ready=True', () => {
    expect(isClusterReady(kfc({}))).toBe(false);
    expect(isClusterReady({ status: { conditions: [{ type: 'Ready', status: 'True', lastProbeTime: 't' }] } })).toBe(true);
    expect(isClusterReady({ status: { conditions: [{ type: 'Ready', status: 'False', lastProbeTime: 't', reason: 'ClusterNotReady' }] } })).toBe(false);
  });
});

describe('FederatedTypeConfig', () => {
  const ftc = (name: string, spec: Partial<FederatedTypeConfig['spec']> = {}): FederatedTypeConfig => ({
    apiVersion: 'core.kubefed.io/v1beta1', kind: 'FederatedTypeConfig', metadata: { name, namespace: 'kube-federation-system' },
    spec: {
      targetType: { version: 'v1', kind: 'Deployment', pluralName: '', scope: 'Namespaced' },
      propagation: 'Enabled',
      federatedType: { group: 'types.kubefed.io', version: 'v1beta1', kind: 'FederatedDeployment', pluralName: '', scope: 'Namespaced' },
      ...spec,
    },
  });
  it('defaults target plural/group from the name and the federated plural from its kind', () => {
    const d = defaultFederatedTypeConfig(ftc('deployments.apps'));
    expect(d.spec.targetType).toMatchObject({ group: 'apps', pluralName: 'deployments' });
    expect(d.spec.federatedType.pluralName).toBe('federateddeployments');
    expect(validateFederatedTypeConfig(d)).toEqual([]);
  });
  it('rejects a name that does not match the target, a group without a dot, a bad propagation', () => {
    const d = defaultFederatedTypeConfig(ftc('deployments.apps'));
    d.metadata.name = 'deploys';
    d.spec.federatedType.group = 'types';
    (d.spec as { propagation: string }).propagation = 'On';
    expect(validateFederatedTypeConfig(d).map((e) => e.field)).toEqual(['metadata.name', 'spec.propagation', 'spec.federatedType.group']);
  });
  it('pluralises and qualifies names like Kubefed', () => {
    expect(['Deployment', 'Ingress', 'Policy', 'Box', 'Match', 'Mesh', 'Quiz', 'Echo'].map(pluralName)).toEqual(['deployments', 'ingresses', 'policies', 'boxes', 'matches', 'meshes', 'quizes', 'echoes']);
    expect(groupQualifiedName({ pluralName: 'services' })).toBe('services');
    expect(groupQualifiedName({ pluralName: 'deployments', group: 'apps' })).toBe('deployments.apps');
    expect(propagatedVersionName('Deployment', 'go-app')).toBe('deployment-go-app');
  });
});
