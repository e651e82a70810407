// `kfed preview`: per member cluster, the object the sync controller would write for a
// federated object (from the host, or from a file not yet applied), after placement,
// ReplicaSchedulingPreference scheduling, policies and overrides, without writing anything.
// Rendering goes through the sync controller's own functions (propagation/sync/render.ts)
// and the RSP planner's (propagation/scheduling/rsp-schedule.ts); this module only reads the
// inputs (KubeFedClusters and their members, FederatedTypeConfigs, policies, the
// FederatedNamespace, the RSP, the members' current objects). With `dns`, a FederatedService's or
// FederatedIngress's DNS records are previewed too (preview-dns.ts).
import { FEDERATED_TYPE_CONFIGS, KUBEFED_CONFIGS, KUBEFED_CONFIG_NAME, apiVersionOf, type FederatedTypeConfig, type KubeFedConfig } from '../api/core.js';
import {
  CLUSTER_OVERRIDE_POLICIES, CLUSTER_PROPAGATION_POLICIES, FEDERATED_NAMESPACES, OVERRIDE_POLICIES, PROPAGATION_POLICIES,
  type FederatedObject, type OverridePolicy, type PropagationPolicy,
} from '../api/federation.js';
import type { KubeObject } from '../api/meta.js';
import { REPLICA_SCHEDULING_PREFERENCES, RSP_TARGET_KINDS, type ReplicaSchedulingPreference, type RSPTargetKind } from '../api/scheduling.js';
import { KubeFedClusterRegistry } from '../clusters/registry.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { isNotFound } from '../kube/errors.js';
import type { ResourceRef } from '../kube/resource.js';
import type { ClusterInfo } from '../propagation/policy/placement.js';
import { reconcileRSP } from '../propagation/scheduling/rsp-schedule.js';
import { targetTypeInfo, type TargetTypeInfo } from '../propagation/sync/desired.js';
import { applyBody, desiredFor, placementOf } from '../propagation/sync/render.js';
import { previewDNS, type DNSPreview } from './preview-dns.js';

/** The annotation on every item of `kfed preview -o yaml|json` (an external contract). */
export const PREVIEW_CLUSTER_ANNOTATION = 'kfed.io/preview-cluster';

export interface ClusterPreview {
  cluster: string;
  /** what kfed would write (the apply body); absent when it would write nothing there */
  object?: KubeObject;
  /** what the member holds now (absent: not there, or not readable) */
  live?: KubeObject;
  /** `remove`: placed nowhere here but present (kfed would delete it); `skip`: not Ready, or overrides fail */
  action: 'write' | 'remove' | 'skip';
  message?: string;
}

export interface ObjectPreview {
  federated: FederatedObject;
  /** e.g. `Deployment sample1/web` */
  target: string;
  /** a placement or RSP problem that leaves every cluster unchanged */
  problem?: string;
  /** RSP scheduling applied to placement and replicas, when an RSP drives the object */
  schedule?: Record<string, number>;
  clusters: ClusterPreview[];
  /** with `dns`: the DNS records of the object's ServiceDNSRecord/IngressDNSRecord (absent for other types) */
  dns?: DNSPreview;
}

export interface PreviewOptions {
  kubefedNamespace: string;
  /** how long to wait for the members' credentials and readiness to be read */
  timeoutMs?: number;
  /** also preview the DNS records (ServiceDNSRecord/IngressDNSRecord of the same name) */
  dns?: boolean;
  /** other objects of the previewed file: its ServiceDNSRecords, IngressDNSRecords and Domains win over the host's */
  given?: readonly KubeObject[];
}

function ref(r: FederatedTypeConfig['spec']['federatedType'] | FederatedTypeConfig['spec']['targetType']): ResourceRef {
  return { ...(r.group ? { group: r.group } : { group: '' }), version: r.version, resource: r.pluralName, namespaced: r.scope === 'Namespaced', kind: r.kind };
}

