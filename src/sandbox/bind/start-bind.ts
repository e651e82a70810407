// A real BIND9 primary on a loopback port, for `kfed sandbox --bind` and the RFC2136
// end-to-end tests: writes named.conf and the zone files into a folder, starts
// `named -g` (foreground, logs on stderr) on a free 127.0.0.1 port (UDP and TCP) below the
// kernel's ephemeral range (named uses SO_REUSEPORT: runtime/shared-port.ts),
// waits until every zone answers its SOA over TCP, and stops it on request.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import dnsPacket from 'dns-packet';
import type { TSIGAlgorithm } from '../../api/dns-provider.js';
import { sharedPortFor } from '../../runtime/shared-port.js';
import { generateKey, renderNamedConf, renderZoneFile, zoneFileName, type BindKey, type BindZone } from './bind-config.js';

export type { BindKey, BindZone } from './bind-config.js';

export interface StartBindOptions {
  zones: readonly BindZone[];
  /** Folder for the configuration, zones and journals; a new temp folder (removed on stop) when omitted. */
  dir?: string;
  /** Loopback port for UDP and TCP; a free one when omitted. */
  port?: number;
  /** Path of named; default: locateNamed(). */
  named?: string;
  keyName?: string;
  algorithm?: TSIGAlgorithm;
  /** A key to reuse (e.g. across restarts, so that a Secret made for it stays valid); default: a new one. */
  key?: BindKey;
  /** How long to wait for the zones to answer. Default 15 s. */
  startTimeoutMs?: number;
}

export interface RunningBind {
  /** `127.0.0.1:port`, as an RFC2136 DNSProvider's `server`. */
  server: string;
  host: string;
  port: number;
  tsig: BindKey;
  dir: string;
  /** named's recent log lines, for error messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Path of the named binary (PATH, then the sbin folders Debian and others use), or undefined when BIND is not installed. */
export function locateNamed(pathEnv: string = process.env.PATH ?? ''): string | undefined {
  const dirs = [...pathEnv.split(delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  return dirs.map((d) => join(d, 'named')).find((p) => existsSync(p));
}

/** One SOA query over TCP; resolves true when the server answered it authoritatively. */
function soaAnswers(port: number, zone: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    let buf = Buffer.alloc(0);
    socket.on('error', () => done(false));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      try {
        const answer = dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        done((answer.flags ?? 0) % 16 === 0 && (answer.answers ?? []).some((a) => a.type === 'SOA'));
      } catch {
        done(false);
      }
    });
    socket.connect(port, '127.0.0.1', () => socket.write(dnsPacket.streamEncode({ type: 'query', id: 1, questions: [{ type: 'SOA', name: zone, class: 'IN' }] })));
  });
}

/** Where AppArmor enforces Debian/Ubuntu's usr.sbin.named profile, named may read only /etc/bind and a few other folders. */
function confinementHint(log: string): string {
  return /permission denied/i.test(log) ? '\n(named could not read its files: if AppArmor confines /usr/sbin/named, allow the folder or run `aa-complain /usr/sbin/named`)' : '';
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** A start that failed; `portTaken` says another port may succeed. */
class BindStartError extends Error {
  constructor(
    message: string,
    readonly portTaken: boolean,
  ) {
    super(message);
  }
}

async function startOnce(o: StartBindOptions, dir: string, port: number, key: BindKey): Promise<RunningBind> {
  const conf = join(dir, 'named.conf');
  await writeFile(conf, renderNamedConf({ dir, port, key, zones: o.zones }), { mode: 0o600 });
  for (const z of o.zones) {
    const file = join(dir, zoneFileName(z.name));
    await writeFile(file, renderZoneFile(z));
    // A journal from an earlier run in the same folder would be replayed onto the new zone.
    await rm(`${file}.jnl`, { force: true });
  }
  // -n 1: one worker thread (the machines running tests are small); -4: IPv4 only.
  const child = spawn(o.named ?? locateNamed() ?? 'named', ['-g', '-4', '-n', '1', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  const lines: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    lines.push(...s.split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  });
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const log = (): string => lines.slice(-30).join('\n');
  // named does not notice its parent dying: a test runner that exits without stop() must not leave it running.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(killer);
    }
  };
  const deadline = Date.now() + (o.startTimeoutMs ?? 15_000);
  for (;;) {
    if (spawnError) throw new Error(`start named: ${spawnError.message}`, { cause: spawnError });
    if (child.exitCode !== null) throw new BindStartError(`named exited with code ${child.exitCode}:\n${log()}${confinementHint(log())}`, /address in use/i.test(log()));
    // named keeps running without a zone it could not load, or without a socket it could not bind.
    const failed = lines.find((l) => /not loaded due to errors|could not listen|address in use/i.test(l));
    if (failed) {
      await stop();
      throw new BindStartError(`named failed: ${failed}\n${log()}`, !/not loaded/.test(failed));
    }
    const ready = await Promise.all(o.zones.map((z) => soaAnswers(port, z.name, 1000)));
    if (ready.every(Boolean)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`named did not answer on 127.0.0.1:${port} in time:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { server: `127.0.0.1:${port}`, host: '127.0.0.1', port, tsig: key, dir, log, stop };
}

/** Starts named; retries with another port when the chosen one was taken meanwhile. */
export async function startBind(o: StartBindOptions): Promise<RunningBind> {
  if (o.zones.length === 0) throw new Error('start BIND: at least one zone is needed');
  const ownDir = o.dir === undefined;
  const dir = o.dir ?? (await mkdtemp(join(tmpdir(), 'kfed-bind-')));
  if (!ownDir) await mkdir(dir, { recursive: true });
  const key = o.key ?? generateKey(o.keyName, o.algorithm);
  let lastError: unknown;
  for (let attempt = 0; attempt < (o.port === undefined ? 3 : 1); attempt++) {
    // named sets SO_REUSEPORT on its listeners: a port below the ephemeral range (shared-port.ts).
    const port = o.port ?? (await sharedPortFor('127.0.0.1'));
    try {
      const running = await startOnce(o, dir, port, key);
      const removeOnExit = (): void => rmSync(dir, { recursive: true, force: true });
      if (ownDir) process.once('exit', removeOnExit);
      return {
        ...running,
        stop: async () => {
          await running.stop();
          if (!ownDir) return;
          process.removeListener('exit', removeOnExit);
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      lastError = err;
      if (!(err instanceof BindStartError && err.portTaken)) break;
    }
  }
  if (ownDir) await rm(dir, { recursive: true, force: true });
  throw new Error(`start BIND: ${(lastError as Error).message}`, { cause: lastError });
}
