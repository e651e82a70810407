// Prepares a host cluster for the control plane: kfed's CRDs (from crds/), the KubeFed
// namespace and the KubeFedConfig. Used by `kfed sandbox`; idempotent.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KubeFedConfig } from '../api/core.js';
import type { KubeObject } from '../api/meta.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { isNotFound } from '../kube/errors.js';
import { CUSTOM_RESOURCE_DEFINITIONS, NAMESPACES } from '../api/kubernetes.js';
import { KUBEFED_CONFIGS } from '../api/core.js';

/** The repository's crds/ folder, found from this module whether it runs from src/ or dist/. */
export function findCrdDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'crds');
    if (existsSync(join(candidate, 'core', 'kubefedclusters.yaml'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('cannot find the crds/ folder next to the kfed sources');
}

async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await yamlFiles(p)));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

/** Every CRD in `dir` (recursively), created or replaced; resolves once all are served. */
export async function installCrds(host: ClusterClient, dir = findCrdDir()): Promise<string[]> {
  const names: string[] = [];
  for (const file of await yamlFiles(dir)) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      const parsed = doc.toJS() as KubeObject | null;
      if (!parsed || parsed.kind !== 'CustomResourceDefinition') continue;
      const crd = withoutBareMetadataSchema(parsed);
      const name = crd.metadata.name ?? '';
      const existing = await host.dynamic.getIfExists(CUSTOM_RESOURCE_DEFINITIONS, name);
      if (existing) await host.dynamic.update(CUSTOM_RESOURCE_DEFINITIONS, { ...crd, metadata: { ...crd.metadata, resourceVersion: existing.metadata.resourceVersion ?? '' } });
      else await host.dynamic.create(CUSTOM_RESOURCE_DEFINITIONS, crd);
      names.push(name);
    }
  }
  // Served once a list of the new resource answers.
  const deadline = Date.now() + 30_000;
  for (const name of names) {
    const crd = (await host.dynamic.get(CUSTOM_RESOURCE_DEFINITIONS, name)) as KubeObject & { spec: { group: string; names: { plural: string; kind: string }; scope: string; versions: { name: string; served?: boolean; storage?: boolean }[] } };
    const version = crd.spec.versions.find((v) => v.storage)?.name ?? crd.spec.versions[0]?.name ?? 'v1';
    const ref = { group: crd.spec.group, version, resource: crd.spec.names.plural, namespaced: crd.spec.scope === 'Namespaced', kind: crd.spec.names.kind };
    for (;;) {
      try {
        await host.dynamic.list(ref, { limit: 1 });
        break;
      } catch (err) {
        if (!isNotFound(err) || Date.now() > deadline) throw new Error(`CRD ${name} not served`, { cause: err });
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
  return names;
}

/**
 * Drops a root `metadata: {type: object}` schema entry (controller-gen emits it; it
 * means nothing, as kube-apiserver never prunes object metadata). The sandbox API server
 * prunes metadata's fields when the entry is present (reported), which would store
 * objects without names; without the entry both behave the same.
 */
export function withoutBareMetadataSchema(crd: KubeObject): KubeObject {
  const out = structuredClone(crd) as KubeObject & { spec?: { versions?: { schema?: { openAPIV3Schema?: { properties?: Record<string, Record<string, unknown>> } } }[] } };
  for (const v of out.spec?.versions ?? []) {
    const props = v.schema?.openAPIV3Schema?.properties;
    const meta = props?.metadata;
    if (props && meta && Object.keys(meta).every((k) => k === 'type' || k === 'description')) delete props.metadata;
  }
  return out;
}

export interface HostSetupOptions {
  namespace: string;
  /** spec.clusterHealthCheck of the KubeFedConfig created when there is none. */
  clusterHealthCheck?: KubeFedConfig['spec']['clusterHealthCheck'];
}

/** The KubeFed namespace and a KubeFedConfig `kubefed` (left alone when present). */
export async function ensureKubeFedNamespaceAndConfig(host: ClusterClient, o: HostSetupOptions): Promise<void> {
  if (!(await host.dynamic.getIfExists(NAMESPACES, o.namespace))) {
    await host.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace } });
  }
  if (!(await host.dynamic.getIfExists(KUBEFED_CONFIGS, 'kubefed', { namespace: o.namespace }))) {
    const config: KubeFedConfig = {
      apiVersion: 'core.kubefed.io/v1beta1',
      kind: 'KubeFedConfig',
      metadata: { name: 'kubefed', namespace: o.namespace },
      spec: { scope: 'Cluster', ...(o.clusterHealthCheck ? { clusterHealthCheck: o.clusterHealthCheck } : {}) },
    };
    await host.dynamic.create(KUBEFED_CONFIGS, config);
  }
}