/** The FederatedTypeConfig a KIND argument names: the federated or the target type, by kind, plural or plural.group. */
export function findTypeConfig(ftcs: readonly FederatedTypeConfig[], kind: string): FederatedTypeConfig | undefined {
  const k = kind.toLowerCase();
  const names = (r: FederatedTypeConfig['spec']['targetType']): string[] => [r.kind.toLowerCase(), r.pluralName.toLowerCase(), `${r.pluralName}.${r.group ?? ''}`.toLowerCase().replace(/\.$/, '')];
  return ftcs.find((f) => names(f.spec.federatedType).includes(k)) ?? ftcs.find((f) => names(f.spec.targetType).includes(k) || f.metadata.name?.toLowerCase() === k);
}

async function listAll<T extends KubeObject>(host: ClusterClient, r: ResourceRef, namespace?: string): Promise<T[]> {
  try {
    return (await host.dynamic.list<T>(r, namespace ? { namespace } : {})).items;
  } catch (err) {
    // kfed's policy CRDs may not be installed on a Kubefed host: no policies then.
    if (isNotFound(err)) return [];
    throw err;
  }
}

/** Preview `objects` (federated objects of enabled types) against the host's members. */
export async function previewFederated(host: ClusterClient, objects: readonly FederatedObject[], o: PreviewOptions): Promise<ObjectPreview[]> {
  const ftcs = (await host.dynamic.list<FederatedTypeConfig>(FEDERATED_TYPE_CONFIGS, { namespace: o.kubefedNamespace })).items;
  const [pp, cpp, op, cop] = await Promise.all([
    listAll<PropagationPolicy>(host, PROPAGATION_POLICIES), listAll<PropagationPolicy>(host, CLUSTER_PROPAGATION_POLICIES),
    listAll<OverridePolicy>(host, OVERRIDE_POLICIES), listAll<OverridePolicy>(host, CLUSTER_OVERRIDE_POLICIES),
  ]);
  const kfc = await host.dynamic.getIfExists<KubeFedConfig>(KUBEFED_CONFIGS, KUBEFED_CONFIG_NAME, { namespace: o.kubefedNamespace }).catch(() => undefined);
  const limitedScope = kfc?.spec?.scope === 'Namespaced';
  // A FederatedNamespace among the objects previewed (a file not yet applied) places their namespace.
  const givenNamespaces = new Map(objects.filter((f) => f.kind === 'FederatedNamespace').map((f) => [f.metadata.namespace ?? '', f]));
  const registry = new KubeFedClusterRegistry({ host: host.dynamic, namespace: o.kubefedNamespace, memberTimeoutMs: o.timeoutMs ?? 10_000 });
  const stop = new AbortController();
  const running = registry.start(stop.signal).catch(() => undefined);
  try {
    await registry.waitForSync(AbortSignal.any([stop.signal, AbortSignal.timeout(o.timeoutMs ?? 10_000)]));
    const members = registry.list();
    const clusters: ClusterInfo[] = members.map((m) => ({ name: m.name, labels: m.labels, region: m.region, zones: m.zones, ready: m.ready && m.client !== undefined }));
    const out: ObjectPreview[] = [];
    for (const fed of objects) {
      const ftc = ftcs.find((f) => f.spec.federatedType.kind === fed.kind && apiVersionOf(f.spec.federatedType) === fed.apiVersion);
      if (!ftc) throw new Error(`${fed.kind} ${fed.metadata.name}: no FederatedTypeConfig in ${o.kubefedNamespace} federates ${fed.apiVersion} ${fed.kind} (kfed enable it first)`);
      const target = targetTypeInfo(ftc);
      const ns = target.namespaced ? fed.metadata.namespace : undefined;
      const live = async (cluster: string): Promise<KubeObject | undefined> => {
        const c = members.find((m) => m.name === cluster)?.client;
        return c ? await c.dynamic.getIfExists(ref(ftc.spec.targetType), fed.metadata.name ?? '', ns ? { namespace: ns } : {}).catch(() => undefined) : undefined;
      };
      const preview = await previewOne({ host, fed, target, clusters, live, pp: [...pp, ...cpp], op: [...op, ...cop], limitedScope, givenNamespaces });
      if (o.dns && ns) {
        const dns = await previewDNS({ host, kubefedNamespace: o.kubefedNamespace, target, namespace: ns, name: fed.metadata.name ?? '', members, ...(o.given ? { given: o.given } : {}) });
        if (dns) preview.dns = withPlacementNotes(dns, preview);
      }
      out.push(preview);
    }
    return out;
  } finally {
    stop.abort();
    await running;
  }
}

