// Installs CRD manifests from crds/ into a cluster and waits until they are served.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/api/meta.js';
import type { ClusterClient } from '../../src/kube/cluster-client.js';
import type { ResourceRef } from '../../src/kube/resource.js';

const CRDS: ResourceRef = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', namespaced: false, kind: 'CustomResourceDefinition' };

/** Creates every CRD in `dir` (relative to the repository root) and waits for each to be listable. */
export async function installCrds(client: ClusterClient, dir: string, root = process.cwd()): Promise<string[]> {
  const folder = join(root, dir);
  const names: string[] = [];
  for (const file of (await readdir(folder)).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(await readFile(join(folder, file), 'utf8'))) {
      const crd = doc.toJS() as KubeObject | null;
      if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
      if (!(await client.dynamic.getIfExists(CRDS, crd.metadata.name ?? ''))) await client.dynamic.create(CRDS, crd);
      names.push(crd.metadata.name ?? '');
      const spec = crd['spec'] as { group: string; names: { plural: string }; versions: { name: string; storage?: boolean }[]; scope: string };
      const version = spec.versions.find((v) => v.storage)?.name ?? spec.versions[0]?.name ?? 'v1';
      const ref: ResourceRef = { group: spec.group, version, resource: spec.names.plural, namespaced: spec.scope === 'Namespaced' };
      for (let i = 0; ; i++) {
        try {
          await client.dynamic.list(ref, { limit: 1 });
          break;
        } catch (err) {
          if (i > 100) throw new Error(`CRD ${crd.metadata.name ?? ''} not served`, { cause: err });
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
  }
  return names;
}

