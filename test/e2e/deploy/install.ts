// Installs the kustomize base into a sandbox host with real kubectl, as a user would:
//   kubectl apply --server-side -k deploy/crds; kubectl wait ...; kubectl apply --server-side -k deploy/base
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeObject } from '../../../src/api/meta.js';
import { REPO } from '../../unit/deploy/manifests.js';

const run = promisify(execFile);


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

/** Objects back to one multi-document YAML stream for `kubectl apply -f -`. */
export function asYaml(objects: KubeObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

/** The documented install: deploy/crds, wait until Established, then deploy/base. */
export async function installKustomizeBase(target: KubectlTarget): Promise<KubeObject[]> {
  const crds = (await kustomizeBase(target.kubectl, 'crds')).objects;
  await kubectl(target, ['apply', '--server-side', '-f', '-'], asYaml(crds));
  await kubectl(target, ['wait', '--for=condition=Established', '--timeout=60s', ...crds.map((o) => `crd/${o.metadata.name ?? ''}`)]);
  const all = (await kustomizeBase(target.kubectl, 'base')).objects;
  await kubectl(target, ['apply', '--server-side', '-f', '-'], asYaml(all));
  return all;
}
