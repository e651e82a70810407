// A child process of the real backend (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok), its
// output in a log file, and waiting for it to be ready or gone.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';

// Children are killed when this process exits, however it exits, so no server outlives its sandbox.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export class ServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  /** where this start's output begins in the log (the log is appended to across restarts) */
  private logOffset = 0;

  constructor(readonly name: string, private readonly bin: string, private readonly args: string[], readonly logPath: string, private readonly env?: Record<string, string>) {}

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.alive) return;
    const fd = openSync(this.logPath, 'a');
    this.logOffset = statSync(this.logPath).size;
    try {
      const child = spawn(this.bin, this.args, { stdio: ['ignore', fd, fd], ...(this.env ? { env: { ...process.env, ...this.env } } : {}) });
      this.child = child;
      live.add(child);
      this.exited = new Promise((resolve) => {
        child.once('exit', (code) => {
          live.delete(child);
          resolve(code);
        });
        child.once('error', () => {
          live.delete(child);
          resolve(-1);
        });
      });
    } finally {
      closeSync(fd);
    }
  }

  /** Kill it (SIGKILL by default: a crash, not a graceful shutdown) and wait until it is gone; SIGKILL after 10 s. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 10_000);
    });
    await Promise.race([this.exited, late]);
    clearTimeout(timer);
    await this.exited;
  }

  /** The last lines of its log, for error messages. */
  tail(lines = 15): string {
    try {
      return readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /**
   * It could not listen on a port it was given: another process took that port between
   * freePort() closing it and this process binding it (connections of any process on the
   * machine draw their local ports from the same range).
   */
  addressInUse(): boolean {
    try {
      return readFileSync(this.logPath).subarray(this.logOffset).toString('utf8').includes('address already in use');
    } catch {
      return false;
    }
  }

  /** Poll `ready` until it says yes; fails early when the process exits. */
  async waitReady(ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      if (exited || !this.alive) throw new Error(`${this.name} exited (${this.child?.exitCode ?? this.child?.signalCode}); its log ${this.logPath} ends:\n${this.tail()}`);
      if (await ready().catch(() => false)) return;
      if (Date.now() > end) throw new Error(`${this.name} not ready after ${timeoutMs / 1000} s; its log ${this.logPath} ends:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** A free TCP port on 127.0.0.1 (free now: the caller binds it soon after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = addr && typeof addr === 'object' ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** `count` distinct free TCP ports on 127.0.0.1. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * Starts the server `launch` makes on `count` fresh free ports and waits until it is ready. When
 * it could not bind one of them (another process took it after freePort() let it go), it is
 * started again on new ports, up to `tries` times in all.
 */
export async function startOnFreePorts(count: number, launch: (ports: number[]) => { proc: ServerProcess; ready: () => Promise<void> }, tries = 3): Promise<{ proc: ServerProcess; ports: number[] }> {
  for (let attempt = 1; ; attempt++) {
    const ports = await freePorts(count);
    const { proc, ready } = launch(ports);
    proc.start();
    try {
      await ready();
      return { proc, ports };
    } catch (err) {
      if (attempt >= tries || !proc.addressInUse()) throw err;
      await proc.kill();
    }
  }
}
