// DNS served by worker processes (`--dns-workers`): the control plane against a sandbox
// host forks the workers, the serving feed's snapshots reach them, `dig` gets answers
// over UDP and TCP, /metrics carries the workers' kfed_dns_* counters, a worker that dies
// leaves the other answering, and stopping leaves no worker process or port behind.
// Once in process (startSandboxControlPlane, as `kfed sandbox --dns-workers 2` runs it)
// and once as `kfed controller --dns-workers 2`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPlane } from '../../../src/app/control-plane.js';
import { startSandboxControlPlane } from '../../../src/app/sandbox-control-plane.js';
import { GO_APP_DNS_NAME, runGoAppDemo } from '../../../src/app/sandbox-demo.js';
import { EXTERNALDNS_ENDPOINTS } from '../../../src/api/multiclusterdns.js';
import { ClusteredDnsServer } from '../../../src/dnsserver/cluster.js';
import { clusterClientFromKubeconfig } from '../../../src/kube/cluster-client.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { portFree, scrape, startController, until, type ControllerProcess } from '../../integration/app/controller-harness.js';
import { parsePrometheusText, sum } from '../../integration/app/prom-text.js';
import { requireTools } from '../../support/tools.js';

const run = promisify(execFile);
const tools = requireTools('dig');
const NAME = 'workers.example.com';
const GO_APP_ADDRESSES = ['192.0.2.1', '198.51.100.1'];

/**
 * `dig +short` lines for NAME A at 127.0.0.1:port (extra args e.g. `+tcp`). +time=5: the tests
 * expect an answer from every dig, also 24 at once on a loaded 2-core machine.
 */
async function dig(port: number, name: string, ...extra: string[]): Promise<string[]> {
  const { stdout } = await run(tools?.dig ?? 'dig', ['@127.0.0.1', '-p', String(port), '+time=5', '+tries=1', '+short', ...extra, name, 'A'], { timeout: 20_000 });
  return stdout.trim().split('\n').filter(Boolean).sort();
}

