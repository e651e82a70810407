// `kfed enable TYPE`: resolve the target type through the host's discovery, then create or
// update its Federated<Kind> CRD and FederatedTypeConfig (kubefedctl enable's behaviour:
// re-running updates the CRD; changing an enabled type's federated type is refused).
import { groupQualifiedName, type FederatedTypeConfig, FEDERATED_TYPE_CONFIGS } from '../api/core.js';
import type { KubeObject } from '../api/meta.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import type { ApiResourceInfo } from '../kube/discovery.js';
import { isAlreadyExists } from '../kube/errors.js';
import { DEFAULT_FEDERATED_TYPES, defaultTypeConfigs, defaultTypeCRDs } from '../propagation/types/default-types.js';
import { fetchTemplateSchema } from './target-schema.js';
import { federatedTypeCRD, federatedTypeConfigFor, resolveTargetResource, type CustomResourceDefinition, type FederatedTypeOptions, type TargetAPIResource } from '../propagation/types/federated-crd.js';
import { FIELD_MANAGER } from '../propagation/resources.js';
import { CUSTOM_RESOURCE_DEFINITIONS, NAMESPACES } from '../api/kubernetes.js';

/** Discovery's view of a resource as `kfed enable` needs it. */
export function targetFromDiscovery(info: ApiResourceInfo): TargetAPIResource {
  return {
    group: info.group,
    version: info.version,
    kind: info.kind,
    plural: info.resource,
    singular: info.singularName,
    shortNames: [...info.shortNames],
    namespaced: info.namespaced,
    hasReplicas: info.subresources.includes('scale'),
  };
}

/**
 * Every resource a user could federate: preferred versions (or `version` when given),
 * excluding subresources and what kfed itself defines.
 */
export async function discoverTargets(host: ClusterClient, version?: string): Promise<TargetAPIResource[]> {
  const all = await host.discovery.serverResources();
  return all.filter((r) => (version ? r.version === version : r.preferred) && r.verbs.includes('create')).map(targetFromDiscovery);
}

/**
 * The target type named by `typeName`. A federated type (`FederatedDeployment`,
 * `federateddeployments.types.kubefed.io`) stands for its target, as a user typing the
 * federated name means it; enabling it as such would create `federatedfederateddeployments`.
 */
export async function resolveEnableTarget(host: ClusterClient, typeName: string, version?: string, federatedGroup = 'types.kubefed.io'): Promise<TargetAPIResource> {
  host.discovery.invalidate();
  const targets = await discoverTargets(host, version);
  const found = resolveTargetResource(typeName, targets);
  if (found.group !== federatedGroup || !/^Federated./.test(found.kind)) return found;
  const kind = found.kind.slice('Federated'.length);
  const candidates = targets.filter((t) => t.kind === kind && t.group !== federatedGroup);
  if (candidates.length === 1) return candidates[0]!;
  const why = candidates.length === 0 ? `no API type of kind ${kind} is served` : `several API types have kind ${kind}: ${candidates.map((c) => groupQualifiedName({ pluralName: c.plural, group: c.group })).join(', ')}`;
  throw new Error(`${JSON.stringify(typeName)} is the federated type ${found.kind}, not a type to federate, and ${why}; name the target type (e.g. ${kind.toLowerCase()}s.<group>)`);
}

export interface EnableResources {
  target: TargetAPIResource;
  /** Why spec.template is not validated against the target's schema, when it is not. */
  openTemplate?: string;
  crd: CustomResourceDefinition;
  ftc: FederatedTypeConfig;
}

export function enableResources(target: TargetAPIResource, namespace: string, opts: FederatedTypeOptions = {}): EnableResources {
  return { target, crd: federatedTypeCRD(target, opts), ftc: federatedTypeConfigFor(target, { ...opts, namespace }) };
}

/** What `kfed enable` did to one object; src/cli prints it as kubectl does. */
export interface EnableChange {
  kind: 'CustomResourceDefinition' | 'FederatedTypeConfig';
  name: string;
  /** the FederatedTypeConfig's namespace (a CRD has none) */
  namespace?: string;
  action: 'created' | 'updated' | 'unchanged';
}

/** Create or update the CRD and FTC; returns what changed, CRD first. */
export async function createEnableResources(host: ClusterClient, res: EnableResources, signal?: AbortSignal): Promise<EnableChange[]> {
  const namespace = res.ftc.metadata.namespace ?? '';
  const sig = signal ? { signal } : {};
  if (!(await host.dynamic.getIfExists(NAMESPACES, namespace, sig))) throw new Error(`KubeFed system namespace ${JSON.stringify(namespace)} does not exist`);
  const name = res.ftc.metadata.name ?? '';
  const existing = await host.dynamic.getIfExists<FederatedTypeConfig>(FEDERATED_TYPE_CONFIGS, name, { namespace, ...sig });
  if (existing) refuseFederatedTypeChange(name, existing, res.ftc);
  return [await applyCrd(host, res.crd, sig), await applyTypeConfig(host, res.ftc, existing, sig)];
}

