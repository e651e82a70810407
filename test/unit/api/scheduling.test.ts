import { describe, expect, it } from 'vitest';
import { defaultReplicaSchedulingPreference, validateReplicaSchedulingPreference, type ReplicaSchedulingPreference } from '../../../src/api/scheduling.js';

const rsp = (spec: Partial<ReplicaSchedulingPreference['spec']> = {}): ReplicaSchedulingPreference => ({
  apiVersion: 'scheduling.kubefed.io/v1alpha1', kind: 'ReplicaSchedulingPreference', metadata: { name: 'go-app', namespace: 'go-app' },
  spec: { targetKind: 'FederatedDeployment', totalReplicas: 9, ...spec },
});

describe('ReplicaSchedulingPreference', () => {
  it('defaults to an even spread when no cluster preferences are given', () => {
    expect(defaultReplicaSchedulingPreference(rsp()).spec.clusters).toEqual({ '*': { weight: 1 } });
    expect(defaultReplicaSchedulingPreference(rsp({ clusters: { a: { weight: 2 } } })).spec.clusters).toEqual({ a: { weight: 2 } });
  });
  it('validates', () => {
    expect(validateReplicaSchedulingPreference(rsp({ clusters: { '*': { minReplicas: 1, maxReplicas: 3, weight: 1 } } }))).toEqual([]);
    const bad = validateReplicaSchedulingPreference(rsp({ targetKind: 'FederatedJob' as 'FederatedDeployment', totalReplicas: -1, clusters: { a: { minReplicas: 5, maxReplicas: 2 }, b: { weight: 1.5 } } }));
    expect(bad.map((e) => e.field)).toEqual(['spec.targetKind', 'spec.totalReplicas', 'spec.clusters[a].minReplicas', 'spec.clusters[b].weight']);
  });
});
