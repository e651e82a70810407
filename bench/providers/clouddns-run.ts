// Cloud DNS adapter benchmark, against the wire-level fake (test/support/clouddns-fake)
// on loopback through the real @google-cloud/dns client, OAuth exchange included. It
// measures the adapter; the pipeline's own figures (edit -> request through informers
// and plan) are bench/publish's. The fake runs in this process, so times include it.
//   1. publish 10,000 routed endpoints (2,500 names x 4 clusters: weighted, latency, geo
//      and failover names) and their 10,000 ownership TXT endpoints into an empty zone,
//      batches packed greedily with limits.fits under the quotas read from projects.get
//      (Cloud DNS's defaults: 100 additions, 100 deletions, 10,000 rrdata bytes a change):
//      changes.create calls against the fewest those quotas allow. Packed two ways: by
//      whole (name, type) groups, and endpoint by endpoint (a name split over two batches
//      is written twice, and the adapter splits a change that outgrew its estimate);
//   2. a restarted adapter reads the zone: rrsets.list calls; the read-back equals what
//      was written (no update needed), and a steady state makes 0 calls;
//   3. one-endpoint edits (a cluster's address changes): apply() latency p50/p99, calls per edit.
import { CloudDNSProvider } from '../../providers/clouddns/index.js';
import { endpointKey, type Endpoint } from '../../src/dns/endpoint.js';
import { needsUpdate } from '../../src/dns/plan.js';
import type { ProviderContext, ProviderZone, ZoneChanges } from '../../src/dns/publish/provider.js';
import { encodeRouting, type RoutingInput } from '../../src/dns/routing.js';
import { serviceAccountKey } from '../../test/support/clouddns-fake/credentials.js';
import { FakeCloudDNS } from '../../test/support/clouddns-fake/server.js';
import { rrdataBytes } from '../../test/support/clouddns-fake/store.js';

const SIGNAL = new AbortController().signal;
const ZONE: ProviderZone = { id: 'bench-zone', name: 'bench.example.com', visibility: 'public' };
const GREEDY_ZONE: ProviderZone = { id: 'greedy-zone', name: 'greedy.example.com', visibility: 'public' };
const REGIONS = ['us-east-1', 'eu-west-1', 'europe-west4', 'ap-southeast-1'];

export interface CloudDNSBenchOptions {
  names?: number;
  edits?: number;
}

function address(i: number): string {
  return `${['192.0.2', '198.51.100', '203.0.113'][i % 3]}.${(i % 250) + 1}`;
}

function routing(n: number, c: number): RoutingInput {
  const cluster = `cluster-${c + 1}`;
  const region = REGIONS[c];
  switch (n % 4) {
    case 0:
      return { policy: 'weighted', cluster, region, weight: c + 1 };
    case 1:
      return { policy: 'latency', cluster, region };
    case 2:
      return { policy: 'geo', cluster, region, geo: [['continent:EU'], ['continent:NA'], ['country:JP'], ['*']][c] };
    default:
      return { policy: 'failover', cluster, region, failover: c === 0 ? 'primary' : 'secondary' };
  }
}

function desiredRecords(names: number, domain = ZONE.name): Endpoint[] {
  const out: Endpoint[] = [];
  for (let n = 0; n < names; n++) {
    for (let c = 0; c < 4; c++) {
      const r = routing(n, c);
      const e: Endpoint = { dnsName: `svc${n}.${domain}`, recordType: 'A', recordTTL: 60, targets: [address(n * 4 + c)], setIdentifier: r.cluster, providerSpecific: encodeRouting(r) ?? [] };
      out.push(e, { ...e, dnsName: `a-${e.dnsName}`, recordType: 'TXT', targets: ['heritage=external-dns,external-dns/owner=kfed-bench,external-dns/resource=dnsendpoint/bench/svc'] });
    }
  }
  return out;
}

function context(key: string): ProviderContext {
  const quiet = (): void => {};
  return { providerName: 'bench', ownerId: 'kfed-bench', readSecret: async () => ({ 'credentials.json': key }), logger: { debug: quiet, info: quiet, warn: quiet } };
}

/** Greedy packing with limits.fits, as the pipeline does: one endpoint at a time, or one (name, type) group at a time. */
function pack(p: CloudDNSProvider, eps: readonly Endpoint[], byGroup: boolean): ZoneChanges[] {
  const units: Endpoint[][] = [];
  if (byGroup) {
    const groups = new Map<string, Endpoint[]>();
    for (const e of eps) {
      const k = `${e.dnsName}\u0000${e.recordType}`;
      groups.set(k, [...(groups.get(k) ?? []), e]);
    }
    units.push(...groups.values());
  } else units.push(...eps.map((e) => [e]));
  const batches: ZoneChanges[] = [];
  let cur: Endpoint[] = [];
  for (const unit of units) {
    const e = unit;
    const next = [...cur, ...unit];
    if (cur.length > 0 && !p.limits.fits({ create: next, updateOld: [], updateNew: [], delete: [] })) {
      batches.push({ create: cur, updateOld: [], updateNew: [], delete: [] });
      cur = [...e];
    } else cur = next;
  }
  if (cur.length > 0) batches.push({ create: cur, updateOld: [], updateNew: [], delete: [] });
  return batches;
}

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
}

const ms = (x: number): string => `${x.toFixed(1)} ms`;

