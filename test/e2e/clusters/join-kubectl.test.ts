// As a user would: `kfed controller` and `kfed join` as processes, real kubectl reading
// the KubeFedClusters; `kfed sandbox` starting everything and stopping on Ctrl-C.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKubeFedNamespaceAndConfig, installCrds } from '../../../src/app/host-setup.js';
import { clusterClientFromKubeconfig } from '../../../src/kube/cluster-client.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { requireTools } from '../../support/tools.js';
import { pollUntil } from '../../support/until.js';

const run = promisify(execFile);
const tools = requireTools('kubectl');
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

function kfed(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...CLI, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function kubectl(kubeconfig: string, ...args: string[]): Promise<string> {
  return (await run(tools!.kubectl, ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 })).stdout;
}

async function eventually(fn: () => Promise<boolean>, ms = 20_000): Promise<void> {
  await pollUntil(fn, ms, 100);
}

function exited(p: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (p.exitCode !== null ? resolve(p.exitCode) : p.once('exit', (code) => resolve(code))));
}

describe.skipIf(!tools)('kfed controller + kfed join + kubectl', () => {
  let sb: Sandbox;
  let controller: ChildProcess;
  let controllerErr = '';

  beforeAll(async () => {
    sb = await startSandbox({ clusters: 3 });
    const host = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1' });
    await installCrds(host);
    await ensureKubeFedNamespaceAndConfig(host, { namespace: 'kube-federation-system' });
    host.close();
    controller = spawn(process.execPath, [...CLI, 'controller', '--kubeconfig', sb.kubeconfigPath, '--context', 'cluster-1', '--metrics-addr', '127.0.0.1:0', '--health-check-period', '500ms', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    controller.stderr!.on('data', (d: Buffer) => (controllerErr += d.toString()));
    controller.stdout!.resume();
  });

  afterAll(async () => {
    if (controller && controller.exitCode === null) {
      controller.kill('SIGTERM');
      await exited(controller);
    }
    await sb?.close();
  });

  it('joins every cluster and kubectl shows them READY True with their version', { timeout: 180_000 }, async () => {
    for (const name of ['cluster-1', 'cluster-2', 'cluster-3']) {
      const res = await kfed(['join', name, '--cluster-context', name, '--host-cluster-context', 'cluster-1', '--kubeconfig', sb.kubeconfigPath, '--cluster-label', `name=${name}`]);
      expect(res.stderr, res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(new RegExp(`^cluster "${name}" joined \\(KubeFedCluster kube-federation-system/${name}, secret ${name}-\\w+\\)\\n$`));
    }
    let table = '';
    await eventually(async () => {
      table = await kubectl(sb.kubeconfigPath, '--context', 'cluster-1', '-n', 'kube-federation-system', 'get', 'kubefedclusters');
      return table.split('\n').filter((l) => /\sTrue\s+v1\.31\.0-kfed-sandbox/.test(l)).length === 3;
    }).catch((err: unknown) => {
      throw new Error(`kubectl table:\n${table}\ncontroller stderr:\n${controllerErr}`, { cause: err });
    });
    const lines = table.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+AGE\s+READY\s+KUBERNETES-VERSION$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['cluster-1', 'cluster-2', 'cluster-3']);
    // Region and zones come from each member's Node informer, apart from the probe that sets READY:
    // they may land in status after it, so wait for them as well.
    let regions = '';
    await eventually(async () => {
      regions = await kubectl(sb.kubeconfigPath, '--context', 'cluster-1', '-n', 'kube-federation-system', 'get', 'kubefedclusters', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.region}:{.status.zones}{"\\n"}{end}');
      return regions.includes('cluster-2=eu-west-1') && /^cluster-1=[^:]*:.*us-east-1b/m.test(regions);
    }).catch((err: unknown) => {
      throw new Error(`regions and zones:\n${regions}`, { cause: err });
    });
  });

  it('re-running join changes nothing; a bad context is a one-line error with exit 1', { timeout: 180_000 }, async () => {
    const again = await kfed(['join', 'cluster-2', '--cluster-context', 'cluster-2', '--host-cluster-context', 'cluster-1', '--kubeconfig', sb.kubeconfigPath]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('cluster "cluster-2" is already joined (KubeFedCluster kube-federation-system/cluster-2); nothing to change\n');
    const bad = await kfed(['join', 'cluster-9', '--cluster-context', 'cluster-9', '--host-cluster-context', 'cluster-1', '--kubeconfig', sb.kubeconfigPath]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^error: kubeconfig: context "cluster-9" not found/);
    const dry = await kfed(['unjoin', 'cluster-3', '--cluster-context', 'cluster-3', '--host-cluster-context', 'cluster-1', '--kubeconfig', sb.kubeconfigPath, '--dry-run']);
    expect(dry.code).toBe(0);
    const gone = await kfed(['unjoin', 'cluster-3', '--cluster-context', 'cluster-3', '--host-cluster-context', 'cluster-1', '--kubeconfig', sb.kubeconfigPath]);
    expect(gone.stdout).toMatch(/^cluster "cluster-3" unjoined \(7 objects deleted\)\n$/);
    expect(await kubectl(sb.kubeconfigPath, '--context', 'cluster-1', '-n', 'kube-federation-system', 'get', 'kubefedclusters', '-o', 'name')).not.toContain('cluster-3');
  });

  it('the controller stops cleanly on SIGTERM', { timeout: 30_000 }, async () => {
    controller.kill('SIGTERM');
    expect(await exited(controller)).toBe(0);
  });
});

describe.skipIf(!tools)('kfed sandbox', () => {
  it('starts the control plane, joins every cluster, and Ctrl-C stops everything', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kfed-e2e-'));
    const kubeconfig = join(dir, 'kubeconfig');
    const p = spawn(process.execPath, [...CLI, 'sandbox', '--clusters', '2', '--dns-port', '0', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr!.resume();
    try {
      await eventually(async () => out.includes('sandbox ready'), 60_000);
      expect(out).toMatch(/joined cluster-1 .*\n.*joined cluster-2/);
      expect(out).toContain('cluster cluster-2 ready: kubernetes v1.31.0-kfed-sandbox, region eu-west-1, zones eu-west-1a');
      const table = await kubectl(kubeconfig, '--context', 'cluster-1', '-n', 'kube-federation-system', 'get', 'kubefedclusters');
      expect(table.split('\n').filter((l) => /\sTrue\s/.test(l))).toHaveLength(2);
    } finally {
      p.kill('SIGINT');
      expect(await exited(p)).toBe(0);
    }
    expect(out).toContain('sandbox stopped');
  });
});