async function digUntil(port: number, name: string, want: string[], ...extra: string[]): Promise<void> {
  let got: string[] = [];
  await until(async () => (got = await dig(port, name, ...extra).catch(() => [])).join() === want.join(), 20_000, 100).catch((err: unknown) => {
    throw new Error(`dig ${name} ${extra.join(' ')} answered ${JSON.stringify(got)}, want ${JSON.stringify(want)}`, { cause: err });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

async function publish(sb: Sandbox, target: string): Promise<void> {
  const host = await clusterClientFromKubeconfig({ kubeconfigPath: sb.kubeconfigPath, context: 'cluster-1', name: 'test-publish' });
  try {
    const existing = await host.dynamic.getIfExists(EXTERNALDNS_ENDPOINTS, 'workers', { namespace: 'go-app' });
    const obj = {
      apiVersion: 'externaldns.k8s.io/v1alpha1', kind: 'DNSEndpoint',
      metadata: { name: 'workers', namespace: 'go-app', ...(existing ? { resourceVersion: existing.metadata.resourceVersion ?? '' } : {}) },
      spec: { endpoints: [{ dnsName: NAME, recordType: 'A', targets: [target], recordTTL: 60 }] },
    };
    if (existing) await host.dynamic.update(EXTERNALDNS_ENDPOINTS, obj);
    else await host.dynamic.create(EXTERNALDNS_ENDPOINTS, obj);
  } finally {
    host.close();
  }
}

describe.skipIf(!tools)('DNS worker processes', () => {
  let sb: Sandbox;
  let cp: ControlPlane | undefined;
  const lines: string[] = [];
  let port = 0;
  let pids: number[] = [];

  beforeAll(async () => {
    sb = await startSandbox({ clusters: 2 });
    cp = await startSandboxControlPlane(sb, {
      out: (l) => lines.push(l),
      logger: silentLogger(),
      healthCheckPeriod: '1s',
      metricsAddr: '127.0.0.1:0',
      dnsListen: '127.0.0.1:0',
      dnsGeoDatabase: 'none',
      // As the CLI passes it.
      dnsWorkers: '2',
    });
    port = cp.dns?.ports.udpPort ?? 0;
    await runGoAppDemo(cp, { out: (l) => lines.push(l), clusters: ['cluster-1', 'cluster-2'], dns: { address: '127.0.0.1', port } });
  }, 120_000);

  afterAll(async () => {
    await cp?.stop();
    await sb?.close();
  }, 60_000);

  it('forks the workers and answers published names through them, over UDP and TCP', { timeout: 60_000 }, async () => {
    const dns = cp!.dns!;
    expect(dns.workers).toBe(2);
    expect(dns.server).toBeInstanceOf(ClusteredDnsServer);
    expect(lines.find((l) => l.startsWith('control plane running'))).toContain(`DNS on 127.0.0.1:${port} udp+tcp in 2 worker processes`);
    pids = dns.workerPids();
    expect(pids).toHaveLength(2);
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(process.pid);
    for (const pid of pids) expect(alive(pid)).toBe(true);
    expect(dns.hasSnapshot()).toBe(true);

    expect(await dig(port, GO_APP_DNS_NAME)).toEqual(GO_APP_ADDRESSES);
    await publish(sb, '192.0.2.77');
    await digUntil(port, NAME, ['192.0.2.77']);
    // Enough queries that the kernel hands some to each worker.
    for (let i = 0; i < 20; i++) expect(await dig(port, NAME)).toEqual(['192.0.2.77']);
    expect(await dig(port, NAME, '+tcp')).toEqual(['192.0.2.77']);
    const ready = await fetch(`${cp!.health!.url}/readyz?verbose`);
    expect(await ready.text()).toContain('[+]dns-snapshot ok');
    expect(ready.status).toBe(200);
  });

  it('/metrics carries the workers\' kfed_dns_* metrics next to the control plane\'s', async () => {
    // Nothing answers in this process, so its registry has no query counter of its own.
    expect(cp!.metrics.getSingleMetric('kfed_dns_queries_total')).toBeUndefined();
    const families = parsePrometheusText(await (await fetch(`${cp!.health!.url}/metrics`)).text());
    expect(sum(families, 'kfed_dns_queries_total', { transport: 'udp', qtype: 'A', rcode: 'NOERROR' })).toBeGreaterThanOrEqual(22);
    expect(sum(families, 'kfed_dns_queries_total', { transport: 'tcp', qtype: 'A', rcode: 'NOERROR' })).toBeGreaterThanOrEqual(1);
    expect(families.get('kfed_dns_answer_duration_seconds')?.type).toBe('histogram');
    // The control plane's own families are still there.
    expect(sum(families, 'kubefedcluster_total', { state: 'ready' })).toBe(2);
    expect(families.has('kfed_dns_feed_build_seconds')).toBe(true);
    expect(families.has('process_cpu_seconds_total')).toBe(true);
  });

  it('keeps answering, and takes new snapshots, when a worker dies', { timeout: 60_000 }, async () => {
    const dns = cp!.dns!;
    process.kill(pids[0]!, 'SIGKILL');
    await until(() => dns.workerPids().length === 1, 10_000);
    expect(dns.workerPids()).toEqual([pids[1]]);
    for (let i = 0; i < 10; i++) expect(await dig(port, NAME)).toEqual(['192.0.2.77']);
    await publish(sb, '192.0.2.78');
    await digUntil(port, NAME, ['192.0.2.78']);
    expect(await dig(port, NAME, '+tcp')).toEqual(['192.0.2.78']);
    expect((await fetch(`${cp!.health!.url}/healthz`)).status).toBe(200);
  });

  it('stop() ends every worker process and frees the port', { timeout: 30_000 }, async () => {
    await cp!.stop();
    cp = undefined;
    for (const pid of pids) expect(alive(pid), `worker ${pid} still running`).toBe(false);
    expect(await portFree(port, true)).toBe(true);
  });

  describe('kfed controller --dns-workers 2', () => {
    let ctl: ControllerProcess | undefined;

    afterAll(async () => {
      if (ctl && ctl.child.exitCode === null) {
        ctl.child.kill('SIGKILL');
        await ctl.exited;
      }
    });

    it('serves DNS from two worker processes, scrapes their metrics, and leaves none behind on SIGTERM', { timeout: 90_000 }, async () => {
      ctl = await startController(sb, 'ctl-workers', ['--dns-workers', '2']);
      const c = ctl;
      // The harness returns at the first worker's `listening` line; the primary logs once all are up.
      await until(() => c.logs.some((l) => l.msg === 'dns server workers listening'), 20_000);
      expect(c.logs.find((l) => l.msg === 'dns server workers listening')).toMatchObject({ workers: 2, port: c.dnsPort });
      // The DNS workers among the controller's children (under tsx, esbuild's service process may be one too).
      const { stdout } = await run('ps', ['-o', 'pid=,args=', '--ppid', String(c.child.pid)]);
      const children = stdout.split('\n').filter((l) => l.includes('cluster-worker')).map((l) => Number(l.trim().split(/\s+/)[0])).filter((n) => n > 0);
      expect(children).toHaveLength(2);

      await digUntil(c.dnsPort, GO_APP_DNS_NAME, GO_APP_ADDRESSES);
      await publish(sb, '192.0.2.79');
      await digUntil(c.dnsPort, NAME, ['192.0.2.79']);
      const families = parsePrometheusText(await scrape(c));
      expect(sum(families, 'kfed_dns_queries_total', { transport: 'udp', rcode: 'NOERROR' })).toBeGreaterThan(0);

      c.child.kill('SIGTERM');
      expect(await c.exited).toBe(0);
      for (const pid of children) expect(alive(pid), `worker ${pid} outlived the controller`).toBe(false);
      expect(await portFree(c.dnsPort, true)).toBe(true);
    });
  });

  describe('kfed controller --dns-udp-threads 2', () => {
    let ctl: ControllerProcess | undefined;

    afterAll(async () => {
      if (ctl && ctl.child.exitCode === null) {
        ctl.child.kill('SIGKILL');
        await ctl.exited;
      }
    });

    it('starts a second UDP serving thread in the controller process and answers through both sockets', { timeout: 90_000 }, async () => {
      ctl = await startController(sb, 'ctl-threads', ['--dns-udp-threads', '2']);
      const c = ctl;
      await until(() => c.logs.some((l) => l.msg === 'dns server: UDP serving threads started'), 20_000);
      expect(c.logs.find((l) => l.msg === 'dns server: UDP serving threads started')).toMatchObject({ udpThreads: 2 });
      await digUntil(c.dnsPort, GO_APP_DNS_NAME, GO_APP_ADDRESSES);
      // Many client sockets (each dig its own source port): SO_REUSEPORT spreads them over both sockets;
      // every one gets the right answer, also after a change (the threads' cache is cleared with the snapshot).
      const answers = await Promise.all(Array.from({ length: 24 }, () => dig(c.dnsPort, GO_APP_DNS_NAME)));
      for (const a of answers) expect(a).toEqual(GO_APP_ADDRESSES);
      await publish(sb, '192.0.2.80');
      await digUntil(c.dnsPort, NAME, ['192.0.2.80']);
      const after = await Promise.all(Array.from({ length: 24 }, () => dig(c.dnsPort, NAME)));
      for (const a of after) expect(a).toEqual(['192.0.2.80']);
      c.child.kill('SIGTERM');
      expect(await c.exited).toBe(0);
      expect(await portFree(c.dnsPort, true)).toBe(true);
    });
  });
});