/** What the preview's writes would change for DNS: clusters gaining or losing the object (DNS is computed from what is there now). */
function withPlacementNotes(dns: DNSPreview, p: ObjectPreview): DNSPreview {
  const kind = p.target.split(' ')[0];
  const notes = [...dns.notes];
  for (const c of p.clusters) {
    if (c.action === 'write' && !c.live) notes.push(`${c.cluster}: kfed would create the ${kind} there; its address joins these records once its load balancer has one`);
    if (c.action === 'remove') notes.push(`${c.cluster}: kfed would delete the ${kind} there; its address then leaves these records`);
  }
  return { ...dns, notes };
}

interface OneInput {
  host: ClusterClient;
  fed: FederatedObject;
  target: TargetTypeInfo;
  clusters: readonly ClusterInfo[];
  limitedScope: boolean;
  givenNamespaces: ReadonlyMap<string, FederatedObject>;
  live: (cluster: string) => Promise<KubeObject | undefined>;
  pp: PropagationPolicy[];
  op: OverridePolicy[];
}

async function previewOne(i: OneInput): Promise<ObjectPreview> {
  let fed = i.fed;
  const ns = fed.metadata.namespace ?? '';
  const label = `${i.target.kind} ${i.target.namespaced ? `${ns}/` : ''}${fed.metadata.name}`;
  const preview: ObjectPreview = { federated: fed, target: label, clusters: [] };
  let schedule: Record<string, number> | undefined;
  if (RSP_TARGET_KINDS.includes(fed.kind as RSPTargetKind) && ns) {
    const rsp = await i.host.dynamic.getIfExists<ReplicaSchedulingPreference>(REPLICA_SCHEDULING_PREFERENCES, fed.metadata.name ?? '', { namespace: ns }).catch(() => undefined);
    if (rsp && rsp.spec.targetKind === fed.kind) {
      const workloads = await Promise.all(i.clusters.filter((c) => c.ready).map(async (c) => ({ cluster: c.name, object: await i.live(c.name) })));
      const outcome = reconcileRSP({ rsp, fed, clusters: i.clusters, workloads, key: `${ns}/${fed.metadata.name}`, now: new Date() });
      if (outcome.ok) {
        schedule = outcome.schedule;
        fed = { ...fed, spec: { ...fed.spec, placement: outcome.update.placement, overrides: outcome.update.overrides } };
      } else {
        preview.problem = `ReplicaSchedulingPreference ${ns}/${rsp.metadata.name}: ${outcome.reason}: ${outcome.message}`;
      }
    }
  }
  if (schedule) preview.schedule = schedule;
  const fns = i.target.namespaced && ns ? i.givenNamespaces.get(ns) ?? await i.host.dynamic.getIfExists<FederatedObject>(FEDERATED_NAMESPACES, ns, { namespace: ns }).catch(() => undefined) : undefined;
  const placement = placementOf({ fed, target: i.target, clusters: i.clusters, propagationPolicies: i.pp, federatedNamespace: fns, limitedScope: i.limitedScope });
  if (!placement.ok) {
    preview.problem = `${placement.reason}: ${placement.message}`;
    return preview;
  }
  for (const c of i.clusters) {
    const live = await i.live(c.name);
    const base = { cluster: c.name, ...(live ? { live } : {}) };
    if (placement.notReady.includes(c.name)) {
      preview.clusters.push({ ...base, action: 'skip', message: 'the cluster is not Ready; kfed leaves its object as it is' });
    } else if (placement.placed.includes(c.name)) {
      const desired = desiredFor(fed, i.target, c, i.op);
      preview.clusters.push(desired.ok ? { ...base, action: 'write', object: applyBody(fed, desired.value) } : { ...base, action: 'skip', message: `${desired.reason}: ${desired.message}` });
    } else if (live && live.metadata.labels?.['kubefed.io/managed'] === 'true') {
      preview.clusters.push({ ...base, action: 'remove', message: 'not placed here: kfed would delete it' });
    }
  }
  return preview;
}
