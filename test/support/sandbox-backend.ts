// Which sandbox backend integration suites run on: the embedded in-process API servers
// (default), or real kube-apiserver/etcd/kube-controller-manager processes with
// KFED_SANDBOX_BACKEND=real (built by scripts/build-go-tools.sh apiserver; see .ci/run).
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/sandbox.js';
import type { SandboxMember } from '../../src/sandbox/member.js';
import { kfedToolsDir } from './tools.js';

export type SandboxBackend = 'embedded' | 'real';

export function sandboxBackend(): SandboxBackend {
  const v = process.env.KFED_SANDBOX_BACKEND ?? 'embedded';
  if (v !== 'embedded' && v !== 'real') throw new Error(`KFED_SANDBOX_BACKEND must be embedded or real, not ${v}`);
  return v;
}

/** A sandbox on the backend the environment asks for; real servers never build here (the build takes tens of minutes). */
export async function startTestSandbox(opts: SandboxOptions = {}): Promise<Sandbox<SandboxMember>> {
  if (sandboxBackend() === 'embedded') return startSandbox(opts);
  const { startRealSandbox } = await import('../../src/sandbox/real/real-sandbox.js');
  return startRealSandbox({ ...opts, toolsDir: kfedToolsDir(), build: false });
}

/**
 * A bound for a hook that starts a sandbox: on real servers it also covers each kube-apiserver's
 * own readiness bound (120 s, src/sandbox/real/real-cluster.ts), so a slow start on a loaded
 * machine fails with the server's reason rather than a bare hook timeout.
 */
export function startupMs(ms: number): number {
  return sandboxBackend() === 'real' ? ms + 120_000 : ms;
}
