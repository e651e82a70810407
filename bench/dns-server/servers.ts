// Reference servers for the benchmark: BIND9 `named` and Knot `knotd`, each started in
// the foreground on loopback with the same zone file, and stopped by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execFileSync } from 'node:child_process';
import { BENCH_ZONE } from './zone.js';

export interface RunningServer {
  name: string;
  port: number;
  /** Processes doing the serving, for CPU accounting. */
  pids: () => number[];
  stop(): Promise<void>;
}

/** CPU seconds (user + system) a process has used so far, from /proc; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

const CLOCK_TICKS = (() => {
  try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100; } catch { return 100; }
})();

export async function waitForAnswer(dig: string, port: number, what: string, proc: ChildProcess, log: () => string, seconds = 10): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`${what} exited (${proc.exitCode}): ${log()}`);
    try {
      const out = execFileSync(dig, ['@127.0.0.1', '-p', String(port), `n1.${BENCH_ZONE}`, 'A', '+short', '+time=1', '+tries=1'], { encoding: 'utf8' });
      if (out.trim() !== '') return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${what} did not answer on port ${port}: ${log()}`);
}

export function stopper(proc: ChildProcess): () => Promise<void> {
  return () => new Promise((resolve) => {
    if (proc.exitCode !== null || proc.pid === undefined) { resolve(); return; }
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

export function capture(proc: ChildProcess): () => string {
  let buf = '';
  proc.stdout?.on('data', (d: Buffer) => { buf = (buf + d.toString()).slice(-4000); });
  proc.stderr?.on('data', (d: Buffer) => { buf = (buf + d.toString()).slice(-4000); });
  return () => buf;
}

export async function startBind(named: string, dig: string, dir: string, zonePath: string, port: number, threads: number): Promise<RunningServer> {
  const conf = join(dir, 'named.conf');
  writeFileSync(conf, `options {
  directory "${dir}"; pid-file "${join(dir, 'named.pid')}";
  listen-on port ${port} { 127.0.0.1; }; listen-on-v6 { none; };
  recursion no; minimal-responses yes; querylog no;
};
zone "${BENCH_ZONE}" { type primary; file "${zonePath}"; };
`);
  const proc = spawn(named, ['-c', conf, '-f', '-n', String(threads), ...(process.getuid?.() === 0 ? ['-u', 'root'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = capture(proc);
  await waitForAnswer(dig, port, 'named', proc, log).catch(async (err: unknown) => { await stopper(proc)(); throw err; });
  return { name: 'bind9', port, pids: () => (proc.pid ? [proc.pid] : []), stop: stopper(proc) };
}

export async function startKnot(knotd: string, dig: string, dir: string, zonePath: string, port: number, threads: number): Promise<RunningServer> {
  const conf = join(dir, 'knot.conf');
  writeFileSync(conf, `server:
    rundir: "${dir}"
    listen: 127.0.0.1@${port}
    udp-workers: ${threads}
    tcp-workers: 1
    background-workers: 1
database:
    storage: "${dir}"
log:
  - target: stderr
    any: warning
zone:
  - domain: ${BENCH_ZONE}
    storage: "${dir}"
    file: "${zonePath}"
    journal-content: none
    zonefile-load: whole
`);
  const proc = spawn(knotd, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = capture(proc);
  await waitForAnswer(dig, port, 'knotd', proc, log).catch(async (err: unknown) => { await stopper(proc)(); throw err; });
  return { name: 'knot', port, pids: () => (proc.pid ? [proc.pid] : []), stop: stopper(proc) };
}
