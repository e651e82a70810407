// `kfed federate KIND NAME [-n NS] [--contents] [--enable-type] [--output yaml] [--placement M]`,
// as kubefedctl federate: build the Federated<Kind> from an object in the host cluster
// (placed on every cluster unless a PropagationPolicy selects it: federate-placement.ts), and
// with --contents (namespaces only) every object in the namespace too. Objects controllers
// create (events, endpoints, owned objects such as a Deployment's ReplicaSets and Pods, the
// per-namespace root CA and default account) are skipped: federating them would fight the
// controllers that own them.
import { groupQualifiedName, type FederatedTypeConfig, FEDERATED_TYPE_CONFIGS } from '../api/core.js';
import type { KubeObject } from '../api/meta.js';
import type { FederatedObject } from '../api/federation.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { isAlreadyExists, isNotFound } from '../kube/errors.js';
import type { ResourceRef } from '../kube/resource.js';
import { createEnableResources, discoverTargets, enableResources, type EnableChange } from './enable.js';
import { federatedObjectFrom } from './federate-object.js';
import { decidePlacement, readPropagationPolicies, withPlacement, type PlacementDecision, type PlacementMode } from './federate-placement.js';
import { nameMatchesResource, resolveTargetResource, type TargetAPIResource } from '../propagation/types/federated-crd.js';
import { FIELD_MANAGER } from '../propagation/resources.js';

const CONTROLLER_CREATED = new Set(['events', 'events.events.k8s.io', 'endpoints', 'endpointslices.discovery.k8s.io', 'propagatedversions.core.kubefed.io', 'pods', 'controllerrevisions.apps', 'leases.coordination.k8s.io']);
const SKIPPED_OBJECTS = new Set(['configmaps/kube-root-ca.crt', 'serviceaccounts/default']);

export interface FederateOptions {
  kubefedNamespace: string;
  /** namespace of the object (ignored for cluster-scoped kinds). Default `default`. */
  namespace?: string;
  contents?: boolean;
  enableType?: boolean;
  /** only build the objects (yaml output); nothing is written */
  dryRun?: boolean;
  /** kinds to skip with --contents: short name, kind, plural, plural.group or a group */
  skipApiResources?: string[];
  /** default `auto`: every cluster unless a PropagationPolicy selects the object (federate-placement.ts) */
  placement?: PlacementMode;
  signal?: AbortSignal | undefined;
}

/** One step of `kfed federate`, in order: a type enabled on the way, or a federated object created (or found). */
export type FederateStep =
  | { step: 'enabled'; changes: EnableChange[] }
  | { step: 'federated'; kind: string; name: string; namespace?: string; created: boolean; placement: PlacementDecision };

export interface FederateResult {
  objects: FederatedObject[];
  /** per object (same order): the placement written, or the policy that places it */
  placements: PlacementDecision[];
  /** empty for a dry run */
  steps: FederateStep[];
}

function refOf(t: TargetAPIResource): ResourceRef {
  return { group: t.group, version: t.version, resource: t.plural, namespaced: t.namespaced, kind: t.kind };
}

function fedRefOf(fed: FederatedObject, t: TargetAPIResource): ResourceRef {
  return { group: 'types.kubefed.io', version: 'v1beta1', resource: `federated${t.plural}`, namespaced: fed.metadata.namespace !== undefined, kind: fed.kind };
}

function skipped(t: TargetAPIResource, skip: readonly string[]): boolean {
  const qualified = groupQualifiedName({ pluralName: t.plural, group: t.group });
  if (CONTROLLER_CREATED.has(qualified) || t.group === 'types.kubefed.io' || t.group === 'core.kubefed.io') return true;
  return skip.some((s) => s === t.group || nameMatchesResource(s, t));
}

async function typeInstalled(host: ClusterClient, t: TargetAPIResource, ns: string): Promise<boolean> {
  const name = groupQualifiedName({ pluralName: t.plural, group: t.group });
  return (await host.dynamic.getIfExists<FederatedTypeConfig>(FEDERATED_TYPE_CONFIGS, name, { namespace: ns })) !== undefined;
}

