// `kubectl apply -f FILE` for the sandbox demo: every document of a YAML file, server-side
// applied through discovery (so Federated* kinds whose CRDs were created a moment ago
// work once they are served). Re-running changes nothing.
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../api/meta.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { isNotFound } from '../kube/errors.js';
import type { ResourceRef } from '../kube/resource.js';

export interface ApplyOptions {
  fieldManager: string;
  /** For namespaced objects without one. Default `default`. */
  defaultNamespace?: string;
  /** How long to wait for a kind to be served (a CRD just created). Default 30 s. */
  servedTimeoutMs?: number;
  signal?: AbortSignal | undefined;
}

export interface AppliedObject {
  kind: string;
  namespace: string | undefined;
  name: string;
}

/** The objects of a multi-document YAML text, empty documents skipped. */
export function parseManifest(text: string, source: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
    const obj = doc.toJS() as KubeObject | null;
    if (obj === null) continue;
    if (typeof obj !== 'object' || !obj.apiVersion || !obj.kind || !obj.metadata?.name) {
      throw new Error(`${source}: document ${out.length + 1} lacks apiVersion, kind or metadata.name`);
    }
    out.push(obj);
  }
  return out;
}

async function resourceOf(client: ClusterClient, obj: KubeObject, deadline: number, signal?: AbortSignal): Promise<ResourceRef> {
  for (;;) {
    try {
      return await client.discovery.resourceFor(obj.apiVersion, obj.kind);
    } catch (err) {
      if (Date.now() > deadline || signal?.aborted) throw new Error(`${obj.kind} ${obj.apiVersion} is not served by ${client.name}`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Applies `objects` in order; resolves what was applied. */
export async function applyObjects(client: ClusterClient, objects: readonly KubeObject[], o: ApplyOptions): Promise<AppliedObject[]> {
  const deadline = Date.now() + (o.servedTimeoutMs ?? 30_000);
  const applied: AppliedObject[] = [];
  for (const original of objects) {
    const ref = await resourceOf(client, original, deadline, o.signal);
    const namespace = ref.namespaced ? (original.metadata.namespace ?? o.defaultNamespace ?? 'default') : undefined;
    const obj: KubeObject = { ...original, metadata: { ...original.metadata, ...(namespace ? { namespace } : {}) } };
    const name = obj.metadata.name ?? '';
    for (;;) {
      try {
        await client.dynamic.apply(ref, obj, { fieldManager: o.fieldManager, force: true, signal: o.signal });
        break;
      } catch (err) {
        // A resource that discovery lists can still 404 for a moment after its CRD appeared.
        if (!isNotFound(err) || Date.now() > deadline) throw new Error(`apply ${obj.kind} ${namespace ? `${namespace}/` : ''}${name}`, { cause: err });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    applied.push({ kind: obj.kind, namespace, name });
  }
  return applied;
}

export async function applyManifestFile(client: ClusterClient, path: string, o: ApplyOptions): Promise<AppliedObject[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`read manifest ${path}`, { cause: err });
  }
  return applyObjects(client, parseManifest(text, path), o);
}
