// Kubefed's example/sample1, as kfed's own equivalent in examples/kubefed-sample1/, applied
// unchanged with real kubectl to `kfed sandbox --cluster-names cluster1,cluster2` (the CLI,
// as a user starts it): every federated object reaches both members as its template with
// cluster2's overrides, and `kubectl get -o wide` shows the images the README says it shows.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { requireTools } from '../../support/tools.js';
import { kubectlRunner } from '../../support/kubectl.js';
import { pollUntil } from '../../support/until.js';

type Obj = Record<string, any>;

const tools = requireTools('kubectl');
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const SAMPLE = join(ROOT, 'examples/kubefed-sample1');
const CLUSTERS = ['cluster1', 'cluster2'];

/** The template with this cluster's overrides, by plain JSON-pointer replace/add (what the manifests use). */
function rendered(fed: Obj, cluster: string): Obj {
  const out = structuredClone(fed.spec.template ?? {}) as Obj;
  for (const item of (fed.spec.overrides ?? []) as Obj[]) {
    if (item.clusterName !== cluster) continue;
    for (const o of item.clusterOverrides as Obj[]) {
      const parts = (o.path as string).split('/').slice(1);
      let at: Obj = out;
      for (const p of parts.slice(0, -1)) at = at[p] as Obj;
      at[parts[parts.length - 1]!] = o.value;
    }
  }
  return out;
}

/** Paths of `want` whose value `got` lacks or differs on (`got` may hold more: defaults, status). */
function missing(want: unknown, got: unknown, path = ''): string[] {
  if (want !== null && typeof want === 'object') {
    if (got === null || typeof got !== 'object') return [path || '/'];
    return Object.entries(want as Obj).flatMap(([k, v]) => missing(v, (got as Obj)[k], `${path}/${k}`));
  }
  return want === got ? [] : [`${path}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`];
}

describe.skipIf(!tools)('Kubefed sample1 on kfed sandbox --cluster-names cluster1,cluster2', () => {
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let kubeconfig = '';
  let out = '';
  let err = '';
  const kubectl = kubectlRunner(tools?.kubectl ?? 'kubectl', () => kubeconfig);

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kfed-e2e-sample1-'));
    kubeconfig = join(dir, 'kubeconfig');
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'sandbox', '--cluster-names', 'cluster1,cluster2', '--kubeconfig', kubeconfig, '--dns-port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await pollUntil(() => out.includes('sandbox ready') || child.exitCode !== null, 120_000, 200).catch((e: unknown) => {
      throw new Error(`no ready line:\n${out}\n${err}`, { cause: e });
    });
    if (child.exitCode !== null) throw new Error(`sandbox exited ${child.exitCode}:\n${out}\n${err}`);
  }, 150_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
      if (code === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    }
  }, 30_000);

  it('names the clusters and joins them under those names', async () => {
    expect(out).toContain('contexts cluster1, cluster2; current cluster1');
    const names = await kubectl('--context', 'cluster1', '-n', 'kube-federation-system', 'get', 'kubefedclusters', '-o', 'jsonpath={.items[*].metadata.name}');
    expect(names.split(' ').sort()).toEqual(CLUSTERS);
  });

  it('propagates every object of the sample, unchanged, with cluster2\'s overrides', async () => {
    await kubectl('--context', 'cluster1', 'apply', '-f', SAMPLE);
    const feds: Obj[] = [];
    for (const f of (await readdir(SAMPLE)).sort()) {
      for (const doc of parseAllDocuments(await readFile(join(SAMPLE, f), 'utf8'))) {
        const o = doc.toJS() as Obj | null;
        if (o?.apiVersion === 'types.kubefed.io/v1beta1') feds.push(o);
      }
    }
    expect(feds.map((f) => f.kind).sort()).toEqual(['FederatedClusterRole', 'FederatedConfigMap', 'FederatedDeployment', 'FederatedIngress', 'FederatedJob', 'FederatedNamespace', 'FederatedSecret', 'FederatedService', 'FederatedServiceAccount']);
    for (const fed of feds) {
      const kind = (fed.kind as string).slice('Federated'.length);
      const ns = fed.metadata.namespace as string | undefined;
      for (const cluster of CLUSTERS) {
        const args = ['--context', cluster, 'get', kind.toLowerCase() + (kind === 'Ingress' ? '.networking.k8s.io' : ''), fed.metadata.name, ...(ns && kind !== 'Namespace' ? ['-n', ns] : []), '-o', 'json'];
        let member: Obj | undefined;
        await pollUntil(async () => {
          member = JSON.parse(await kubectl(...args).catch(() => 'null')) as Obj | null ?? undefined;
          return member !== undefined && missing(rendered(fed, cluster), member).length === 0;
        }, 60_000, 250).catch((e: unknown) => {
          throw new Error(`${kind} ${fed.metadata.name} in ${cluster}: ${member ? missing(rendered(fed, cluster), member).join('; ') : 'absent'}`, { cause: e });
        });
        expect(member!.metadata.labels?.['kubefed.io/managed']).toBe('true');
      }
    }
    const cm2 = JSON.parse(await kubectl('--context', 'cluster2', '-n', 'sample1', 'get', 'configmap', 'web-settings', '-o', 'json')) as Obj;
    expect(cm2.data).toEqual({ greeting: 'hello from every cluster', 'log-level': 'debug' });
    await pollUntil(async () => (await kubectl('--context', 'cluster1', '-n', 'sample1', 'get', 'federateddeployment', 'web', '-o', 'jsonpath={.status.conditions[?(@.type=="Propagation")].status}')) === 'True', 30_000, 250);
  }, 150_000);

  it('shows each cluster\'s image and replicas in kubectl get -o wide', async () => {
    for (const [cluster, image, replicas] of [['cluster1', 'nginx:1.26', '3/3'], ['cluster2', 'nginx:1.27', '5/5']] as const) {
      await pollUntil(async () => (await kubectl('--context', cluster, '-n', 'sample1', 'get', 'deployment', 'web', '-o', 'jsonpath={.status.readyReplicas}')) === replicas[0], 30_000, 250);
      const wide = await kubectl('--context', cluster, '-n', 'sample1', 'get', 'deployment', 'web', '-o', 'wide');
      const [header, row] = wide.trim().split('\n');
      expect(header!.split(/\s+/)).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
      const cells = row!.split(/\s+/);
      expect([cells[0], cells[1], cells[5], cells[6], cells[7]]).toEqual(['web', replicas, 'web', image, 'app=web']);
    }
  }, 60_000);
});