export async function runCloudDNSBench(opts: CloudDNSBenchOptions = {}): Promise<Record<string, number>> {
  const names = opts.names ?? 2500;
  const fake = await new FakeCloudDNS({ project: 'kfed-bench', pageSize: 1000 }).start();
  try {
    fake.addZone({ name: ZONE.id, dnsName: `${ZONE.name}.` });
    fake.addZone({ name: GREEDY_ZONE.id, dnsName: `${GREEDY_ZONE.name}.` });
    const key = serviceAccountKey(fake);
    const spec = { project: fake.project, endpoint: fake.url, credentialsSecretRef: { name: 'gcp', key: 'credentials.json' } };
    const p = new CloudDNSProvider(spec, context(key));
    const desired = desiredRecords(names);

    // 1. Publish into an empty zone.
    await p.zones([ZONE.name], SIGNAL);
    await p.records(ZONE, SIGNAL);
    const t0 = performance.now();
    const batches = pack(p, desired, true);
    const packMs = performance.now() - t0;
    const applyMs: number[] = [];
    for (const b of batches) {
      const s = performance.now();
      await p.apply(ZONE, b, SIGNAL);
      applyMs.push(performance.now() - s);
    }
    const publishMs = performance.now() - t0;
    const written = fake.log.filter((r) => r.path.endsWith('/bench-zone/changes'));
    const additions = written.reduce((n, r) => n + ((r.body as { additions: unknown[] }).additions.length ?? 0), 0);
    const bytes = fake.store.list(ZONE.id).reduce((n, r) => n + rrdataBytes(r), 0);
    // The same records packed endpoint by endpoint, into a second zone.
    await p.records(GREEDY_ZONE, SIGNAL);
    const greedyDesired = desiredRecords(names, GREEDY_ZONE.name);
    const greedyBatches = pack(p, greedyDesired, false);
    for (const b of greedyBatches) await p.apply(GREEDY_ZONE, b, SIGNAL);
    const greedyChanges = fake.log.filter((r) => r.path.endsWith('/greedy-zone/changes')).length;
    const q = p.changeQuota;
    const fewest = Math.max(Math.ceil(additions / q.additions), Math.ceil(bytes / q.rrdataBytes));
    console.log(`publish ${desired.length} endpoints (${names} routed names x 4 clusters + ownership TXT): ${written.length} changes.create (fewest the quotas allow: ${fewest}); ${additions} record sets added (record sets + companions); ${(desired.length / written.length).toFixed(1)} endpoints per change`);
    console.log(`  time: ${ms(publishMs)} in all (packing ${ms(packMs)}); per change request p50 ${ms(percentile(applyMs, 50))}, p99 ${ms(percentile(applyMs, 99))}`);
    console.log(`  failed changes: ${written.filter((r) => r.status !== 200).length}; packed endpoint by endpoint instead: ${greedyBatches.length} batches sent as ${greedyChanges} changes.create`);

    // 2. A restarted adapter reads the zone; nothing to update; steady state.
    const restarted = new CloudDNSProvider(spec, context(key));
    const lists0 = fake.count('rrsets.list');
    const r0 = performance.now();
    const read = await restarted.records(ZONE, SIGNAL);
    const readMs = performance.now() - r0;
    const lists = fake.count('rrsets.list') - lists0;
    const byKey = new Map(read.map((e) => [endpointKey(e), e] as const));
    const stale = desired.filter((d) => {
      const cur = byKey.get(endpointKey(d));
      return !cur || needsUpdate(d, cur);
    }).length;
    const before = fake.log.length;
    const noop = desired.slice(0, 200);
    await restarted.apply(ZONE, { create: [], updateOld: noop, updateNew: noop, delete: [] }, SIGNAL);
    const steadyCalls = fake.log.length - before;
    console.log(`read back: ${read.length} endpoints from ${fake.store.list(ZONE.id).length} record sets in ${lists} rrsets.list calls (${ms(readMs)}); endpoints needing an update: ${stale}; calls at steady state: ${steadyCalls}`);

    // 3. One-endpoint edits.
    const edits = opts.edits ?? 200;
    const editMs: number[] = [];
    const c0 = fake.count('changes.create');
    for (let i = 0; i < edits; i++) {
      const old = desired[(i * 37 * 2) % desired.length] as Endpoint;
      const neu = { ...old, targets: [address(i + 7)] };
      if (neu.targets[0] === old.targets[0]) neu.targets = [address(i + 8)];
      const s = performance.now();
      await restarted.apply(ZONE, { create: [], updateOld: [old], updateNew: [neu], delete: [] }, SIGNAL);
      editMs.push(performance.now() - s);
      desired[(i * 37 * 2) % desired.length] = neu;
    }
    const editCalls = fake.count('changes.create') - c0;
    console.log(`${edits} one-endpoint edits: ${editCalls} changes.create (${(editCalls / edits).toFixed(2)} per edit), apply p50 ${ms(percentile(editMs, 50))}, p99 ${ms(percentile(editMs, 99))}`);
    await p.close();
    await restarted.close();
    return {
      endpoints: desired.length,
      changes: written.length,
      greedyChanges,
      fewestChanges: fewest,
      publishMs,
      changeP50Ms: percentile(applyMs, 50),
      changeP99Ms: percentile(applyMs, 99),
      listCalls: lists,
      staleAfterRead: stale,
      steadyCalls,
      editCallsPerEdit: editCalls / edits,
      editP50Ms: percentile(editMs, 50),
      editP99Ms: percentile(editMs, 99),
    };
  } finally {
    await fake.stop();
  }
}