function refuseFederatedTypeChange(name: string, existing: FederatedTypeConfig, wanted: FederatedTypeConfig): void {
  const a = existing.spec.federatedType;
  const b = wanted.spec.federatedType;
  if (a.kind !== b.kind || a.version !== b.version || (a.group ?? '') !== (b.group ?? '')) {
    throw new Error(`federation is already enabled for ${JSON.stringify(name)} with federated type ${groupQualifiedName(a)}/${a.version}; changing it to ${groupQualifiedName(b)}/${b.version} is not supported`);
  }
}

async function applyCrd(host: ClusterClient, want: CustomResourceDefinition, sig: { signal?: AbortSignal }): Promise<EnableChange> {
  const name = want.metadata.name ?? '';
  const change = (action: EnableChange['action']): EnableChange => ({ kind: 'CustomResourceDefinition', name, action });
  const crd = await host.dynamic.getIfExists<CustomResourceDefinition>(CUSTOM_RESOURCE_DEFINITIONS, name, sig);
  if (!crd) {
    await host.dynamic.create(CUSTOM_RESOURCE_DEFINITIONS, want, { fieldManager: FIELD_MANAGER, ...sig });
    return change('created');
  }
  const spec = { ...(crd.spec as object), ...keepTypedTemplate(want, crd).spec };
  if (JSON.stringify(crd.spec) === JSON.stringify(spec)) return change('unchanged');
  await host.dynamic.update(CUSTOM_RESOURCE_DEFINITIONS, { ...crd, spec } as KubeObject, { fieldManager: FIELD_MANAGER, ...sig });
  return change('updated');
}

/** A template schema the host could not give us does not replace a typed one already installed (the shipped CRDs'). */
function keepTypedTemplate(want: CustomResourceDefinition, existing: CustomResourceDefinition): CustomResourceDefinition {
  const template = (c: CustomResourceDefinition) => c.spec?.versions?.[0]?.schema?.openAPIV3Schema?.properties?.spec?.properties?.template;
  const wanted = template(want);
  const installed = template(existing);
  if (!wanted || wanted.properties || !installed?.properties) return want;
  const copy = structuredClone(want);
  const spec = copy.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec;
  if (spec?.properties) spec.properties.template = installed;
  return copy;
}

async function applyTypeConfig(host: ClusterClient, want: FederatedTypeConfig, existing: FederatedTypeConfig | undefined, sig: { signal?: AbortSignal }): Promise<EnableChange> {
  const name = want.metadata.name ?? '';
  const namespace = want.metadata.namespace ?? '';
  const change = (action: EnableChange['action']): EnableChange => ({ kind: 'FederatedTypeConfig', name, namespace, action });
  if (!existing) {
    await host.dynamic.create(FEDERATED_TYPE_CONFIGS, want, { fieldManager: FIELD_MANAGER, ...sig });
    return change('created');
  }
  const spec = { ...existing.spec, ...want.spec };
  if (JSON.stringify(existing.spec) === JSON.stringify(spec)) return change('unchanged');
  await host.dynamic.update(FEDERATED_TYPE_CONFIGS, { ...existing, spec }, { fieldManager: FIELD_MANAGER, ...sig });
  return change('updated');
}

export interface EnableOptions extends FederatedTypeOptions {
  namespace: string;
  /** the target's API version (default: the group's preferred version) */
  version?: string;
  signal?: AbortSignal | undefined;
}

/** `kfed enable TYPE`. */
export async function enableType(host: ClusterClient, typeName: string, opts: EnableOptions): Promise<{ resources: EnableResources; changes: EnableChange[] }> {
  const target = await resolveEnableTarget(host, typeName, opts.version, opts.federatedGroup);
  const { schema, reason } = await fetchTemplateSchema(host, target, opts.signal);
  const resources: EnableResources = { ...enableResources(target, opts.namespace, { ...opts, templateSchema: schema }), ...(reason ? { openTemplate: reason } : {}) };
  return { resources, changes: await createEnableResources(host, resources, opts.signal) };
}

/**
 * Enable the types Kubefed enables by default (as its chart does): their CRDs and
 * FederatedTypeConfigs in `namespace`, leaving existing ones as they are. Used by the
 * sandbox start-up and by tests; returns the FTC names created.
 */
export async function enableDefaultTypes(host: ClusterClient, namespace: string, signal?: AbortSignal): Promise<string[]> {
  const sig = signal ? { signal } : {};
  const schemas = await Promise.all(DEFAULT_FEDERATED_TYPES.map(async (t) => (await fetchTemplateSchema(host, t, signal)).schema));
  for (const crd of defaultTypeCRDs(schemas)) {
    if (!(await host.dynamic.getIfExists(CUSTOM_RESOURCE_DEFINITIONS, crd.metadata.name ?? '', sig))) {
      await host.dynamic.create(CUSTOM_RESOURCE_DEFINITIONS, crd, { fieldManager: FIELD_MANAGER, ...sig });
    }
  }
  const created: string[] = [];
  for (const ftc of defaultTypeConfigs(namespace)) {
    try {
      await host.dynamic.create(FEDERATED_TYPE_CONFIGS, ftc, { fieldManager: FIELD_MANAGER, ...sig });
      created.push(ftc.metadata.name ?? '');
    } catch (err) {
      if (!isAlreadyExists(err)) throw new Error(`enable default type ${ftc.metadata.name ?? ''}`, { cause: err });
    }
  }
  return created;
}
