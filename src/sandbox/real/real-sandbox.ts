// `kfed sandbox --real-apiserver`: the sandbox with every cluster on real servers.
import { Sandbox, type SandboxOptions } from '../sandbox.js';
import { resolveBinaries, type BinaryOptions } from './binaries.js';
import { RealCluster } from './real-cluster.js';

export interface RealSandboxOptions extends SandboxOptions, BinaryOptions {
  /** how long each kube-apiserver may take to become ready */
  readyTimeoutMs?: number;
}

export async function startRealSandbox(opts: RealSandboxOptions): Promise<Sandbox<RealCluster>> {
  const bins = await resolveBinaries(opts);
  return Sandbox.startWith(opts, ({ index, topology, ca, workDir }) => RealCluster.create({
    index, topology, ca, bins, workDir, kwok: opts.kwok ?? false,
    ...(opts.readyTimeoutMs !== undefined ? { readyTimeoutMs: opts.readyTimeoutMs } : {}),
  }));
}
