// A multi-cluster sandbox: N Kubernetes API servers sharing one CA, and a kubeconfig with a
// context per cluster. The embedded backend serves each cluster in this process
// (cluster.ts); the real backend runs kube-apiserver and etcd per cluster (real/).
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { createCa, type CertificateAuthority } from './pki.js';
import { SandboxCluster } from './cluster.js';
import { defaultTopology, type ClusterTopology } from './topology.js';
import { renderKubeconfig } from './kubeconfig.js';
import { startControlServer } from './control-server.js';
import { newToken } from './auth/authn.js';
import type { SandboxMember } from './member.js';

export interface SandboxOptions {
  clusters?: number;
  /** the clusters' names, in order (cluster-1..N when omitted); their count wins over `clusters` */
  clusterNames?: readonly string[];
  /** allocatable pods per cluster name (spread over its nodes); replicas beyond stay Pending, Unschedulable */
  podCapacity?: Readonly<Record<string, number>>;
  /** where to write the kubeconfig; a temp file when omitted */
  kubeconfigPath?: string;
  topology?: (i: number) => ClusterTopology;
  historyWindow?: number;
  bookmarkIntervalMs?: number;
}

/** Starts cluster number `index` of a sandbox; `workDir` is a private folder for its files. */
export type MemberFactory<C extends SandboxMember> = (o: { index: number; topology: ClusterTopology; ca: CertificateAuthority; workDir: string }) => Promise<C>;

export class Sandbox<C extends SandboxMember = SandboxCluster> {
  private constructor(
    readonly clusters: C[],
    readonly kubeconfigYaml: string,
    readonly kubeconfigPath: string,
    readonly controlUrl: string,
    private readonly control: Server,
    /** the clusters' files (and the kubeconfig when the caller named no path) */
    private readonly tempDir: string,
  ) {}

  static async start(opts: SandboxOptions = {}): Promise<Sandbox> {
    return Sandbox.startWith(opts, ({ index, topology, ca }) => SandboxCluster.create({
      index, topology, ca,
      ...(opts.historyWindow !== undefined ? { historyWindow: opts.historyWindow } : {}),
      ...(opts.bookmarkIntervalMs !== undefined ? { bookmarkIntervalMs: opts.bookmarkIntervalMs } : {}),
    }));
  }

  /** A sandbox whose clusters `create` starts (in parallel: a real API server takes seconds). */
  static async startWith<M extends SandboxMember>(opts: SandboxOptions, create: MemberFactory<M>): Promise<Sandbox<M>> {
    const names = opts.clusterNames ? checkClusterNames(opts.clusterNames) : undefined;
    const n = names?.length ?? opts.clusters ?? 3;
    if (!Number.isInteger(n) || n < 1) throw new Error(`sandbox: --clusters must be a positive integer, got ${n}`);
    const topology = (i: number): ClusterTopology => {
      const t = (opts.topology ?? defaultTopology)(i);
      const named = names ? { ...t, name: names[i]! } : t;
      const pods = opts.podCapacity?.[named.name];
      return pods === undefined ? named : { ...named, podCapacity: pods };
    };
    for (const [name, pods] of Object.entries(opts.podCapacity ?? {})) {
      if (!Array.from({ length: n }, (_, i) => topology(i).name).includes(name)) throw new Error(`sandbox: --pod-capacity names "${name}", which is not one of the clusters`);
      if (!Number.isInteger(pods) || pods < 0) throw new Error(`sandbox: --pod-capacity ${name}=${pods}: a pod count is a non-negative integer`);
    }
    const ca = await createCa();
    const tempDir = await mkdtemp(join(tmpdir(), 'kfed-sandbox-'));
    const started = await Promise.allSettled(Array.from({ length: n }, (_, i) => create({ index: i, topology: topology(i), ca, workDir: join(tempDir, `cluster-${i + 1}`) })));
    const clusters = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.all(clusters.map((c) => c.close()));
      await rm(tempDir, { recursive: true, force: true });
      // the causes in the message too: test reports and CI logs often show only the message
      throw new Error(`sandbox: start clusters: ${causeChain(failed.reason)}`, { cause: failed.reason });
    }
    const controlToken = newToken();
    const byName = new Map<string, SandboxMember>(clusters.map((c) => [c.name, c]));
    const { server, url } = await startControlServer(controlToken, (name) => byName.get(name));
    const yaml = renderKubeconfig(clusters.map((c) => ({ name: c.name, url: c.url, caPem: c.caPem, token: c.adminToken })), { url, token: controlToken });
    const path = opts.kubeconfigPath ?? join(tempDir, 'kubeconfig');
    await writeFile(path, yaml, { mode: 0o600 });
    return new Sandbox(clusters, yaml, path, url, server, tempDir);
  }

  cluster(name: string): C {
    const c = this.clusters.find((x) => x.name === name);
    if (!c) throw new Error(`sandbox: no cluster named "${name}"`);
    return c;
  }

  async close(): Promise<void> {
    await Promise.all(this.clusters.map((c) => c.close()));
    await new Promise<void>((resolve) => this.control.close(() => resolve()));
    this.control.closeAllConnections();
    await rm(this.tempDir, { recursive: true, force: true });
  }
}

/** A cluster name is a kubeconfig context, a KubeFedCluster name and a TLS SAN: a DNS-1123 label, once each. */
export function checkClusterNames(names: readonly string[]): string[] {
  if (names.length === 0) throw new Error('sandbox: --cluster-names needs at least one name');
  const seen = new Set<string>();
  for (const name of names) {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) throw new Error(`sandbox: cluster name "${name}" is not a DNS-1123 label (lower-case letters, digits and '-', at most 63)`);
    if (seen.has(name)) throw new Error(`sandbox: cluster name "${name}" is given twice`);
    seen.add(name);
  }
  return [...names];
}

export function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  return Sandbox.start(opts);
}

/** An error's message followed by its causes' messages. */
function causeChain(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e !== undefined && parts.length < 5; e = e instanceof Error ? e.cause : undefined) parts.push(e instanceof Error ? e.message : String(e));
  return parts.join(': ');
}