export async function federateResource(host: ClusterClient, typeName: string, name: string, opts: FederateOptions): Promise<FederateResult> {
  host.discovery.invalidate();
  const targets = await discoverTargets(host);
  const target = resolveTargetResource(typeName, targets);
  if (opts.contents && !(target.group === '' && target.plural === 'namespaces')) throw new Error("flag '--contents' can only be used with type 'namespaces'");
  const ns = target.namespaced ? (opts.namespace ?? 'default') : undefined;
  const sig = opts.signal ? { signal: opts.signal } : {};
  const obj = await host.dynamic.get(refOf(target), name, { ...(ns ? { namespace: ns } : {}), ...sig });
  const work: { target: TargetAPIResource; obj: KubeObject }[] = [{ target, obj }];
  if (opts.contents) {
    for (const t of targets.filter((x) => x.namespaced && !skipped(x, opts.skipApiResources ?? []))) {
      let items: KubeObject[];
      try {
        items = (await host.dynamic.listAll(refOf(t), { namespace: name, ...sig })).items;
      } catch (err) {
        if (isNotFound(err) || (err as { reason?: string }).reason === 'MethodNotAllowed' || (err as { reason?: string }).reason === 'Forbidden') continue;
        throw err;
      }
      for (const item of items) {
        if ((item.metadata.ownerReferences ?? []).length > 0) continue;
        if (SKIPPED_OBJECTS.has(`${t.plural}/${item.metadata.name ?? ''}`) && t.group === '') continue;
        work.push({ target: t, obj: item });
      }
    }
  }
  const mode = opts.placement ?? 'auto';
  // Every decision before any write: --placement policy refuses the whole run when one object has no policy.
  // (`all` reads them only to say which policy it shuts out: a host where they cannot be read still federates.)
  const policies = mode === 'all' ? await readPropagationPolicies(host, opts.signal).catch(() => []) : await readPropagationPolicies(host, opts.signal);
  const built = work.map((w) => withoutNamespaceFinalizers(federatedObjectFrom(w.obj, w.target), w.target));
  const placements = built.map((fed, i) => decidePlacement(mode, fed, work[i]!.target.kind, policies));
  const objects = built.map((fed, i) => withPlacement(fed, placements[i]!));
  const steps: FederateStep[] = [];
  if (opts.dryRun) return { objects, placements, steps };
  const enabled = new Set<string>();
  for (const [i, w] of work.entries()) {
    const key = groupQualifiedName({ pluralName: w.target.plural, group: w.target.group });
    if (!enabled.has(key) && !(await typeInstalled(host, w.target, opts.kubefedNamespace))) {
      if (!opts.enableType) throw new Error(`FederatedTypeConfig ${opts.kubefedNamespace}/${key} not found; consider --enable-type to enable the type while federating`);
      steps.push({ step: 'enabled', changes: await createEnableResources(host, enableResources(w.target, opts.kubefedNamespace), opts.signal) });
      await waitServed(host, fedRefOf(objects[i]!, w.target), opts.signal);
    }
    enabled.add(key);
    steps.push({ ...(await createFederated(host, objects[i]!, w.target, sig)), placement: placements[i]! });
  }
  return { objects, placements, steps };
}

async function createFederated(host: ClusterClient, fed: FederatedObject, t: TargetAPIResource, sig: { signal?: AbortSignal }): Promise<Omit<Extract<FederateStep, { step: 'federated' }>, 'placement'>> {
  const step = { step: 'federated' as const, kind: fed.kind, name: fed.metadata.name ?? '', ...(fed.metadata.namespace ? { namespace: fed.metadata.namespace } : {}) };
  try {
    await host.dynamic.create(fedRefOf(fed, t), fed, { fieldManager: FIELD_MANAGER, ...sig });
    return { ...step, created: true };
  } catch (err) {
    if (!isAlreadyExists(err)) throw new Error(`create ${fed.kind} ${fed.metadata.namespace ?? ''}/${fed.metadata.name ?? ''}`, { cause: err });
    return { ...step, created: false };
  }
}

/** A CRD just created is served a moment later. */
async function waitServed(host: ClusterClient, ref: ResourceRef, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await host.dynamic.list(ref, { limit: 1, ...(signal ? { signal } : {}) });
      return;
    } catch (err) {
      if (!isNotFound(err) || Date.now() > deadline) throw new Error(`${ref.resource}.${ref.group} is not served`, { cause: err });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A Namespace's spec.finalizers belong to the API server that set them (kubefedctl drops them too). */
function withoutNamespaceFinalizers(fed: FederatedObject, t: TargetAPIResource): FederatedObject {
  if (!(t.group === '' && t.plural === 'namespaces')) return fed;
  const spec = fed.spec.template?.['spec'] as Record<string, unknown> | undefined;
  if (spec) {
    delete spec['finalizers'];
    if (Object.keys(spec).length === 0) delete fed.spec.template!['spec'];
  }
  return fed;
}
