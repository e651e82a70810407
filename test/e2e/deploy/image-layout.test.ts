// The image's final stage without Docker (no engine runs on the build machines): the
// code compiled by `npm run build`'s tsconfig, laid out as the Dockerfile copies it
// (/app/{bin,dist,crds,package.json,node_modules}), started with the Dockerfile's
// ENTRYPOINT and the chart's container args against a sandbox host. It must accept
// every chart flag, answer the chart's probes on the metrics port, and stop cleanly
// on SIGTERM (releasing its Lease), as the kubelet would see it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { type Lease } from '../../../src/kube/leader-election.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { eventually } from '../../support/kube-clients.js';
import { requireTools } from '../../support/tools.js';
import { REPO, renderChart } from '../../unit/deploy/manifests.js';
import { installKustomizeBase } from './install.js';
import { LEASES } from '../../../src/api/kubernetes.js';

const run = promisify(execFile);
const tools = requireTools('kubectl');

/**
 * Chart flags the CLI does not take yet, left out of the run with a notice (and named in
 * the report) instead of failing every CI run: the embedded DNS server's listener is
 * wired into `kfed controller` by the DNS-server work.
 */
const PENDING_FLAGS = new Set<string>();

const container = (renderChart().objects.find((o) => o.kind === 'Deployment') as unknown as {
  spec: { template: { spec: { containers: { command: string[]; args: string[] }[] } } };
}).spec.template.spec.containers[0]!;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe.skipIf(!tools)('the image layout runs the chart command', () => {
  let app: string;
  let entry: string[];
  let sb: Sandbox;
  let admin: ClusterClient;
  let child: ChildProcess | undefined;
  let help = '';

  beforeAll(async () => {
    app = join(mkdtempSync(join(tmpdir(), 'kfed-image-')), 'app');
    // `npm run build` is `tsc -p tsconfig.build.json`; same config, output where the image has it.
    await run(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO, 'tsconfig.build.json'), '--outDir', join(app, 'dist')], { cwd: REPO });
    for (const p of ['bin', 'crds', 'package.json']) cpSync(join(REPO, p), join(app, p), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(app, 'node_modules'), 'dir');
    // The chart's command names /app/bin/kfed.js; here /app is the temp folder.
    expect(container.command).toEqual(['node', '/app/bin/kfed.js']);
    entry = [join(app, 'bin', 'kfed.js')];
    help = (await run(process.execPath, [...entry, 'controller', '--help'])).stdout;
    sb = await startSandbox({ clusters: 1 });
    admin = await clusterClientFromKubeconfig({ kubeconfigPath: sb.kubeconfigPath, context: 'cluster-1', name: 'admin' });
    await installKustomizeBase({ kubectl: tools!.kubectl, kubeconfig: sb.kubeconfigPath, context: 'cluster-1' });
  }, 240_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    admin?.close();
    await sb?.close();
    if (app) rmSync(join(app, '..'), { recursive: true, force: true });
  });

  it('`kfed controller --help` of the compiled entry lists every flag the chart passes', () => {
    const flags = container.args.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]!);
    const missing = flags.filter((f) => !new RegExp(`(^|\\s)${f}\\b`, 'm').test(help));
    const unexpected = missing.filter((f) => !PENDING_FLAGS.has(f));
    expect(unexpected, `chart flags unknown to kfed controller:\n${help}`).toEqual([]);
    for (const f of missing) console.warn(`[image layout] kfed controller does not take ${f} yet; the chart passes it`);
  });

  it('serves /healthz, /readyz and /metrics on the metrics port and stops on SIGTERM, releasing its Lease', async () => {
    const port = await freePort();
    const args = container.args
      .filter((a) => !PENDING_FLAGS.has(a.split('=')[0]!) || new RegExp(`(^|\\s)${a.split('=')[0]!}\\b`, 'm').test(help))
      .map((a) => (a.startsWith('--metrics-addr=') ? `--metrics-addr=127.0.0.1:${port}` : a));
    let output = '';
    child = spawn(process.execPath, [...entry, ...args, '--kubeconfig', sb.kubeconfigPath, '--context', 'cluster-1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));

    await eventually(async () => {
      expect(child!.exitCode, output).toBeNull();
      for (const path of ['/healthz', '/readyz']) expect((await fetch(`http://127.0.0.1:${port}${path}`)).status, path).toBe(200);
    }, 30_000, 100);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^# TYPE \w+/m);
    const leaseName = container.args.find((a) => a.startsWith('--leader-election-id='))!.split('=')[1]!;
    const holder = await eventually(async () => {
      const lease = await admin.dynamic.get<Lease>(LEASES, leaseName, { namespace: 'kube-federation-system' });
      expect(lease.spec?.holderIdentity).toBeTruthy();
      return lease.spec!.holderIdentity!;
    }, 30_000, 100);

    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
    expect(code, output).toBe(0);
    const after = await admin.dynamic.get<Lease>(LEASES, leaseName, { namespace: 'kube-federation-system' });
    expect(after.spec?.holderIdentity ?? '', `lease still held by ${holder}`).not.toBe(holder);
  }, 90_000);
});
