// The soak's propagation invariants, from the host's and the members' real state: every
// federated object of the workload exists in exactly the clusters its placement selects,
// with exactly the content the sync controller renders (template, policy and own
// overrides, managed label; compared with the sync controller's own drift check); no
// managed object anywhere else (orphans, or a cluster it was moved off); no object left
// half-deleted; every RSP scheduled its total onto the members.
import { isClusterReady, type FederatedTypeConfig, type KubeFedCluster, KUBEFED_CLUSTERS } from '../../../src/api/core.js';
import { MANAGED_LABEL, type FederatedObject, type OverridePolicy, type PropagationPolicy } from '../../../src/api/federation.js';
import type { KubeObject } from '../../../src/api/meta.js';
import type { ReplicaSchedulingPreference } from '../../../src/api/scheduling.js';
import type { ClusterClient } from '../../../src/kube/cluster-client.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { overridesForCluster } from '../../../src/propagation/policy/overrides.js';
import { clusterInfo, computePlacement, effectivePlacement, type ClusterInfo } from '../../../src/propagation/policy/placement.js';
import { federatedRef, isNamespaceTarget, targetRef } from '../../../src/propagation/resources.js';
import { baseObject, desiredObject, needsUpdate, targetTypeInfo } from '../../../src/propagation/sync/desired.js';
import { NS, type SoakRig } from './rig.js';
import {
  CLUSTER_OVERRIDE_POLICIES, CLUSTER_PROPAGATION_POLICIES, FEDERATED, FEDERATED_TYPE_CONFIGS, OVERRIDE_POLICIES, PROPAGATION_POLICIES, RSPS, WORKLOAD_NS_PREFIX,
} from './resources.js';

/** The FederatedTypeConfigs whose objects the workload makes. */
const TYPES = ['namespaces', 'configmaps', 'secrets', 'deployments.apps', 'services'];

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
const inWorkload = (o: KubeObject): boolean => (o.metadata.namespace ?? o.metadata.name ?? '').startsWith(WORKLOAD_NS_PREFIX);

async function listAll<T extends KubeObject>(c: ClusterClient, ref: ResourceRef, namespace?: string): Promise<T[]> {
  return (await c.dynamic.listAll<T>(ref, namespace !== undefined ? { namespace } : {})).items;
}

/** A short account of how the member object differs from the rendering. */
function difference(desired: KubeObject, observed: KubeObject): string {
  const parts: string[] = [];
  for (const k of Object.keys(desired)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    const want = k === 'metadata' ? { labels: desired.metadata.labels } : desired[k];
    const have = k === 'metadata' ? { labels: observed.metadata.labels } : observed[k];
    if (JSON.stringify(want) !== JSON.stringify(have)) parts.push(`${k}: want ${JSON.stringify(want).slice(0, 300)} have ${JSON.stringify(have).slice(0, 300)}`);
  }
  return parts.join('; ');
}

export interface HostPolicies {
  propagation: PropagationPolicy[];
  override: OverridePolicy[];
}

async function readPolicies(host: ClusterClient): Promise<HostPolicies> {
  return {
    propagation: [...(await listAll<PropagationPolicy>(host, PROPAGATION_POLICIES)), ...(await listAll<PropagationPolicy>(host, CLUSTER_PROPAGATION_POLICIES))],
    override: [...(await listAll<OverridePolicy>(host, OVERRIDE_POLICIES)), ...(await listAll<OverridePolicy>(host, CLUSTER_OVERRIDE_POLICIES))],
  };
}

