// Each CRD's schema must describe exactly the fields of its TypeScript type. The field
// lists below are checked against the types at compile time (keysOf / requiredOf fail
// typechecking when a key is missing or unknown) and against the YAML at run time.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type {
  APIResource, ClusterCondition, ClusterHealthCheckConfig, ClusterObjectVersion, DurationConfig, FeatureGatesConfig,
  FederatedTypeConfigSpec, FederatedTypeConfigStatus, KubeFedClusterSpec, KubeFedClusterStatus, KubeFedConfigSpec,
  LeaderElectConfig, LocalSecretReference, PropagatedVersionStatus, StatusControllerConfig, SyncControllerConfig, TargetTypeClusterStatus,
} from '../../../src/api/core.js';
import type {
  AggregatedStatus, ClusterOverride, CommandArgsOverrider, EnvOverrider, FederatedClusterStatus, ImageOverrider, MapOverrider, FederatedSpec, FederatedStatus, OverrideItem, OverridePolicySpec,
  OverrideRule, Placement, PolicyCondition, PolicyStatus, PropagationCondition, PropagationPolicySpec, ResourceSelector, SpreadConstraint, TargetClusters,
} from '../../../src/api/federation.js';
import type { LabelSelector, LabelSelectorRequirement } from '../../../src/api/meta.js';
import type { ClusterPreferences, ReplicaSchedulingPreferenceSpec } from '../../../src/api/scheduling.js';

type Missing<T, K extends readonly PropertyKey[]> = Exclude<keyof T, K[number]>;
/** keysOf<T>()([...]) compiles only when the list holds every key of T (and nothing else). */
const keysOf = <T>() => <const K extends readonly (keyof T)[]>(keys: K & ([Missing<T, K>] extends [never] ? unknown : { missing: Missing<T, K> })): readonly string[] => keys as readonly string[];
type RequiredKeys<T> = { [P in keyof T]-?: object extends Pick<T, P> ? never : P }[keyof T];
/** requiredOf<T>()([...]) compiles only when the list is exactly T's required keys. */
const requiredOf = <T>() => <const K extends readonly RequiredKeys<T>[]>(keys: K & ([Exclude<RequiredKeys<T>, K[number]>] extends [never] ? unknown : { missing: Exclude<RequiredKeys<T>, K[number]> })): readonly string[] => keys as readonly string[];

interface Schema {
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema;
}

