// The ground the fault soak runs on: a 3-cluster sandbox (cluster-1 is the host and a
// member; cluster-3 is joined through a FaultProxy so that it can be partitioned), the
// KubeFed CRDs, default types and short lease timings, a Domain, a Route53 zone on the
// wire-level fake with a DNSProvider publishing to it, and `kfed controller` as a child
// process that the soak can SIGKILL and start again.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse, stringify } from 'yaml';
import type { KubeFedConfig } from '../../../src/api/core.js';
import type { KubeObject } from '../../../src/api/meta.js';
import { ensureKubeFedNamespaceAndConfig, installCrds } from '../../../src/app/host-setup.js';
import { joinCluster } from '../../../src/kubefedctl/join.js';
import { DNS_PROVIDERS } from '../../../src/api/dns-provider.js';
import { DOMAINS } from '../../../src/api/multiclusterdns.js';
import { SECRETS as SECRETS_REF } from '../../../src/api/kubernetes.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { enableDefaultTypes } from '../../../src/kubefedctl/enable.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { startController, type ControllerProcess } from '../../integration/app/controller-harness.js';
import { FaultProxy } from '../fault-proxy.js';
import { providerOf, secretOf } from '../publishing.js';
import { TEST_SECRET } from '../route53-fake/context.js';
import { startRoute53Fake, type Route53Fake } from '../route53-fake/server.js';
import { KUBEFED_CONFIGS } from '../../../src/api/core.js';

export const NS = 'kube-federation-system';
export const CLUSTERS = ['cluster-1', 'cluster-2', 'cluster-3'] as const;
export const HOST = 'cluster-1';
/** The member behind the fault proxy. */
export const PARTITIONED = 'cluster-3';
export const DOMAIN_OBJECT = 'myfed';
export const ZONE = 'example.com';
export const OWNER_ID = 'kfed-soak';
/** KubeFedCluster labels that placements select on. */
export const CLUSTER_LABELS: Record<string, Record<string, string>> = {
  'cluster-1': { 'soak.kfed.io/tier': 'gold' },
  'cluster-2': { 'soak.kfed.io/tier': 'silver' },
  'cluster-3': { 'soak.kfed.io/tier': 'gold' },
};
/** Lease timings of the soak's KubeFedConfig: a host outage of 8 s outlasts the lease. */
export const LEASE_DURATION_MS = 6000;

export interface SoakRig {
  sb: Sandbox;
  /** the host, directly (the workload's and the checker's client) */
  host: ClusterClient;
  /** every member, directly (never through the fault proxy) */
  members: Record<string, ClusterClient>;
  proxy: FaultProxy;
  fake: Route53Fake;
  zoneId: string;
  /** the running controller process (undefined between a kill and a restart) */
  controller(): ControllerProcess | undefined;
  /** SIGKILL the controller process. */
  killController(): Promise<void>;
  /** Start a controller process, retrying while it exits at start (e.g. the host is down). */
  startController(timeoutMs?: number): Promise<ControllerProcess>;
  /** controller processes started so far */
  controllersStarted(): number;
  /** stderr and the last warnings of every controller process so far */
  diagnostics(): string;
  close(): Promise<void>;
}

function withServer(yaml: string, cluster: string, server: string): string {
  const kc = parse(yaml) as { clusters: { name: string; cluster: { server: string } }[] };
  for (const c of kc.clusters) if (c.name === cluster) c.cluster.server = server;
  return stringify(kc);
}

async function prepareHost(host: ClusterClient): Promise<void> {
  await installCrds(host);
  await ensureKubeFedNamespaceAndConfig(host, { namespace: NS });
  const kfc = await host.dynamic.get<KubeFedConfig>(KUBEFED_CONFIGS, 'kubefed', { namespace: NS });
  kfc.spec.leaderElect = { leaseDuration: `${LEASE_DURATION_MS / 1000}s`, renewDeadline: '4s', retryPeriod: '1s', resourceLock: 'leases' };
  await host.dynamic.update(KUBEFED_CONFIGS, kfc);
  await enableDefaultTypes(host, NS);
}

