// A multi-cluster sandbox: N in-process Kubernetes API servers sharing one CA, and a
// kubeconfig with a context per cluster.
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { createCa } from './pki.js';
import { SandboxCluster } from './cluster.js';
import { defaultTopology, type ClusterTopology } from './topology.js';
import { renderKubeconfig } from './kubeconfig.js';
import { startControlServer } from './control-server.js';
import { newToken } from './auth/authn.js';

export interface SandboxOptions {
  clusters?: number;
  /** where to write the kubeconfig; a temp file when omitted */
  kubeconfigPath?: string;
  topology?: (i: number) => ClusterTopology;
  historyWindow?: number;
  bookmarkIntervalMs?: number;
}

export class Sandbox {
  private constructor(
    readonly clusters: SandboxCluster[],
    readonly kubeconfigYaml: string,
    readonly kubeconfigPath: string,
    readonly controlUrl: string,
    private readonly control: Server,
    private readonly tempDir: string | undefined,
  ) {}

  static async start(opts: SandboxOptions = {}): Promise<Sandbox> {
    const n = opts.clusters ?? 3;
    if (!Number.isInteger(n) || n < 1) throw new Error(`sandbox: --clusters must be a positive integer, got ${n}`);
    const ca = await createCa();
    const clusters: SandboxCluster[] = [];
    try {
      for (let i = 0; i < n; i++) {
        clusters.push(await SandboxCluster.create({
          index: i, topology: (opts.topology ?? defaultTopology)(i), ca,
          ...(opts.historyWindow !== undefined ? { historyWindow: opts.historyWindow } : {}),
          ...(opts.bookmarkIntervalMs !== undefined ? { bookmarkIntervalMs: opts.bookmarkIntervalMs } : {}),
        }));
      }
    } catch (err) {
      await Promise.all(clusters.map((c) => c.close()));
      throw new Error('sandbox: start clusters', { cause: err });
    }
    const controlToken = newToken();
    const byName = new Map(clusters.map((c) => [c.name, c]));
    const { server, url } = await startControlServer(controlToken, (name) => byName.get(name));
    const yaml = renderKubeconfig(clusters.map((c) => ({ name: c.name, url: c.url, caPem: c.caPem, token: c.adminToken })), { url, token: controlToken });
    let path = opts.kubeconfigPath;
    let tempDir: string | undefined;
    if (!path) {
      tempDir = await mkdtemp(join(tmpdir(), 'kfed-sandbox-'));
      path = join(tempDir, 'kubeconfig');
    }
    await writeFile(path, yaml, { mode: 0o600 });
    return new Sandbox(clusters, yaml, path, url, server, tempDir);
  }

  cluster(name: string): SandboxCluster {
    const c = this.clusters.find((x) => x.name === name);
    if (!c) throw new Error(`sandbox: no cluster named "${name}"`);
    return c;
  }

  async close(): Promise<void> {
    await Promise.all(this.clusters.map((c) => c.close()));
    await new Promise<void>((resolve) => this.control.close(() => resolve()));
    this.control.closeAllConnections();
    if (this.tempDir) await rm(this.tempDir, { recursive: true, force: true });
  }
}

export function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  return Sandbox.start(opts);
}
