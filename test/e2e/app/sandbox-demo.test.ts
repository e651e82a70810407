// `npm start` as a newcomer meets it: `kfed sandbox` reaches its ready line, the commands
// it prints work as printed (kubectl, dig, curl of /metrics, the failover with
// `sandbox ctl`), and Ctrl-C exits 0 leaving no process and no port behind.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { portFree, until } from '../../integration/app/controller-harness.js';
import { parsePrometheusText, sum } from '../../integration/app/prom-text.js';
import { requireTools } from '../../support/tools.js';

const run = promisify(execFile);
const tools = requireTools('kubectl', 'dig');
const GLOBAL = 'go-app.go-app.myfed.svc.example.com';
const ALL = ['192.0.2.1', '198.51.100.1', '203.0.113.1'];

async function freeUdpTcpPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (await portFree(port, true)) return port;
  }
  throw new Error('no free port');
}

/** Runs a printed command line (no shell quoting in them: paths come from mkdtemp). */
async function runPrinted(line: string): Promise<string> {
  const words = line.trim().split(/\s+/);
  const [cmd, ...args] = words;
  const bin = cmd === 'kubectl' ? tools!.kubectl : cmd === 'dig' ? tools!.dig : cmd!;
  try {
    return (await run(bin, args, { timeout: 60_000 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${line}: ${e.stderr || e.message}`, { cause: err });
  }
}

describe.skipIf(!tools)('npm start (kfed sandbox)', () => {
  let dir: string;
  let kubeconfig: string;
  let dnsPort: number;
  let child: ChildProcess;
  let out = '';
  let err = '';
  let exited: Promise<number | null>;
  let readyMs = 0;
  const figures: Record<string, number> = {};

  const printed = (prefix: string): string[] => out.split('\n').filter((l) => l.startsWith(`  ${prefix} `)).map((l) => l.trim());

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kfed-e2e-start-'));
    kubeconfig = join(dir, 'kubeconfig');
    dnsPort = await freeUdpTcpPort();
    const started = Date.now();
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'sandbox', '--kubeconfig', kubeconfig, '--dns-port', String(dnsPort)], { stdio: ['ignore', 'pipe', 'pipe'] });
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    // Up to 82 s seen at load 19 on this 2-core machine (readyLineMs below): room beyond it.
    await until(() => out.includes('sandbox ready') || child.exitCode !== null, 180_000).catch((e: unknown) => {
      throw new Error(`no ready line:\n${out}\n${err}`, { cause: e });
    });
    if (child.exitCode !== null) throw new Error(`sandbox exited ${child.exitCode}:\n${out}\n${err}`);
    readyMs = Date.now() - started;
    figures.readyLineMs = readyMs;
  }, 210_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    console.log(`[npm start] figures: ${JSON.stringify(figures)}`);
  });

  it('prints progress, then the ready line only after go-app propagated and answers in DNS', () => {
    const lines = out.split('\n');
    const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
    const order = [/^starting 3 clusters/, /^kubeconfig written to/, /^installed \d+ CRDs/, /^enabled the default federated types/, /^control plane running/, /^joined cluster-3/, /^cluster cluster-3 ready/, /^applied .*examples\/go-app\.yaml to cluster-1/, /^go-app propagated to cluster-1, cluster-2, cluster-3/, new RegExp(`^${GLOBAL.replace(/\./g, '\\.')} answers 192\\.0\\.2\\.1, 198\\.51\\.100\\.1, 203\\.0\\.113\\.1$`), /^sandbox ready in [\d.]+ s \(Ctrl-C to stop\)$/];
    const idx = order.map(at);
    expect(idx.every((i) => i >= 0), `missing lines in:\n${out}`).toBe(true);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    // Logs go to stderr at warn; a clean start writes none.
    expect(err).toBe('');
  });

  it('the printed kubectl commands work', { timeout: 60_000 }, async () => {
    const kubectl = printed('kubectl');
    expect(kubectl).toHaveLength(3);
    for (const l of kubectl) expect(l).toContain(`--kubeconfig ${kubeconfig} --context cluster-`);
    const clusters = await runPrinted(kubectl[0]!);
    expect(clusters.split('\n').filter((l) => /^cluster-\d\s.*\sTrue\s/.test(l))).toHaveLength(3);
    const described = await runPrinted(kubectl[1]!);
    expect(described).toMatch(/Name:\s+go-app/);
    for (const c of ['cluster-1', 'cluster-2', 'cluster-3']) expect(described).toContain(c);
    const member = await runPrinted(kubectl[2]!);
    expect(member).toMatch(/deployment\.apps\/go-app\s+\d\/4/);
    expect(member).toMatch(/service\/go-app\s+LoadBalancer\s+\S+\s+198\.51\.100\.1/);
  });

  it('the printed dig commands answer with go-app\'s addresses', { timeout: 60_000 }, async () => {
    const digs = printed('dig');
    expect(digs[0]).toBe(`dig @127.0.0.1 -p ${dnsPort} ${GLOBAL}`);
    const global = await runPrinted(`${digs[0]} +short`);
    expect(global.trim().split('\n').sort()).toEqual(ALL);
    const full = await runPrinted(digs[0]!);
    expect(full).toMatch(/status: NOERROR/);
    expect(full).toMatch(/flags: qr aa/);
    const regional = digs.find((d) => d.includes('.svc.eu-west-1.'));
    expect((await runPrinted(`${regional} +short`)).trim()).toBe('198.51.100.1');
    const prefix = digs.find((d) => d.endsWith(' go.example.com'));
    const viaCname = (await runPrinted(`${prefix} +short`)).trim().split('\n');
    expect(viaCname[0]).toBe(`${GLOBAL}.`);
    expect(viaCname.slice(1).sort()).toEqual(ALL);
  });

  it('the printed /metrics URL serves the control plane\'s metrics', async () => {
    const curl = printed('curl')[0] ?? '';
    const url = /(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(curl)?.[1];
    expect(url, out).toBeDefined();
    const families = parsePrometheusText(await (await fetch(url!)).text());
    expect(sum(families, 'kubefedcluster_total', { state: 'ready' })).toBe(3);
    expect(sum(families, 'kfed_dns_queries_total', { rcode: 'NOERROR' })).toBeGreaterThan(0);
  });

  it('the printed failover works: cluster-2 leaves DNS when stopped and returns when started', { timeout: 180_000 }, async () => {
    const ctl = out.split('\n').filter((l) => / sandbox ctl /.test(l)).map((l) => l.trim());
    expect(ctl).toHaveLength(2);
    expect(ctl[0]).toBe(`npm run -s kfed -- sandbox ctl --kubeconfig ${kubeconfig} stop cluster-2`);
    const dig = `${printed('dig')[0]} +short`;
    const stoppedAt = Date.now();
    await run('sh', ['-c', ctl[0]!], { timeout: 60_000 });
    let answer: string[] = [];
    await until(async () => (answer = (await runPrinted(dig)).trim().split('\n').sort()).join() === '192.0.2.1,203.0.113.1', 30_000, 100).catch((e: unknown) => {
      throw new Error(`cluster-2 still answered: ${answer.join(', ')}`, { cause: e });
    });
    figures.failoverMs = Date.now() - stoppedAt;
    const startedAt = Date.now();
    await run('sh', ['-c', ctl[1]!], { timeout: 60_000 });
    await until(async () => (await runPrinted(dig)).trim().split('\n').sort().join() === ALL.join(), 30_000, 100);
    figures.recoveryMs = Date.now() - startedAt;
  });

  it('Ctrl-C exits 0 and leaves no process or port behind', { timeout: 60_000 }, async () => {
    const apiPorts = [...out.matchAll(/^cluster cluster-\d\s+https:\/\/127\.0\.0\.1:(\d+)/gm)].map((m) => Number(m[1]));
    expect(apiPorts).toHaveLength(3);
    const metricsPort = Number(/http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(out)?.[1]);
    const kc = parseYaml(await readFile(kubeconfig, 'utf8')) as { extensions: { extension: { url: string } }[] };
    const controlPort = Number(new URL(kc.extensions[0]!.extension.url).port);
    for (const p of [...apiPorts, metricsPort, controlPort]) expect(await portFree(p), `port ${p} should be in use`).toBe(false);
    expect(await portFree(dnsPort, true)).toBe(false);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out.trimEnd().endsWith('sandbox stopped')).toBe(true);
    for (const p of [...apiPorts, metricsPort, controlPort]) expect(await portFree(p), `port ${p} still bound`).toBe(true);
    expect(await portFree(dnsPort, true)).toBe(true);
    // Nothing started by the sandbox outlives it (it starts no child process of its own).
    const { stdout } = await run('ps', ['-eo', 'pid,args']);
    expect(stdout.split('\n').filter((l) => l.includes(dir))).toEqual([]);
  });
});

describe.skipIf(!tools)('npm start in a terminal', () => {
  it('Ctrl-C to the whole process group (npm, node with tsx\'s loader) stops cleanly once', { timeout: 240_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kfed-e2e-npm-start-'));
    const dnsPort = await freeUdpTcpPort();
    // detached: its own process group, as a shell's foreground job has.
    const npm = spawn('npm', ['start', '--', '--kubeconfig', join(dir, 'kubeconfig'), '--dns-port', String(dnsPort)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    // 'close', not 'exit': npm may end on the signal before kfed below it has written its last line
    // to the pipe they share; the pipe closes once every process holding it has exited.
    const exited = new Promise<string>((resolve) => npm.once('close', (code, signal) => resolve(code !== null ? `code ${code}` : `signal ${signal}`)));
    let out = '';
    let err = '';
    npm.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    try {
      await until(() => out.includes('sandbox ready') || npm.exitCode !== null, 180_000);
      expect(out, err).toContain('sandbox ready');
      const apiPorts = [...out.matchAll(/^cluster cluster-\d\s+https:\/\/127\.0\.0\.1:(\d+)/gm)].map((m) => Number(m[1]));
      // No tsx CLI process between npm and kfed: on Ctrl-C it waits 30 ms for its child to report
      // the signal, relays it, waits 30 ms more and then SIGKILLs the child, which a loaded
      // machine's kfed (busy with three API servers) misses: killed before its clean stop.
      const group = (await run('ps', ['-eo', 'pgid=,pid=,args='])).stdout.split('\n').filter((l) => l.trim().split(/\s+/)[0] === String(npm.pid));
      expect(group.length, 'processes in the group').toBeGreaterThan(1);
      expect(group.filter((l) => /tsx\/dist\/cli|\/\.bin\/tsx\b|^\s*\d+\s+\d+\s+tsx\b/.test(l)), group.join('\n')).toEqual([]);
      process.kill(-npm.pid!, 'SIGINT');
      // npm itself ends as the signal told it to (as in a terminal); kfed below it stops cleanly.
      expect(await exited).toMatch(/^(code 0|signal SIGINT)$/);
      expect(out.trimEnd().endsWith('sandbox stopped'), `stdout ends: ${out.slice(-300)}\nstderr: ${err.slice(-2000)}`).toBe(true);
      expect(err).not.toContain('without a clean stop');
      for (const p of apiPorts) expect(await portFree(p), `port ${p} still bound`).toBe(true);
      expect(await portFree(dnsPort, true)).toBe(true);
      const { stdout } = await run('ps', ['-eo', 'pid,args']);
      expect(stdout.split('\n').filter((l) => l.includes(dir))).toEqual([]);
    } finally {
      if (npm.exitCode === null && npm.signalCode === null) process.kill(-npm.pid!, 'SIGKILL');
    }
  });
});
