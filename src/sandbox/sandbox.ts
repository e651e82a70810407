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
    const n = opts.clusters ?? 3;
    if (!Number.isInteger(n) || n < 1) throw new Error(`sandbox: --clusters must be a positive integer, got ${n}`);
    const ca = await createCa();
    const tempDir = await mkdtemp(join(tmpdir(), 'kfed-sandbox-'));
    const started = await Promise.allSettled(Array.from({ length: n }, (_, i) => create({ index: i, topology: (opts.topology ?? defaultTopology)(i), ca, workDir: join(tempDir, `cluster-${i + 1}`) })));
    const clusters = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.all(clusters.map((c) => c.close()));
      await rm(tempDir, { recursive: true, force: true });
      throw new Error('sandbox: start clusters', { cause: failed.reason });
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

export function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  return Sandbox.start(opts);
}
