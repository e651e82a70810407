// `kfed sandbox --bind` as the README walks it: the demo reaches its ready line with a real
// BIND9 beside it; the dig and kubectl commands it prints for BIND work as printed (go-app's
// three addresses, kfed's ownership TXT, the DNSProvider READY True); a stopped member's
// address leaves BIND; Ctrl-C leaves no named behind.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../integration/app/controller-harness.js';
import { requireTools } from '../../support/tools.js';

const run = promisify(execFile);
const tools = requireTools('kubectl', 'dig', 'named');
const GLOBAL = 'go-app.go-app.myfed.svc.example.com';

describe.skipIf(!tools)('kfed sandbox --bind', () => {
  let kubeconfig: string;
  let child: ChildProcess;
  let out = '';
  let exited: Promise<number | null>;

  const printedDig = (suffix: string): string[] => {
    const line = out.split('\n').find((l) => l.trim().startsWith('dig @') && l.includes('-p') && l.trim().split(/\s+/)[4] === suffix);
    if (!line) throw new Error(`no printed dig for ${suffix} in:\n${out}`);
    return line.trim().split('#')[0]!.trim().split(/\s+/).slice(1);
  };
  const dig = async (args: string[]): Promise<string[]> => (await run(tools!.dig, ['+short', '+tcp', ...args])).stdout.split('\n').filter(Boolean).sort();

  beforeAll(async () => {
    kubeconfig = join(await mkdtemp(join(tmpdir(), 'kfed-e2e-bind-')), 'kubeconfig');
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'sandbox', '--bind', '--kubeconfig', kubeconfig, '--dns-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr?.resume();
    await until(() => out.includes('sandbox ready'), 180_000, 100).catch((err: unknown) => {
      throw new Error(`no ready line:\n${out}`, { cause: err });
    });
  }, 210_000);

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGINT');
    await exited;
  });

  it('prints dig commands for BIND that answer go-app and kfed\'s ownership record', async () => {
    expect(out).toMatch(/DNSProvider kube-federation-system\/bind publishes example\.com/);
    expect(await dig(printedDig(GLOBAL))).toEqual(['192.0.2.1', '198.51.100.1', '203.0.113.1']);
    const claim = await dig(printedDig(`a-${GLOBAL}`));
    expect(claim[0]).toContain('heritage=external-dns,external-dns/owner=kfed-');
  });

  it('kubectl get dnsproviders shows the provider Ready with its records', async () => {
    const line = out.split('\n').find((l) => l.includes('get dnsproviders'))!.trim().split(/\s+/);
    // The ready line follows BIND's answer; the DNSProvider status is written after the same pass
    // (another write to the host), so on a loaded machine it may land a moment after the line.
    let stdout = '';
    await until(async () => /bind\s+rfc2136\s+True\s+\d+/.test((stdout = (await run(tools!.kubectl, line.slice(1))).stdout)), 30_000, 200).catch((err: unknown) => {
      throw new Error(`kubectl get dnsproviders:\n${stdout}`, { cause: err });
    });
    expect(stdout).toMatch(/^NAME\s+TYPE\s+READY\s+RECORDS\s+AGE/);
  });

  it('a stopped member leaves BIND and returns', async () => {
    const ctl = ['--import', 'tsx', 'src/cli/main.ts', 'sandbox', 'ctl', '--kubeconfig', kubeconfig];
    await run(process.execPath, [...ctl, 'stop', 'cluster-2']);
    await until(async () => (await dig(printedDig(GLOBAL))).length === 2, 30_000, 200);
    await run(process.execPath, [...ctl, 'start', 'cluster-2']);
    await until(async () => (await dig(printedDig(GLOBAL))).length === 3, 30_000, 200);
  }, 180_000);

  it('Ctrl-C stops the sandbox and BIND', async () => {
    const port = printedDig(GLOBAL).find((a) => /^\d+$/.test(a));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('sandbox stopped');
    await expect(run(tools!.dig, ['+short', '+tcp', '+time=1', '+tries=1', '@127.0.0.1', '-p', port ?? '0', GLOBAL])).rejects.toThrow();
  });
});
