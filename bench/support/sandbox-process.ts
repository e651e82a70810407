// Run `kfed sandbox --no-demo` in its own process, so the server under test does not
// share a thread with the load generator.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface SandboxProcess {
  kubeconfigPath: string;
  kubeconfigYaml: string;
  pid: number;
  /** CPU seconds (user + system) the server process has used so far. */
  cpuSeconds(): number;
  control(body: Record<string, unknown>): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ (`getconf CLK_TCK`), the unit of /proc/<pid>/stat times on Linux

/** utime + stime of a process from /proc/<pid>/stat (fields 14 and 15, after the parenthesised name). */
export function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
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
    pid: child.pid!,
    cpuSeconds: () => procCpuSeconds(child.pid!),
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
