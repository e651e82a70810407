// bench/dns-records: 2,000 ServiceDNSRecords x 10 member clusters on the sandbox.
// - cold render: from starting the DNS controllers (empty caches) until every record's
//   DNSEndpoint lists all 10 clusters' addresses under its global name;
// - p99 from a member load-balancer change (a Service status PUT) to the DNSEndpoint
//   update that carries it (target: <= 500 ms);
// - one member NotReady: until every DNSEndpoint dropped it.
// The sandbox runs in its own process; the controllers and the observer run here.
import type { KubeObject } from '../../src/api/meta.js';
import type { DNSEndpoint } from '../../src/api/multiclusterdns.js';
import { MultiClusterDNS } from '../../src/dns/records/dns-controllers.js';
import { DNS_ENDPOINTS, DOMAINS, SERVICE_DNS_RECORDS } from '../../src/api/multiclusterdns.js';
import { SERVICES } from '../../src/api/kubernetes.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../src/kube/cluster-client.js';
import { isRetryable, KubeApiError } from '../../src/kube/errors.js';
import { Informer } from '../../src/kube/informer.js';
import type { ResourceRef } from '../../src/kube/resource.js';
import type { Logger } from '../../src/observability/logger.js';
import type { Registry } from '../../src/observability/metrics.js';
import { defaultTopology } from '../../src/sandbox/topology.js';
import { startSandboxProcess } from '../support/sandbox-process.js';
import { installCrds } from '../../test/support/crds.js';
import { staticMembers } from '../../test/support/static-members.js';

const NAMESPACES: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' };
const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true, kind: 'Deployment' };
const NS = 'bench';

export interface DnsRecordsBenchOptions {
  records?: number;
  clusters?: number;
  changes?: number;
  /** Load-balancer changes in flight at once. */
  concurrency?: number;
  /** Controller logs (default: none). */
  logger?: Logger;
  /** Controller metrics, to inspect after a run. */
  registry?: Registry;
}

/** Setup writes survive a loaded machine: retry timeouts and throttling, accept AlreadyExists. */
async function createRetrying(c: ClusterClient, ref: ResourceRef, obj: KubeObject): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await c.dynamic.create(ref, obj);
      return;
    } catch (err) {
      if (err instanceof KubeApiError && err.reason === 'AlreadyExists') return;
      if (attempt >= 5 || !isRetryable(err)) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function pool(total: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await op(next++);
  }));
}

const globalName = (i: number): string => `svc-${i}.${NS}.bench.svc.example.com`;
/** Record index of a DNSEndpoint named service-svc-<i>. */
const indexOf = (ep: DNSEndpoint): number => Number((ep.metadata.name ?? '').replace('service-svc-', ''));

/** Targets of the global name's A and AAAA records of a DNSEndpoint. */
function globalTargets(ep: DNSEndpoint, i: number): string[] {
  return ep.spec.endpoints.filter((e) => e.dnsName === globalName(i) && (e.recordType === 'A' || e.recordType === 'AAAA')).flatMap((e) => e.targets);
}