/** KFED_SOAK_LOG_DIR=<dir>: every controller process's JSON log lines and stderr are written there at the end. */
async function dumpLogs(procs: readonly ControllerProcess[]): Promise<void> {
  const dir = process.env.KFED_SOAK_LOG_DIR;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  for (const p of procs) {
    await writeFile(join(dir, `${p.name}.jsonl`), p.logs.map((l) => JSON.stringify(l)).join('\n') + '\n');
    if (p.stderr) await writeFile(join(dir, `${p.name}.stderr`), p.stderr);
  }
}

export async function startSoakRig(): Promise<SoakRig> {
  const sb = await startSandbox({ clusters: CLUSTERS.length, bookmarkIntervalMs: 500 });
  const clients: ClusterClient[] = [];
  const procs: ControllerProcess[] = [];
  let proxy: FaultProxy | undefined;
  let fake: Route53Fake | undefined;
  let current: ControllerProcess | undefined;
  const joinKubeconfig = join(tmpdir(), `kfed-soak-${process.pid}-${Date.now()}.kubeconfig`);
  const close = async (): Promise<void> => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    await dumpLogs(procs);
    await proxy?.close();
    await fake?.stop();
    for (const c of clients) c.close();
    await rm(joinKubeconfig, { force: true });
    await sb.close();
  };
  let first: Promise<ControllerProcess> | undefined;
  const launch = async (timeoutMs: number): Promise<ControllerProcess> => {
    const end = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const p = await startController(sb, `soak-${procs.length + 1}`, [], Math.max(30_000, end - Date.now()));
        procs.push(p);
        current = p;
        return p;
      } catch (err) {
        if (Date.now() > end) throw new Error(`soak: no controller process started within ${timeoutMs} ms (${attempt} attempts)`, { cause: err });
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  try {
    const client = async (context: string): Promise<ClusterClient> => {
      const c = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context, name: `soak-${context}`, timeoutMs: 5000 });
      clients.push(c);
      return c;
    };
    const host = await client(HOST);
    const members: Record<string, ClusterClient> = {};
    for (const name of CLUSTERS) members[name] = name === HOST ? host : await client(name);
    await prepareHost(host);
    // The first controller process starts (its TypeScript loads) while the members join.
    first = launch(120_000);
    proxy = await FaultProxy.start(sb.cluster(PARTITIONED).url);
    await writeFile(joinKubeconfig, withServer(sb.kubeconfigYaml, PARTITIONED, proxy.url), { mode: 0o600 });
    for (const name of CLUSTERS) {
      await joinCluster({ clusterName: name, kubeconfig: { kubeconfigPath: joinKubeconfig }, clusterContext: name, hostClusterContext: HOST, kubefedNamespace: NS, clusterLabels: CLUSTER_LABELS[name] });
    }
    fake = await startRoute53Fake({ accessKeyId: TEST_SECRET.AWS_ACCESS_KEY_ID });
    const zoneId = fake.state.createZone(ZONE).id;
    await host.dynamic.create(DOMAINS, { apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'Domain', metadata: { name: DOMAIN_OBJECT, namespace: NS }, domain: ZONE } as KubeObject);
    await host.dynamic.create(SECRETS_REF, secretOf('soak-aws', TEST_SECRET));
    await host.dynamic.create(DNS_PROVIDERS, providerOf('soak-route53', {
      type: 'route53', domains: [ZONE], ownerId: OWNER_ID, resyncSeconds: 10,
      route53: { endpoint: fake.endpoint, region: 'us-east-1', credentialsSecretRef: { name: 'soak-aws' } },
    }));
    await first;
    const started = { proxy, fake };
    const rig: SoakRig = {
      sb, host, members, zoneId, ...started,
      controller: () => current,
      async killController() {
        const p = current;
        if (!p) return;
        current = undefined;
        p.child.kill('SIGKILL');
        await p.exited;
      },
      startController: (timeoutMs = 120_000) => launch(timeoutMs),
      controllersStarted: () => procs.length,
      diagnostics: () => procs.map((p) => `--- ${p.name} (exit ${p.child.exitCode ?? p.child.signalCode})\n${p.stderr.slice(-2000)}\n${p.logs.filter((l) => l.level === 'error' || l.level === 50 || l.level === 40).slice(-15).map((l) => JSON.stringify(l)).join('\n')}`).join('\n'),
      close,
    };
    return rig;
  } catch (err) {
    await first?.catch(() => undefined);
    await close();
    throw err;
  }
}
