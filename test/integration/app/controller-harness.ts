// `kfed controller` as separate processes against a sandbox started in the test process:
// the host prepared as the chart would (CRDs, namespace, KubeFedConfig with short lease
// timings, default types), members joined with the library `kfed join` uses. Each child
// logs JSON on stdout; the harness reads its metrics and DNS ports from those logs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import type { KubeFedConfig } from '../../../src/api/core.js';
import { ensureKubeFedNamespaceAndConfig, installCrds } from '../../../src/app/host-setup.js';
import { joinCluster } from '../../../src/kubefedctl/join.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { type Lease } from '../../../src/kube/leader-election.js';
import { enableDefaultTypes } from '../../../src/kubefedctl/enable.js';
import type { Sandbox } from '../../../src/sandbox/sandbox.js';
import { pollUntil } from '../../support/until.js';
import { KUBEFED_CONFIGS } from '../../../src/api/core.js';
import { LEASES } from '../../../src/api/kubernetes.js';

export const NS = 'kube-federation-system';
export const LEASE = 'kubefed-controller-manager';
/** Lease timings written to the KubeFedConfig (Kubefed's are 15 s / 10 s / 5 s). */
export const LEASE_DURATION_MS = 6000;
export const RETRY_PERIOD_MS = 1000;

export async function prepareHost(sb: Sandbox): Promise<ClusterClient> {
  const host = await clusterClientFromKubeconfig({ kubeconfigPath: sb.kubeconfigPath, context: 'cluster-1', name: 'test-host' });
  await installCrds(host);
  if (!(await host.dynamic.getIfExists(KUBEFED_CONFIGS, 'kubefed', { namespace: NS }))) {
    await ensureKubeFedNamespaceAndConfig(host, { namespace: NS });
    const kfc = await host.dynamic.get<KubeFedConfig>(KUBEFED_CONFIGS, 'kubefed', { namespace: NS });
    kfc.spec.leaderElect = { leaseDuration: `${LEASE_DURATION_MS / 1000}s`, renewDeadline: '4s', retryPeriod: `${RETRY_PERIOD_MS / 1000}s`, resourceLock: 'leases' };
    kfc.spec.clusterHealthCheck = { period: '1s', timeout: '1s', failureThreshold: 2, successThreshold: 1 };
    await host.dynamic.update(KUBEFED_CONFIGS, kfc);
  }
  await enableDefaultTypes(host, NS);
  for (const c of sb.clusters) {
    await joinCluster({ clusterName: c.name, kubeconfig: { kubeconfigPath: sb.kubeconfigPath }, clusterContext: c.name, hostClusterContext: 'cluster-1', kubefedNamespace: NS });
  }
  return host;
}

export interface ControllerProcess {
  name: string;
  child: ChildProcess;
  /** JSON log lines so far. */
  logs: Record<string, unknown>[];
  stderr: string;
  metricsPort: number;
  dnsPort: number;
  exited: Promise<number | null>;
}

/** Starts `kfed controller`; a child that does not report its ports within `readyMs` is killed. */
export async function startController(sb: Sandbox, name: string, extra: string[] = [], readyMs = 30_000): Promise<ControllerProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'controller', '--kubeconfig', sb.kubeconfigPath, '--context', 'cluster-1',
      '--metrics-addr', '127.0.0.1:0', '--dns-listen', '127.0.0.1:0', '--dns-geoip-db', 'none', '--log-level', 'info', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POD_NAME: name } },
  );
  const p: ControllerProcess = {
    name,
    child,
    logs: [],
    stderr: '',
    metricsPort: 0,
    dnsPort: 0,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      try {
        const rec = JSON.parse(l) as Record<string, unknown>;
        p.logs.push(rec);
        if (rec.msg === 'serving /metrics, /healthz, /readyz') p.metricsPort = Number(rec.port);
        if (rec.msg === 'dns server listening on udp and tcp') p.dnsPort = Number(rec.port);
      } catch {
        p.stderr += `[stdout, not JSON] ${l}\n`;
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => (p.stderr += d.toString()));
  try {
    await until(() => (p.metricsPort > 0 && p.dnsPort > 0) || child.exitCode !== null, readyMs);
  } catch (err) {
    // Never leave a half-started controller behind (it would outlive the test's sandbox).
    child.kill('SIGKILL');
    await p.exited;
    throw new Error(`controller ${name} did not report its ports within ${readyMs} ms: ${p.stderr.slice(-2000)}`, { cause: err });
  }
  if (child.exitCode !== null) throw new Error(`controller ${name} exited with ${child.exitCode}: ${p.stderr}`);
  return p;
}

export async function until(fn: () => boolean | Promise<boolean>, ms: number, every = 50): Promise<void> {
  await pollUntil(fn, ms, every);
}

/** The Lease's holder ('' when released or missing). */
export async function leaseHolder(host: ClusterClient): Promise<string> {
  return (await readLease(host))?.spec?.holderIdentity ?? '';
}

export function readLease(host: ClusterClient): Promise<Lease | undefined> {
  return host.dynamic.getIfExists<Lease>(LEASES, LEASE, { namespace: NS });
}

/** When `p` first logged `msg` (its own timestamp, ms since the epoch); throws when it never did. */
export function loggedAt(p: ControllerProcess, msg: string): number {
  const line = p.logs.find((l) => l.msg === msg);
  if (!line) throw new Error(`${p.name} never logged '${msg}'`);
  return Date.parse(String(line.time));
}

export async function scrape(p: ControllerProcess): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${p.metricsPort}/metrics`);
  if (!res.ok) throw new Error(`GET /metrics of ${p.name}: ${res.status}`);
  return res.text();
}

/** True when both TCP and UDP can bind 127.0.0.1:port (nothing left listening). */
export async function portFree(port: number, udp = false): Promise<boolean> {
  const tcpFree = await new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
  if (!tcpFree || !udp) return tcpFree;
  return new Promise<boolean>((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
