// BIND9 for end-to-end tests: the sandbox's startBind (src/sandbox/bind) with the tools
// resolved the way other e2e tests resolve theirs (skip when missing, fail under CI),
// plus dig and nsupdate wrappers that talk to it with the same TSIG key: an
// independent DNS implementation to read what kfed wrote and to play "another writer".
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startBind, type BindZone, type RunningBind, type StartBindOptions } from '../../../src/sandbox/bind/start-bind.js';
import { requireTools } from '../tools.js';

export type { RunningBind, BindZone } from '../../../src/sandbox/bind/start-bind.js';

const run = promisify(execFile);

export interface BindTools {
  named: string;
  dig: string;
  nsupdate: string;
}

/** named, dig and nsupdate, or undefined (with a notice) when one is missing and e2e is optional. */
export function bindTools(): BindTools | undefined {
  return requireTools('named', 'dig', 'nsupdate');
}

export function startTestBind(tools: BindTools, zones: readonly BindZone[], opts: Omit<StartBindOptions, 'zones' | 'named'> = {}): Promise<RunningBind> {
  return startBind({ ...opts, zones, named: tools.named });
}

/** `-y alg:name:secret`, as dig and nsupdate take a key. */
function keyArg(bind: RunningBind, secret = bind.tsig.secret): string {
  return `${bind.tsig.algorithm}:${bind.tsig.name}:${secret}`;
}

/** `dig +short` over TCP: the record data of one name and type, sorted. */
export async function digShort(tools: BindTools, bind: RunningBind, name: string, type: string): Promise<string[]> {
  const { stdout } = await run(tools.dig, [`@${bind.host}`, '-p', String(bind.port), '+tcp', '+short', '+norecurse', name, type]);
  return stdout.split('\n').filter(Boolean).sort();
}

/** The zone by dig's own AXFR, as presentation lines `name ttl class type data`, without SOA, sorted. */
export async function digZone(tools: BindTools, bind: RunningBind, zone: string): Promise<string[]> {
  const { stdout } = await run(tools.dig, [`@${bind.host}`, '-p', String(bind.port), '-y', keyArg(bind), '+noall', '+answer', '+onesoa', zone, 'AXFR']);
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/).join(' '))
    .filter((l) => l && !l.startsWith(';') && !/ IN SOA /.test(l))
    .sort();
}

/** Runs nsupdate with the harness's key (or another secret) against the server; rejects with its output on failure. */
export async function nsupdate(tools: BindTools, bind: RunningBind, commands: string[], secret?: string): Promise<void> {
  const script = [`server ${bind.host} ${bind.port}`, ...commands, 'send', ''].join('\n');
  await new Promise<void>((resolve, reject) => {
    const child = execFile(tools.nsupdate, ['-v', '-y', keyArg(bind, secret)], (err, stdout, stderr) => {
      if (err) reject(new Error(`nsupdate failed: ${stderr || stdout || err.message}`, { cause: err }));
      else resolve();
    });
    child.stdin?.end(script);
  });
}
