// Starts floor-server-main.ts in its own process (see there) and hands out its kubeconfig.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { procCpuSeconds } from './sandbox-process.js';

export interface FloorServer {
  kubeconfigYaml: string;
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export async function startFloorServer(): Promise<FloorServer> {
  const dir = await mkdtemp(join(tmpdir(), 'kfed-bench-floor-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const main = fileURLToPath(new URL('./floor-server-main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main, kubeconfigPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`floor server exited early with ${code}`)));
  });
  const kubeconfigYaml = await readFile(kubeconfigPath, 'utf8');
  return {
    kubeconfigYaml,
    cpuSeconds: () => procCpuSeconds(child.pid!),
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
