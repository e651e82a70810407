// bench/publish: 10,000 records from DNSEndpoints into a real BIND9 over RFC2136, through
// the whole publishing pipeline (informers, publishing controller, registry, plan,
// batching, the RFC2136 adapter, TSIG-signed UPDATE over TCP).
// - UPDATE messages for the initial publish against the floor: the batches that the
//   adapter's size limit allows for these changes (records plus their ownership TXT);
// - time from creating the DNSProvider until every record is accepted;
// - from one DNSEndpoint edit (the PATCH returning) to the UPDATE carrying it leaving for
//   BIND, p50/p99 over repeated edits (goal p99 <= 1 s);
// - messages (UPDATEs and zone reads) in a quiet period after everything is published
//   (goal 0 between resyncs).
// The sandbox host runs in its own process; BIND in its own; the controller here.
import type { DNSProvider } from '../../src/api/dns-provider.js';
import type { KubeObject } from '../../src/api/meta.js';
import type { DNSEndpoint, Endpoint } from '../../src/api/multiclusterdns.js';
import { DNS_PROVIDER_FACTORIES } from '../../src/app/dns-providers.js';
import { packBatches, unitsOf } from '../../src/dns/publish/batches.js';
import type { Provider, ZoneChanges } from '../../src/dns/publish/provider.js';
import { PublishingController } from '../../src/dns/publish/publishing-controller.js';
import { sharesTargets } from '../../src/dns/publish/claims.js';
import { claimFor, sharedClaimFor } from '../../src/dns/publish/registry.js';
import { RESOURCE_LABEL } from '../../src/dns/plan.js';
import { DNS_ENDPOINTS } from '../../src/api/multiclusterdns.js';
import { DNS_PROVIDERS } from '../../src/api/dns-provider.js';
import { SECRETS as SECRETS_REF } from '../../src/api/kubernetes.js';
import { clusterClientFromKubeconfig } from '../../src/kube/cluster-client.js';
import type { ResourceRef } from '../../src/kube/resource.js';
import { startBind } from '../../src/sandbox/bind/start-bind.js';
import { installCrds } from '../../test/support/crds.js';
import { startSandboxProcess } from '../support/sandbox-process.js';

const NAMESPACES: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' };
const NS = 'kube-federation-system';

export interface PublishBenchOptions {
  records?: number;
  perObject?: number;
  edits?: number;
  quietMs?: number;
}

function ip(i: number): string {
  return `198.51.100.${(i % 250) + 1}`;
}