export async function runDnsRecordsBench(opts: DnsRecordsBenchOptions = {}): Promise<Record<string, number>> {
  const records = opts.records ?? 2000;
  const clusters = opts.clusters ?? 10;
  const changes = opts.changes ?? 500;
  const concurrency = opts.concurrency ?? 4;
  const out: Record<string, number> = {};
  const sb = await startSandboxProcess(clusters, ['--max-old-space-size=4096']);
  const names = Array.from({ length: clusters }, (_, i) => `cluster-${i + 1}`);
  const clients: ClusterClient[] = [];
  const stop = new AbortController();
  try {
    for (const n of names) clients.push(await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: n, timeoutMs: 30_000 }));
    const host = clients[0] as ClusterClient;
    await installCrds(host, 'crds/multiclusterdns');
    const t0 = performance.now();
    await host.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-federation-system' } });
    // One cluster at a time: the sandbox process serves them all on one thread anyway.
    for (const c of clients) {
      await c.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
      await c.dynamic.create(DEPLOYMENTS, {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: NS },
        spec: { replicas: 1, selector: { matchLabels: { app: 'bench' } }, template: { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'app', image: 'example.org/app:1' }] } } },
      });
      await pool(records, 16, (i) => createRetrying(c, SERVICES, {
        apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: NS },
        spec: { type: 'LoadBalancer', selector: { app: 'bench' }, ports: [{ port: 80 }] },
      }));
    }
    await host.dynamic.create(DOMAINS, { apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'Domain', metadata: { name: 'bench', namespace: 'kube-federation-system' }, domain: 'example.com' });
    await pool(records, 16, (i) => createRetrying(host, SERVICE_DNS_RECORDS, {
      apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'ServiceDNSRecord', metadata: { name: `svc-${i}`, namespace: NS }, spec: { domainRef: 'bench', recordTTL: 60 },
    }));
    console.log(`setup: ${clusters} clusters x ${records} LoadBalancer Services, ${records} ServiceDNSRecords in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // The observer: an informer on the DNSEndpoints, calling back on every change.
    const watchers = new Set<(ep: DNSEndpoint) => void>();
    const observer = new Informer<DNSEndpoint>({ client: host.dynamic, resource: DNS_ENDPOINTS, namespace: NS, cluster: 'cluster-1' });
    observer.addHandlers({ onAdd: (ep) => watchers.forEach((w) => w(ep)), onUpdate: (_a, ep) => watchers.forEach((w) => w(ep)) });
    void observer.start(stop.signal);
    await observer.waitForSync();
    const until = (pred: (ep: DNSEndpoint) => boolean, count: number): Promise<number> =>
      new Promise((resolve) => {
        const done = new Set<string>();
        const check = (ep: DNSEndpoint): void => {
          const name = ep.metadata.name ?? '';
          if (pred(ep)) done.add(name);
          else done.delete(name);
          if (done.size >= count) {
            watchers.delete(check);
            resolve(performance.now());
          }
        };
        watchers.add(check);
        for (const ep of observer.list()) check(ep);
      });

    const members = await staticMembers(sb.kubeconfigYaml, names.map((name, i) => ({ name, region: defaultTopology(i).region, zones: defaultTopology(i).zones })), 30_000);
    const dns = new MultiClusterDNS({ host, members, memberSyncTimeoutMs: 60_000, informer: { watchTimeoutSeconds: 600 }, ...(opts.logger ? { logger: opts.logger } : {}), ...(opts.registry ? { registry: opts.registry } : {}) });
    // Every cluster healthy: the global name carries one load-balancer address per cluster.
    const allComplete = until((ep) => globalTargets(ep, indexOf(ep)).length === clusters, records);
    const started = performance.now();
    const running = dns.start(stop.signal);
    const complete = await allComplete;
    out.renderAllSeconds = (complete - started) / 1000;
    console.log(`cold render: ${records} DNSEndpoints with all ${clusters} clusters in ${out.renderAllSeconds.toFixed(2)} s (from controller start, member caches empty)`);

    // p99 from a member load-balancer change to the DNSEndpoint update.
    const lat: number[] = [];
    await pool(changes, concurrency, async (k) => {
      const i = (k * 7919) % records;
      const member = clients[k % clusters] as ClusterClient;
      const ip = `2001:db8::${(k + 1).toString(16)}`;
      const svc = await member.dynamic.get<KubeObject>(SERVICES, `svc-${i}`, { namespace: NS });
      const seen = until((ep) => ep.metadata.name === `service-svc-${i}` && globalTargets(ep, i).includes(ip), 1);
      const t = performance.now();
      await member.dynamic.updateStatus(SERVICES, { ...svc, status: { loadBalancer: { ingress: [{ ip }] } } });
      lat.push((await seen) - t);
    });
    lat.sort((a, b) => a - b);
    out.changeP50Ms = pct(lat, 50);
    out.changeP99Ms = pct(lat, 99);
    out.changeMaxMs = lat[lat.length - 1] ?? 0;
    console.log(`member LB change -> DNSEndpoint update (${changes} changes, ${concurrency} in flight): p50 ${out.changeP50Ms.toFixed(0)} ms, p99 ${out.changeP99Ms.toFixed(0)} ms, max ${out.changeMaxMs.toFixed(0)} ms (target p99 <= 500 ms)`);

    // One member NotReady: every record's name for its region turns into a CNAME.
    const victim = names[clusters - 1] as string;
    const region = defaultTopology(clusters - 1).region;
    const dropped = until((ep) => ep.spec.endpoints.some((e) => e.dnsName === `svc-${indexOf(ep)}.${NS}.bench.svc.${region}.example.com` && e.recordType === 'CNAME'), records);
    const t1 = performance.now();
    members.setReady(victim, false);
    out.notReadyAllSeconds = ((await dropped) - t1) / 1000;
    console.log(`${victim} NotReady -> all ${records} DNSEndpoints without it in ${out.notReadyAllSeconds.toFixed(2)} s`);

    stop.abort();
    await running;
    members.close();
    return out;
  } finally {
    stop.abort();
    for (const c of clients) c.close();
    await sb.stop();
  }
}