async function checkType(rig: SoakRig, ftc: FederatedTypeConfig, clusters: readonly ClusterInfo[], policies: HostPolicies, namespaces: readonly FederatedObject[]): Promise<string[]> {
  const out: string[] = [];
  const target = targetTypeInfo(ftc);
  const tref = targetRef(ftc);
  const label = ftc.metadata.name ?? '';
  const feds = (await listAll<FederatedObject>(rig.host, federatedRef(ftc))).filter(inWorkload);
  const members = new Map<string, Map<string, KubeObject>>();
  for (const c of clusters) {
    const objs = (await listAll(rig.members[c.name]!, tref)).filter(inWorkload);
    members.set(c.name, new Map(objs.map((o) => [isNamespaceTarget(ftc) ? `/${o.metadata.name ?? ''}` : keyOf(o), o])));
  }
  const expected = new Set<string>();
  for (const fed of feds) {
    const key = keyOf(fed);
    if (fed.metadata.deletionTimestamp) {
      out.push(`${label} ${key}: still being deleted`);
      continue;
    }
    const ns = fed.metadata.namespace ?? '';
    const fns = namespaces.find((n) => n.metadata.namespace === ns && n.metadata.name === ns && !n.metadata.deletionTimestamp);
    const placement = computePlacement({
      placement: effectivePlacement(fed, target.kind, policies.propagation),
      clusters,
      namespaced: target.namespaced,
      namespacePlacement: target.namespaced && fns ? ((fns.spec ? effectivePlacement(fns, 'Namespace', policies.propagation) : undefined) ?? {}) : undefined,
    });
    const base = baseObject(fed, target).object;
    const memberKey = target.namespaced ? key : `/${fed.metadata.name ?? ''}`;
    for (const c of placement.ok ? clusters.filter((x) => placement.placed.includes(x.name)) : []) {
      expected.add(`${c.name}|${memberKey}`);
      const ops = overridesForCluster(fed, c, target.kind, policies.override);
      const desired = ops.ok ? desiredObject(base, ops.value) : ops;
      if (!desired.ok) {
        out.push(`${label} ${key} in ${c.name}: the workload's overrides do not apply (${desired.message})`);
        continue;
      }
      const observed = members.get(c.name)?.get(memberKey);
      if (!observed) out.push(`${label} ${key}: missing in ${c.name}`);
      else if (needsUpdate(desired.value, observed, { retainReplicas: fed.spec.retainReplicas === true })) out.push(`${label} ${key} in ${c.name} differs from its rendering: ${difference(desired.value, observed)}`);
    }
  }
  for (const [cluster, objs] of members) {
    for (const [k, o] of objs) {
      if (o.metadata.labels?.[MANAGED_LABEL] !== 'true') continue;
      if (!expected.has(`${cluster}|${k}`)) out.push(`${label} ${k}: orphan in ${cluster} (managed, but no federated object places it there)`);
    }
  }
  return out;
}

async function checkRsps(rig: SoakRig, clusters: readonly ClusterInfo[]): Promise<string[]> {
  const out: string[] = [];
  for (const rsp of (await listAll<ReplicaSchedulingPreference>(rig.host, RSPS)).filter(inWorkload)) {
    const key = keyOf(rsp);
    const ready = (rsp.status?.['conditions'] as { type: string; status: string; reason?: string }[] | undefined)?.find((c) => c.type === 'Ready');
    if (rsp.status?.['observedGeneration'] !== rsp.metadata.generation) {
      out.push(`RSP ${key}: status not observed (observedGeneration ${String(rsp.status?.['observedGeneration'])}, generation ${rsp.metadata.generation})`);
      continue;
    }
    const fed = await rig.host.dynamic.getIfExists(FEDERATED.deployments, rsp.metadata.name ?? '', { namespace: rsp.metadata.namespace ?? '' });
    if (!fed) {
      if (ready?.reason !== 'TargetNotFound') out.push(`RSP ${key}: target gone but Ready is ${ready?.status}/${ready?.reason}`);
      continue;
    }
    if (ready?.status !== 'True') {
      out.push(`RSP ${key}: Ready ${ready?.status}/${ready?.reason}`);
      continue;
    }
    let sum = 0;
    for (const c of clusters) {
      const d = await rig.members[c.name]!.dynamic.getIfExists(targetRefOfDeployments, rsp.metadata.name ?? '', { namespace: rsp.metadata.namespace ?? '' });
      sum += ((d?.['spec'] as { replicas?: number } | undefined)?.replicas ?? 0);
    }
    if (sum !== rsp.spec.totalReplicas) out.push(`RSP ${key}: members run ${sum} replicas, totalReplicas is ${rsp.spec.totalReplicas}`);
  }
  return out;
}

const targetRefOfDeployments: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true, kind: 'Deployment' };

/** Every propagation violation now (empty when converged). */
export async function checkPropagation(rig: SoakRig): Promise<string[]> {
  const out: string[] = [];
  const joined = await listAll<KubeFedCluster>(rig.host, KUBEFED_CLUSTERS, NS);
  for (const c of joined) if (!isClusterReady(c)) out.push(`KubeFedCluster ${c.metadata.name}: not Ready`);
  const clusters = joined.map(clusterInfo);
  const policies = await readPolicies(rig.host);
  const ftcs = await listAll<FederatedTypeConfig>(rig.host, FEDERATED_TYPE_CONFIGS, NS);
  const namespaces = await listAll<FederatedObject>(rig.host, FEDERATED.namespaces);
  for (const name of TYPES) {
    const ftc = ftcs.find((f) => f.metadata.name === name);
    if (!ftc) out.push(`FederatedTypeConfig ${name}: missing`);
    else out.push(...(await checkType(rig, ftc, clusters, policies, namespaces)));
  }
  out.push(...(await checkRsps(rig, clusters)));
  return out;
}
