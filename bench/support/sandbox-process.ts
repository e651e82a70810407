// Run `kfed sandbox --no-demo` in its own process, so the server under test does not
// share a thread with the load generator.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface SandboxProcess {
  kubeconfigPath: string;
  kubeconfigYaml: string;
  control(body: Record<string, unknown>): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startSandboxProcess(clusters = 1, extraNodeArgs: string[] = []): Promise<SandboxProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'kfed-bench-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const child: ChildProcess = spawn(process.execPath, [...extraNodeArgs, '--import', 'tsx', 'src/cli/main.ts', 'sandbox', '--no-demo', '--clusters', String(clusters), '--kubeconfig', kubeconfigPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('sandbox ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited early with ${code}: ${out}`)));
  });
  const kubeconfigYaml = await readFile(kubeconfigPath, 'utf8');
  const ext = (parse(kubeconfigYaml) as { extensions: { extension: { url: string; token: string } }[] }).extensions[0]!.extension;
  return {
    kubeconfigPath,
    kubeconfigYaml,
    async control(body) {
      const res = await fetch(`${ext.url}/control`, { method: 'POST', headers: { Authorization: `Bearer ${ext.token}` }, body: JSON.stringify(body) });
      return (await res.json()) as Record<string, unknown>;
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
