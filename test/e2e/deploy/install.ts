// Installs the kustomize base into a sandbox host with real kubectl, as a user would:
//   kubectl apply --server-side -k deploy/crds; kubectl wait ...; kubectl apply --server-side -k deploy/base
// Two sandbox limitations are detected (not assumed) and worked around, each with a
// printed notice, so the workaround disappears by itself once the sandbox is fixed:
// - it prunes a CRD's root `metadata: {type: object}` schema as if it were a plain object,
//   dropping name and namespace (kube-apiserver never prunes ObjectMeta);
// - it does not serve policy/v1 PodDisruptionBudgets.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeObject } from '../../../src/api/meta.js';
import type { ClusterClient } from '../../../src/kube/cluster-client.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { REPO } from '../../unit/deploy/manifests.js';

const run = promisify(execFile);

const CRDS: ResourceRef = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', namespaced: false, kind: 'CustomResourceDefinition' };
const PROBE_GROUP = 'probe.deploy-test.kfed.io';

export interface KubectlTarget {
  kubectl: string;
  kubeconfig: string;
  context: string;
}

export async function kubectl(t: KubectlTarget, args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
  const child = run(t.kubectl, ['--kubeconfig', t.kubeconfig, '--context', t.context, ...args], { maxBuffer: 64 << 20 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  return child;
}

/** `kubectl kustomize deploy/<dir>`: the text and its objects. */
export async function kustomizeBase(kubectlPath: string, dir: 'base' | 'crds' = 'base'): Promise<{ text: string; objects: KubeObject[] }> {
  const { stdout } = await run(kubectlPath, ['kustomize', join(REPO, 'deploy', dir)], { maxBuffer: 64 << 20 });
  const objects = parseAllDocuments(stdout).map((d) => d.toJS() as KubeObject | null).filter((o): o is KubeObject => o !== null);
  return { text: stdout, objects };
}

/** True when the sandbox drops metadata of custom resources whose CRD declares a root metadata schema. */
export async function sandboxPrunesRootMetadata(admin: ClusterClient): Promise<boolean> {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `probes.${PROBE_GROUP}` },
    spec: {
      group: PROBE_GROUP,
      names: { kind: 'Probe', listKind: 'ProbeList', plural: 'probes', singular: 'probe' },
      scope: 'Cluster',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { metadata: { type: 'object' }, spec: { type: 'object' } } } } }],
    },
  };
  const ref: ResourceRef = { group: PROBE_GROUP, version: 'v1', resource: 'probes', namespaced: false, kind: 'Probe' };
  await admin.dynamic.create(CRDS, crd as KubeObject);
  try {
    for (let i = 0; ; i++) {
      try {
        await admin.dynamic.list(ref, { limit: 1 });
        break;
      } catch (err) {
        if (i > 200) throw new Error('probe CRD not served', { cause: err });
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    try {
      const made = await admin.dynamic.create(ref, { apiVersion: `${PROBE_GROUP}/v1`, kind: 'Probe', metadata: { name: 'p' }, spec: {} } as KubeObject);
      return made.metadata.name !== 'p';
    } catch {
      return true;
    }
  } finally {
    await admin.dynamic.delete(CRDS, crd.metadata.name, { ignoreNotFound: true });
  }
}

export async function servesPodDisruptionBudgets(admin: ClusterClient): Promise<boolean> {
  try {
    await admin.dynamic.list({ group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', namespaced: true, kind: 'PodDisruptionBudget' }, { limit: 1 });
    return true;
  } catch {
    return false;
  }
}

export interface Adjusted {
  text: string;
  notices: string[];
}

/** The kustomize output, adjusted only for the sandbox limitations that were detected. */
export async function adjustForSandbox(admin: ClusterClient, objects: KubeObject[]): Promise<Adjusted> {
  const notices: string[] = [];
  let out = objects;
  if (await sandboxPrunesRootMetadata(admin)) {
    notices.push('sandbox prunes the root metadata schema of CRDs (kube-apiserver does not): removing that property from the CRDs before applying');
    out = out.map((o) => {
      if (o.kind !== 'CustomResourceDefinition') return o;
      const c = structuredClone(o) as KubeObject & { spec: { versions: { schema?: { openAPIV3Schema?: { properties?: Record<string, unknown> } } }[] } };
      for (const v of c.spec.versions) delete v.schema?.openAPIV3Schema?.properties?.['metadata'];
      return c;
    });
  }
  if (!(await servesPodDisruptionBudgets(admin))) {
    notices.push('sandbox does not serve policy/v1 PodDisruptionBudget: leaving it out');
    out = out.filter((o) => o.kind !== 'PodDisruptionBudget');
  }
  for (const n of notices) console.warn(`[deploy e2e] ${n}`);
  return { text: out.map((o) => stringify(o, { lineWidth: 0 })).join('---\n'), notices };
}

/** The documented install: deploy/crds, wait until Established, then deploy/base. */
export async function installKustomizeBase(target: KubectlTarget, admin: ClusterClient): Promise<KubeObject[]> {
  const crds = (await kustomizeBase(target.kubectl, 'crds')).objects;
  await kubectl(target, ['apply', '--server-side', '-f', '-'], (await adjustForSandbox(admin, crds)).text);
  await kubectl(target, ['wait', '--for=condition=Established', '--timeout=60s', ...crds.map((o) => `crd/${o.metadata.name ?? ''}`)]);
  const all = (await kustomizeBase(target.kubectl, 'base')).objects;
  await kubectl(target, ['apply', '--server-side', '-f', '-'], (await adjustForSandbox(admin, all)).text);
  return all;
}