function endpointsOf(obj: number, perObject: number): Endpoint[] {
  return Array.from({ length: perObject }, (_, j) => ({ dnsName: `r${obj}-${j}.bench.example.com`, recordType: 'A' as const, recordTTL: 60, targets: [ip(obj * perObject + j)] }));
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

export async function runPublishBench(o: PublishBenchOptions = {}): Promise<void> {
  const records = o.records ?? 10_000;
  const perObject = o.perObject ?? 100;
  const objects = Math.ceil(records / perObject);
  const sbp = await startSandboxProcess(1);
  const bind = await startBind({ zones: [{ name: 'example.com' }] });
  const host = await clusterClientFromKubeconfig({ kubeconfigYaml: sbp.kubeconfigYaml, context: 'cluster-1', timeoutMs: 30_000 });
  const stop = new AbortController();
  let running: Promise<void> | undefined;
  try {
    await installCrds(host, 'crds/dns');
    await installCrds(host, 'crds/multiclusterdns');
    // In the KubeFed namespace: DNSEndpoints elsewhere are read only where kfed's records live (src/dns/ownership.ts).
    await host.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    for (let i = 0; i < objects; i++) {
      const obj: DNSEndpoint = { apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'DNSEndpoint', metadata: { name: `ep-${i}`, namespace: NS }, spec: { endpoints: endpointsOf(i, perObject) } };
      await host.dynamic.create(DNS_ENDPOINTS, obj);
    }
    await host.dynamic.create(SECRETS_REF, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tsig', namespace: NS }, data: { secret: Buffer.from(bind.tsig.secret).toString('base64') } } as KubeObject);

    // Count every request the adapter makes, and when each UPDATE leaves with which targets.
    const calls = { apply: 0, records: 0, zones: 0 };
    const sent: { at: number; targets: Set<string> }[] = [];
    let limits: Provider['limits'] | undefined;
    const factories = {
      rfc2136: (spec: DNSProvider['spec'], ctx: Parameters<NonNullable<typeof DNS_PROVIDER_FACTORIES.rfc2136>>[1]): Provider => {
        const inner = DNS_PROVIDER_FACTORIES.rfc2136!(spec, ctx);
        limits = inner.limits;
        return {
          type: inner.type, limits: inner.limits, adjust: (d) => inner.adjust(d), close: () => inner.close(),
          zones: (d, s) => (calls.zones++, inner.zones(d, s)),
          records: (z, s) => (calls.records++, inner.records(z, s)),
          apply: (z, c: ZoneChanges, s) => {
            calls.apply++;
            sent.push({ at: performance.now(), targets: new Set([...c.create, ...c.updateNew].flatMap((e) => e.targets)) });
            return inner.apply(z, c, s);
          },
        };
      },
    };
    const controller = new PublishingController({ host, kubefedNamespace: NS, factories, defaultOwnerId: 'bench', resyncMs: 3_600_000 });
    running = controller.start(stop.signal);
    const t0 = performance.now();
    const provider: DNSProvider = {
      apiVersion: 'dns.kfed.io/v1alpha1', kind: 'DNSProvider', metadata: { name: 'bind', namespace: NS },
      spec: { type: 'rfc2136', domains: ['example.com'], rfc2136: { server: bind.server, zone: 'example.com', tsigKeyName: bind.tsig.name, tsigAlgorithm: bind.tsig.algorithm, tsigSecretRef: { name: 'tsig', key: 'secret' } } },
    };
    await host.dynamic.create(DNS_PROVIDERS, provider);
    for (;;) {
      const p = await host.dynamic.get<DNSProvider>(DNS_PROVIDERS, 'bind', { namespace: NS });
      if ((p.status?.records ?? 0) >= objects * perObject) break;
      if (performance.now() - t0 > 600_000) throw new Error(`not published in 10 min: ${JSON.stringify(p.status)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const publishMs = performance.now() - t0;
    const initialUpdates = calls.apply;
    // The floor: how many UPDATEs the size limit needs for these changes (records + claims).
    // Claims name their source (external-dns/resource=...), as the pipeline writes them.
    const desired = Array.from({ length: objects }, (_, i) => endpointsOf(i, perObject).map((e) => ({ ...e, labels: { [RESOURCE_LABEL]: `dnsendpoint/bench/ep-${i}` } }))).flat();
    const all: ZoneChanges = { create: [...desired, ...desired.map((e) => (sharesTargets(e) ? sharedClaimFor(e, 'bench') : claimFor(e, 'bench')))], updateOld: [], updateNew: [], delete: [] };
    const floor = limits ? packBatches(unitsOf(all), limits).length : NaN;

    // Edit to wire: change one target per edit, time until an UPDATE carrying it is sent.
    const latencies: number[] = [];
    for (let k = 0; k < (o.edits ?? 40); k++) {
      const target = `203.0.113.${(k % 250) + 1}`;
      const name = `ep-${k % objects}`;
      const eps = endpointsOf(k % objects, perObject);
      eps[0] = { ...eps[0]!, targets: [target] };
      const before = sent.length;
      await host.dynamic.patch(DNS_ENDPOINTS, name, { spec: { endpoints: eps } }, { namespace: NS, type: 'merge' });
      const edited = performance.now();
      for (;;) {
        const hit = sent.slice(before).find((s) => s.targets.has(target));
        if (hit) {
          latencies.push(hit.at - edited);
          break;
        }
        if (performance.now() - edited > 10_000) throw new Error(`edit ${k} not sent within 10 s`);
        await new Promise((r) => setTimeout(r, 2));
      }
      await new Promise((r) => setTimeout(r, 50));
    }

    // Quiet period: nothing changes, so nothing should be sent or read.
    await new Promise((r) => setTimeout(r, 1000));
    const quietStart = { ...calls };
    await new Promise((r) => setTimeout(r, o.quietMs ?? 10_000));
    const quiet = calls.apply - quietStart.apply + calls.records - quietStart.records + calls.zones - quietStart.zones;

    console.log(`records published            ${objects * perObject} in ${objects} DNSEndpoints (+ ${objects * perObject} ownership TXT records)`);
    console.log(`time to publish all           ${(publishMs / 1000).toFixed(2)} s (${Math.round((objects * perObject) / (publishMs / 1000))} records/s)`);
    console.log(`UPDATE messages               ${initialUpdates} (floor from the size limit: ${floor}; zone reads ${calls.records}, zone lookups ${calls.zones})`);
    console.log(`edit -> UPDATE on the wire    p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${quantile(latencies, 0.99).toFixed(1)} ms over ${latencies.length} edits (goal p99 <= 1000 ms)`);
    console.log(`requests in ${((o.quietMs ?? 10_000) / 1000).toFixed(0)} s of quiet       ${quiet} (goal 0 between resyncs)`);
  } finally {
    stop.abort();
    await running;
    host.close();
    await bind.stop();
    await sbp.stop();
  }
}
