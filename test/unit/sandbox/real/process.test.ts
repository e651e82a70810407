// startOnFreePorts (src/sandbox/real/process.ts): a server that cannot bind the port it was given,
// because another process took it after freePort() let it go, is started again on new ports.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess, startOnFreePorts } from '../../../../src/sandbox/real/process.js';

// A tiny server: listens on its port argument, says so, and exits as real servers do when it cannot.
const SERVER = `require('net').createServer().on('error', (e) => { console.error(e.message); process.exit(1); }).listen(Number(process.argv[1]), '127.0.0.1', () => console.log('listening'));`;

let dir: string;
let taken: Server;
let takenPort: number;
let logs = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kfed-process-test-'));
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  takenPort = (taken.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => taken.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

function launcher(firstPort: () => number | undefined) {
  const procs: ServerProcess[] = [];
  const launch = (ports: number[]): { proc: ServerProcess; ready: () => Promise<void> } => {
    const port = (procs.length === 0 ? firstPort() : undefined) ?? ports[0]!;
    const proc = new ServerProcess(`server ${procs.length}`, process.execPath, ['-e', SERVER, String(port)], join(dir, `server-${++logs}.log`));
    procs.push(proc);
    return { proc, ready: () => proc.waitReady(async () => proc.tail().endsWith('listening'), 10_000) };
  };
  return { procs, launch };
}

describe('startOnFreePorts', () => {
  it('starts the server again on a new port when its first one was taken', async () => {
    const { procs, launch } = launcher(() => takenPort);
    const { proc, ports } = await startOnFreePorts(1, launch);
    expect(procs).toHaveLength(2);
    expect(procs[0]!.alive).toBe(false);
    expect(ports[0]).not.toBe(takenPort);
    expect(proc).toBe(procs[1]);
    expect(proc.alive).toBe(true);
    await proc.kill();
  });

  it('gives up after the tries allowed, with the server\'s own error', async () => {
    const { procs, launch } = launcher(() => takenPort);
    await expect(startOnFreePorts(1, (ports) => launch(procs.length === 0 ? ports : [takenPort]), 2)).rejects.toThrow(/address already in use/);
    expect(procs).toHaveLength(2);
  });

  it('does not retry a failure that is not a taken port', async () => {
    let n = 0;
    const fail = (): { proc: ServerProcess; ready: () => Promise<void> } => {
      n++;
      const proc = new ServerProcess('failing', process.execPath, ['-e', 'console.error("bad flag"); process.exit(2)'], join(dir, 'fail.log'));
      return { proc, ready: () => proc.waitReady(async () => false, 10_000) };
    };
    await expect(startOnFreePorts(1, fail)).rejects.toThrow(/bad flag/);
    expect(n).toBe(1);
  });
});
