// The resource constants of kfed's API groups (src/api) must address what the CRDs in crds/
// define: group, a served version, plural, kind and scope. A typo here would only show as a
// 404 at run time.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLUSTER_PROPAGATED_VERSIONS, FEDERATED_TYPE_CONFIGS, KUBEFED_CLUSTERS, KUBEFED_CONFIGS, PROPAGATED_VERSIONS } from '../../../src/api/core.js';
import {
  CLUSTER_OVERRIDE_POLICIES, CLUSTER_PROPAGATION_POLICIES, FEDERATED_DEPLOYMENTS, FEDERATED_NAMESPACES, FEDERATED_REPLICASETS, OVERRIDE_POLICIES, PROPAGATION_POLICIES,
} from '../../../src/api/federation.js';
import type { ResourceRef } from '../../../src/api/meta.js';
import { REPLICA_SCHEDULING_PREFERENCES } from '../../../src/api/scheduling.js';

interface Crd {
  spec: { group: string; scope: 'Namespaced' | 'Cluster'; names: { plural: string; kind: string }; versions: { name: string; served: boolean }[] };
}

const crd = (file: string): Crd => parse(readFileSync(new URL(`../../../crds/${file}`, import.meta.url), 'utf8')) as Crd;

const CASES: [string, ResourceRef, string][] = [
  ['KUBEFED_CLUSTERS', KUBEFED_CLUSTERS, 'core/kubefedclusters.yaml'],
  ['KUBEFED_CONFIGS', KUBEFED_CONFIGS, 'core/kubefedconfigs.yaml'],
  ['FEDERATED_TYPE_CONFIGS', FEDERATED_TYPE_CONFIGS, 'core/federatedtypeconfigs.yaml'],
  ['PROPAGATED_VERSIONS', PROPAGATED_VERSIONS, 'core/propagatedversions.yaml'],
  ['CLUSTER_PROPAGATED_VERSIONS', CLUSTER_PROPAGATED_VERSIONS, 'core/clusterpropagatedversions.yaml'],
  ['PROPAGATION_POLICIES', PROPAGATION_POLICIES, 'core/propagationpolicies.policy.kfed.io.yaml'],
  ['CLUSTER_PROPAGATION_POLICIES', CLUSTER_PROPAGATION_POLICIES, 'core/clusterpropagationpolicies.policy.kfed.io.yaml'],
  ['OVERRIDE_POLICIES', OVERRIDE_POLICIES, 'core/overridepolicies.policy.kfed.io.yaml'],
  ['CLUSTER_OVERRIDE_POLICIES', CLUSTER_OVERRIDE_POLICIES, 'core/clusteroverridepolicies.policy.kfed.io.yaml'],
  ['FEDERATED_NAMESPACES', FEDERATED_NAMESPACES, 'types/federatednamespaces.types.kubefed.io.yaml'],
  ['FEDERATED_DEPLOYMENTS', FEDERATED_DEPLOYMENTS, 'types/federateddeployments.types.kubefed.io.yaml'],
  ['FEDERATED_REPLICASETS', FEDERATED_REPLICASETS, 'types/federatedreplicasets.types.kubefed.io.yaml'],
  ['REPLICA_SCHEDULING_PREFERENCES', REPLICA_SCHEDULING_PREFERENCES, 'scheduling/replicaschedulingpreferences.yaml'],
];

describe('resource constants of kfed API groups', () => {
  it.each(CASES)('%s matches its CRD', (_name, ref, file) => {
    const { spec } = crd(file);
    expect(ref).toEqual({ group: spec.group, version: ref.version, resource: spec.names.plural, namespaced: spec.scope === 'Namespaced', kind: spec.names.kind });
    expect(spec.versions.filter((v) => v.served).map((v) => v.name)).toContain(ref.version);
  });
});