function loadSchema(file: string): Schema {
  const crd = parse(readFileSync(new URL(`../../../crds/${file}`, import.meta.url), 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
  return crd.spec.versions[0]!.schema.openAPIV3Schema;
}

/** Walk `a.b[].c{}` : properties, array items ([]) and map values ({}). */
function at(schema: Schema, path: string): Schema {
  let cur = schema;
  for (const part of path.split('.').filter(Boolean)) {
    const m = /^([^[{]+)(\[\]|\{\})?$/.exec(part);
    const name = m?.[1] ?? part;
    const next = cur.properties?.[name];
    if (!next) throw new Error(`no property ${name} in ${path}`);
    cur = m?.[2] === '[]' ? next.items! : m?.[2] === '{}' ? next.additionalProperties! : next;
  }
  return cur;
}

interface Case {
  file: string;
  path: string;
  fields: readonly string[];
  required: readonly string[];
}

const selector = (file: string, path: string): Case[] => [
  { file, path, fields: keysOf<LabelSelector>()(['matchLabels', 'matchExpressions']), required: requiredOf<LabelSelector>()([]) },
  { file, path: `${path}.matchExpressions[]`, fields: keysOf<LabelSelectorRequirement>()(['key', 'operator', 'values']), required: requiredOf<LabelSelectorRequirement>()(['key', 'operator']) },
];
const apiResource = (path: string): Case => ({ file: 'core/federatedtypeconfigs.yaml', path, fields: keysOf<APIResource>()(['group', 'version', 'kind', 'pluralName', 'scope']), required: requiredOf<APIResource>()(['version', 'kind', 'pluralName', 'scope']) });

const cases: Case[] = [
  { file: 'core/kubefedclusters.yaml', path: 'spec', fields: keysOf<KubeFedClusterSpec>()(['apiEndpoint', 'caBundle', 'secretRef', 'disabledTLSValidations', 'proxyURL']), required: requiredOf<KubeFedClusterSpec>()(['apiEndpoint', 'secretRef']) },
  { file: 'core/kubefedclusters.yaml', path: 'spec.secretRef', fields: keysOf<LocalSecretReference>()(['name']), required: requiredOf<LocalSecretReference>()(['name']) },
  { file: 'core/kubefedclusters.yaml', path: 'status', fields: keysOf<KubeFedClusterStatus>()(['conditions', 'kubernetesVersion', 'region', 'zones']), required: requiredOf<KubeFedClusterStatus>()(['conditions']) },
  { file: 'core/kubefedclusters.yaml', path: 'status.conditions[]', fields: keysOf<ClusterCondition>()(['type', 'status', 'lastProbeTime', 'lastTransitionTime', 'reason', 'message']), required: requiredOf<ClusterCondition>()(['type', 'status', 'lastProbeTime']) },

  { file: 'core/kubefedconfigs.yaml', path: 'spec', fields: keysOf<KubeFedConfigSpec>()(['scope', 'controllerDuration', 'leaderElect', 'featureGates', 'clusterHealthCheck', 'syncController', 'statusController']), required: requiredOf<KubeFedConfigSpec>()(['scope']) },
  { file: 'core/kubefedconfigs.yaml', path: 'spec.controllerDuration', fields: keysOf<DurationConfig>()(['availableDelay', 'unavailableDelay', 'cacheSyncTimeout']), required: requiredOf<DurationConfig>()([]) },
  { file: 'core/kubefedconfigs.yaml', path: 'spec.leaderElect', fields: keysOf<LeaderElectConfig>()(['leaseDuration', 'renewDeadline', 'retryPeriod', 'resourceLock']), required: requiredOf<LeaderElectConfig>()([]) },
  { file: 'core/kubefedconfigs.yaml', path: 'spec.featureGates[]', fields: keysOf<FeatureGatesConfig>()(['name', 'configuration']), required: requiredOf<FeatureGatesConfig>()(['name', 'configuration']) },
  { file: 'core/kubefedconfigs.yaml', path: 'spec.clusterHealthCheck', fields: keysOf<ClusterHealthCheckConfig>()(['period', 'timeout', 'failureThreshold', 'successThreshold']), required: requiredOf<ClusterHealthCheckConfig>()([]) },
  { file: 'core/kubefedconfigs.yaml', path: 'spec.syncController', fields: keysOf<SyncControllerConfig>()(['maxConcurrentReconciles', 'adoptResources']), required: requiredOf<SyncControllerConfig>()([]) },
  { file: 'core/kubefedconfigs.yaml', path: 'spec.statusController', fields: keysOf<StatusControllerConfig>()(['maxConcurrentReconciles']), required: requiredOf<StatusControllerConfig>()([]) },

  { file: 'core/federatedtypeconfigs.yaml', path: 'spec', fields: keysOf<FederatedTypeConfigSpec>()(['targetType', 'propagation', 'federatedType', 'statusType', 'statusCollection']), required: requiredOf<FederatedTypeConfigSpec>()(['targetType', 'propagation', 'federatedType']) },
  apiResource('spec.targetType'), apiResource('spec.federatedType'), apiResource('spec.statusType'),
  { file: 'core/federatedtypeconfigs.yaml', path: 'status', fields: keysOf<FederatedTypeConfigStatus>()(['observedGeneration', 'propagationController', 'statusController', 'targetTypeOverallStatus', 'targetTypeClusterStatus']), required: requiredOf<FederatedTypeConfigStatus>()(['observedGeneration', 'propagationController']) },
  { file: 'core/federatedtypeconfigs.yaml', path: 'status.targetTypeClusterStatus[]', fields: keysOf<TargetTypeClusterStatus>()(['clusterName', 'status']), required: requiredOf<TargetTypeClusterStatus>()(['clusterName', 'status']) },

  ...['core/propagatedversions.yaml', 'core/clusterpropagatedversions.yaml'].flatMap((file): Case[] => [
    { file, path: 'status', fields: keysOf<PropagatedVersionStatus>()(['templateVersion', 'overridesVersion', 'clusterVersions']), required: requiredOf<PropagatedVersionStatus>()(['templateVersion', 'overridesVersion']) },
    { file, path: 'status.clusterVersions[]', fields: keysOf<ClusterObjectVersion>()(['clusterName', 'version', 'overridesVersion']), required: requiredOf<ClusterObjectVersion>()(['clusterName', 'version']) },
  ]),

  { file: 'scheduling/replicaschedulingpreferences.yaml', path: 'spec', fields: keysOf<ReplicaSchedulingPreferenceSpec>()(['targetKind', 'totalReplicas', 'rebalance', 'intersectWithClusterSelector', 'clusters']), required: requiredOf<ReplicaSchedulingPreferenceSpec>()(['targetKind', 'totalReplicas']) },
  { file: 'scheduling/replicaschedulingpreferences.yaml', path: 'spec.clusters{}', fields: keysOf<ClusterPreferences>()(['minReplicas', 'maxReplicas', 'weight']), required: requiredOf<ClusterPreferences>()([]) },

  ...['core/overridepolicies.policy.kfed.io.yaml', 'core/clusteroverridepolicies.policy.kfed.io.yaml'].flatMap((file): Case[] => [
    { file, path: 'spec', fields: keysOf<OverridePolicySpec>()(['resourceSelectors', 'overrideRules', 'priority']), required: requiredOf<OverridePolicySpec>()(['resourceSelectors', 'overrideRules']) },
    { file, path: 'spec.resourceSelectors[]', fields: keysOf<ResourceSelector>()(['kind', 'name', 'namespace', 'labelSelector']), required: requiredOf<ResourceSelector>()(['kind']) },
    ...selector(file, 'spec.resourceSelectors[].labelSelector'),
    { file, path: 'spec.overrideRules[]', fields: keysOf<OverrideRule>()(['targetClusters', 'overriders', 'imageOverrider', 'labelsOverrider', 'annotationsOverrider', 'commandOverrider', 'argsOverrider', 'envOverrider']), required: requiredOf<OverrideRule>()(['targetClusters']) },
    { file, path: 'spec.overrideRules[].imageOverrider[]', fields: keysOf<ImageOverrider>()(['component', 'operator', 'value', 'containerNames']), required: requiredOf<ImageOverrider>()(['component', 'operator']) },
    ...(['labelsOverrider', 'annotationsOverrider'] as const).map((o): Case => ({ file, path: `spec.overrideRules[].${o}[]`, fields: keysOf<MapOverrider>()(['operator', 'value']), required: requiredOf<MapOverrider>()(['operator', 'value']) })),
    ...(['commandOverrider', 'argsOverrider'] as const).map((o): Case => ({ file, path: `spec.overrideRules[].${o}[]`, fields: keysOf<CommandArgsOverrider>()(['containerName', 'operator', 'value']), required: requiredOf<CommandArgsOverrider>()(['containerName', 'operator', 'value']) })),
    { file, path: 'spec.overrideRules[].envOverrider[]', fields: keysOf<EnvOverrider>()(['containerName', 'operator', 'value']), required: requiredOf<EnvOverrider>()(['containerName', 'operator', 'value']) },
    { file, path: 'spec.overrideRules[].targetClusters', fields: keysOf<TargetClusters>()(['clusters', 'clusterSelector']), required: requiredOf<TargetClusters>()([]) },
    ...selector(file, 'spec.overrideRules[].targetClusters.clusterSelector'),
    { file, path: 'spec.overrideRules[].overriders[]', fields: keysOf<ClusterOverride>()(['op', 'path', 'value']), required: requiredOf<ClusterOverride>()(['path']) },
  ]),
  ...['core/overridepolicies.policy.kfed.io.yaml', 'core/clusteroverridepolicies.policy.kfed.io.yaml', 'core/propagationpolicies.policy.kfed.io.yaml', 'core/clusterpropagationpolicies.policy.kfed.io.yaml'].flatMap((file): Case[] => [
    { file, path: 'status', fields: keysOf<PolicyStatus>()(['observedGeneration', 'matched', 'matchedObjects', 'unknownKinds', 'conflicts', 'overrideFailures', 'conditions']), required: requiredOf<PolicyStatus>()([]) },
    { file, path: 'status.conditions[]', fields: keysOf<PolicyCondition>()(['type', 'status', 'reason', 'message', 'lastTransitionTime', 'observedGeneration']), required: requiredOf<PolicyCondition>()(['type', 'status']) },
  ]),
  ...['core/propagationpolicies.policy.kfed.io.yaml', 'core/clusterpropagationpolicies.policy.kfed.io.yaml'].flatMap((file): Case[] => [
    { file, path: 'spec', fields: keysOf<PropagationPolicySpec>()(['resourceSelectors', 'placement', 'spreadConstraints', 'priority']), required: requiredOf<PropagationPolicySpec>()(['resourceSelectors', 'placement']) },
    { file, path: 'spec.spreadConstraints[]', fields: keysOf<SpreadConstraint>()(['spreadByField', 'minGroups', 'maxGroups']), required: requiredOf<SpreadConstraint>()(['spreadByField']) },
    { file, path: 'spec.placement', fields: keysOf<Placement>()(['clusters', 'clusterSelector']), required: requiredOf<Placement>()([]) },
    ...selector(file, 'spec.placement.clusterSelector'),
  ]),

  // Generated Federated<Kind> CRDs (a workload type, so retainReplicas and replica totals exist).
  ...((file: string): Case[] => [
    { file, path: 'spec', fields: keysOf<FederatedSpec>()(['template', 'placement', 'overrides', 'retainReplicas']), required: requiredOf<FederatedSpec>()([]) },
    { file, path: 'spec.placement', fields: keysOf<Placement>()(['clusters', 'clusterSelector']), required: requiredOf<Placement>()([]) },
    ...selector(file, 'spec.placement.clusterSelector'),
    { file, path: 'spec.overrides[]', fields: keysOf<OverrideItem>()(['clusterName', 'clusterOverrides']), required: requiredOf<OverrideItem>()(['clusterName']) },
    { file, path: 'spec.overrides[].clusterOverrides[]', fields: keysOf<ClusterOverride>()(['op', 'path', 'value']), required: requiredOf<ClusterOverride>()(['path']) },
    { file, path: 'status', fields: keysOf<FederatedStatus>()(['observedGeneration', 'conditions', 'clusters', 'aggregated']), required: requiredOf<FederatedStatus>()([]) },
    { file, path: 'status.conditions[]', fields: keysOf<PropagationCondition>()(['type', 'status', 'reason', 'message', 'lastUpdateTime', 'lastTransitionTime']), required: requiredOf<PropagationCondition>()(['type', 'status']) },
    { file, path: 'status.clusters[]', fields: keysOf<FederatedClusterStatus>()(['name', 'status', 'message', 'remoteStatus']), required: requiredOf<FederatedClusterStatus>()(['name']) },
    { file, path: 'status.aggregated', fields: keysOf<AggregatedStatus>()(['readyClusters', 'totalClusters', 'ready', 'replicas', 'readyReplicas', 'availableReplicas', 'updatedReplicas']), required: requiredOf<AggregatedStatus>()(['readyClusters', 'totalClusters', 'ready']) },
  ])('types/federateddeployments.types.kubefed.io.yaml'),
];

describe('CRD schemas match the TypeScript types', () => {
  for (const c of cases) {
    it(`${c.file} ${c.path}`, () => {
      const node = at(loadSchema(c.file), c.path);
      expect(Object.keys(node.properties ?? {}).sort()).toEqual([...c.fields].sort());
      expect([...(node.required ?? [])].sort()).toEqual([...c.required].sort());
    });
  }

  it('every CRD is apiextensions.k8s.io/v1 with a served storage version and a spec.group matching its name', () => {
    const files = [
      'core/kubefedclusters.yaml', 'core/kubefedconfigs.yaml', 'core/federatedtypeconfigs.yaml', 'core/propagatedversions.yaml', 'core/clusterpropagatedversions.yaml',
      'scheduling/replicaschedulingpreferences.yaml', 'core/overridepolicies.policy.kfed.io.yaml', 'core/clusteroverridepolicies.policy.kfed.io.yaml',
      'core/propagationpolicies.policy.kfed.io.yaml', 'core/clusterpropagationpolicies.policy.kfed.io.yaml',
    ];
    for (const f of files) {
      const crd = parse(readFileSync(new URL(`../../../crds/${f}`, import.meta.url), 'utf8'));
      expect(crd.apiVersion, f).toBe('apiextensions.k8s.io/v1');
      expect(crd.metadata.name, f).toBe(`${crd.spec.names.plural}.${crd.spec.group}`);
      expect(crd.spec.versions.filter((v: { storage: boolean; served: boolean }) => v.storage && v.served).length, f).toBe(1);
    }
  });

  it('KubeFedCluster prints AGE, READY and KUBERNETES-VERSION as Kubefed does', () => {
    const crd = parse(readFileSync(new URL('../../../crds/core/kubefedclusters.yaml', import.meta.url), 'utf8'));
    const v = crd.spec.versions[0];
    expect(v.additionalPrinterColumns).toEqual([
      { name: 'age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      { name: 'ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
      { name: 'kubernetes-version', type: 'string', jsonPath: '.status.kubernetesVersion' },
    ]);
    expect(v.subresources).toEqual({ status: {} });
    expect(crd.spec.names.shortNames).toEqual(['kfc']);
  });
});
