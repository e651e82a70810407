// Route53 adapter benchmark, against the wire-level fake on loopback through the real
// AWS SDK (test/support/route53-fake). What the adapter does; the publishing pipeline's
// own figures (edit -> request through informers and plan) are bench/publish's.
//   1. publish 10,000 routed records (2,500 names x 4 clusters: weighted, latency and
//      geo names) plus their 10,000 ownership TXT records into an empty zone, batches
//      packed greedily with limits.fits: ChangeResourceRecordSets calls vs the fewest
//      Route53's quotas allow (1,000 records and 32,000 value characters a call);
//   2. read the zone: ListResourceRecordSets calls vs ceil(record sets / 300), once;
//      zones() a second time: 0 ListHostedZones calls (cache); the read-back compares
//      equal to what was written (0 updates at steady state);
//   3. the same publish under a 5 requests/s budget (the fake throttles above it; the
//      adapter paces every request at 5/s by default): time to publish and read back;
//   4. one-record updates, not paced: apply() latency p50/p99;
//   5. 200 weighted records with managed health checks: health-check calls.
import { createRoute53Provider } from '../../providers/route53/index.js';
import type { Route53Provider } from '../../providers/route53/route53-provider.js';
import type { Endpoint } from '../../src/dns/endpoint.js';
import { endpointKey } from '../../src/dns/endpoint.js';
import { needsUpdate } from '../../src/dns/plan.js';
import type { ProviderZone, ZoneChanges } from '../../src/dns/publish/provider.js';
import { encodeRouting, type RoutingInput } from '../../src/dns/routing.js';
import { TEST_SECRET, testContext } from '../../test/support/route53-fake/context.js';
import { startRoute53Fake, type Route53Fake } from '../../test/support/route53-fake/server.js';

const SIGNAL = new AbortController().signal;
const NAMES = 2500;

function ip(i: number): string {
  return `${['192.0.2', '198.51.100', '203.0.113'][i % 3]}.${(i % 250) + 1}`;
}

/** 4 routed endpoints per name: weighted, latency and geo names in turn (failover merges clusters: see part 5). */
export function routedRecords(names = NAMES): Endpoint[] {
  const out: Endpoint[] = [];
  const policies: ((c: number) => RoutingInput)[] = [
    (c) => ({ policy: 'weighted', cluster: `c${c}`, weight: c + 1 }),
    (c) => ({ policy: 'latency', cluster: `c${c}`, region: ['us-east-1', 'eu-west-1', 'europe-west4', 'ap-southeast-1'][c] }),
    (c) => ({ policy: 'geo', cluster: `c${c}`, geo: [['continent:EU'], ['continent:NA'], ['country:JP'], ['*']][c] }),
    (c) => ({ policy: 'weighted', cluster: `c${c}`, weight: 10 * c }),
  ];
  for (let n = 0; n < names; n++) {
    const policy = policies[n % 4] as (c: number) => RoutingInput;
    for (let c = 0; c < 4; c++) {
      const r = policy(c);
      out.push({ dnsName: `svc${n}.bench.example.com`, recordType: 'A', recordTTL: 60, targets: [ip(n * 4 + c)], setIdentifier: r.cluster, providerSpecific: encodeRouting(r) ?? [] });
    }
  }
  return out;
}

function ownership(records: readonly Endpoint[]): Endpoint[] {
  return records.map((e) => ({ ...e, dnsName: `a-${e.dnsName}`, recordType: 'TXT', targets: ['heritage=external-dns,external-dns/owner=kfed-bench,external-dns/resource=dnsendpoint/bench/x'] }));
}

/** Greedy packing with limits.fits, as the pipeline does. */
function pack(p: Route53Provider, eps: readonly Endpoint[]): ZoneChanges[] {
  const out: ZoneChanges[] = [];
  let cur: Endpoint[] = [];
  for (const e of eps) {
    cur.push(e);
    if (!p.limits.fits({ create: cur, updateOld: [], updateNew: [], delete: [] })) {
      cur.pop();
      out.push({ create: cur, updateOld: [], updateNew: [], delete: [] });
      cur = [e];
    }
  }
  if (cur.length > 0) out.push({ create: cur, updateOld: [], updateNew: [], delete: [] });
  return out;
}

async function setup(opts: { paced?: boolean; healthChecks?: 'managed' | 'none' } = {}): Promise<{ fake: Route53Fake; p: Route53Provider; zone: ProviderZone }> {
  // Paced: the fake throttles above Route53's 5 requests/s and the adapter paces itself at 5/s.
  const fake = await startRoute53Fake(opts.paced ? { requestsPerSecond: 5 } : {});
  fake.state.createZone('example.com');
  const p = createRoute53Provider(
    { endpoint: fake.endpoint, credentialsSecretRef: { name: 'aws' }, healthChecks: opts.healthChecks ?? 'none' },
    testContext({ aws: TEST_SECRET }, 'kfed-bench'),
    opts.paced ? {} : { requestsPerSecond: 0 },
  ) as Route53Provider;
  const [zone] = await p.zones(['bench.example.com'], SIGNAL);
  if (!zone) throw new Error('bench: no zone');
  return { fake, p, zone };
}

function pct(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

export async function runRoute53Bench(names = NAMES): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  const log = (k: string, v: number, note = ''): void => {
    figures[k] = v;
    console.log(`${k.padEnd(40)} ${String(Math.round(v * 100) / 100).padStart(10)} ${note}`);
  };

  // 1 + 2: unpaced publish, read back.
  {
    const { fake, p, zone } = await setup();
    const adjusted = p.adjust(routedRecords(names)).endpoints;
    const all = [...adjusted, ...ownership(adjusted)];
    fake.resetCounts();
    const t0 = performance.now();
    const batches = pack(p, all);
    const packMs = performance.now() - t0;
    for (const b of batches) await p.apply(zone, b, SIGNAL);
    const publishMs = performance.now() - t0;
    log('routed records', adjusted.length);
    log('ownership records', adjusted.length);
    const txtChars = ownership(adjusted).reduce((n, e) => n + (e.targets[0]?.length ?? 0) + 2, 0);
    const fewest = Math.ceil(adjusted.length / 1000) + Math.max(Math.ceil(adjusted.length / 1000), Math.ceil(txtChars / 32_000));
    log('ChangeResourceRecordSets calls', fake.count('ChangeResourceRecordSets'), `(fewest by the quotas: ceil(${adjusted.length}/1000) for records + ceil(${txtChars} TXT chars/32000) = ${fewest}; by record count alone ${2 * Math.ceil(adjusted.length / 1000)})`);
    log('publish time unpaced (ms)', publishMs, `(packing with limits.fits: ${packMs.toFixed(0)} ms)`);
    const sets = fake.list(zone.id).length;
    fake.resetCounts();
    const t1 = performance.now();
    const read = await p.records(zone, SIGNAL);
    log('ListResourceRecordSets calls', fake.count('ListResourceRecordSets'), `(limit ceil(${sets}/300) = ${Math.ceil(sets / 300)})`);
    log('read zone time (ms)', performance.now() - t1);
    await p.zones(['bench.example.com'], SIGNAL);
    log('ListHostedZones calls, second zones()', fake.count('ListHostedZones'), '(cached)');
    const byKey = new Map(read.map((e) => [endpointKey(e), e]));
    const changed = all.filter((d) => { const c = byKey.get(endpointKey(d)); return !c || needsUpdate(d, c); }).length;
    log('records to rewrite at steady state', changed, '(goal 0: read-back equals written)');

    // 4: one-record updates.
    const lat: number[] = [];
    for (let i = 0; i < 100; i++) {
      const old = read.find((e) => e.dnsName === `svc${i * 4}.bench.example.com` && e.setIdentifier === 'c0');
      if (!old) continue;
      const next = { ...old, targets: [ip(i + 7)] };
      const s = performance.now();
      await p.apply(zone, { create: [], updateOld: [old], updateNew: [next], delete: [] }, SIGNAL);
      lat.push(performance.now() - s);
    }
    lat.sort((a, b) => a - b);
    log('one-record apply p50 (ms)', pct(lat, 0.5));
    log('one-record apply p99 (ms)', pct(lat, 0.99), '(goal <= 1000 when not paced)');
    await p.close();
    await fake.stop();
  }

  // 3: under a 5 requests/s budget.
  {
    const { fake, p, zone } = await setup({ paced: true });
    const adjusted = p.adjust(routedRecords(names)).endpoints;
    const batches = pack(p, [...adjusted, ...ownership(adjusted)]);
    await new Promise((r) => setTimeout(r, 1000)); // the fake's bucket refills after zones()
    fake.resetCounts();
    const t0 = performance.now();
    for (const b of batches) await p.apply(zone, b, SIGNAL);
    log('publish under 5 req/s (ms)', performance.now() - t0, `(${batches.length} change calls)`);
    await p.records(zone, SIGNAL);
    log('publish + read under 5 req/s (ms)', performance.now() - t0, `(${batches.length} change calls, ${fake.count('ListResourceRecordSets')} list calls)`);
    log('throttled responses under 5 req/s', [...fake.throttled.values()].reduce((a, b) => a + b, 0));
    await p.close();
    await fake.stop();
  }

  // 5: managed health checks.
  {
    const { fake, p, zone } = await setup({ healthChecks: 'managed' });
    const failover = Array.from({ length: 50 }, (_, n) => [0, 1, 2].map((c) => ({
      dnsName: `fo${n}.bench.example.com`, recordType: 'A' as const, recordTTL: 60, targets: [ip(n * 3 + c)], setIdentifier: `c${c}`,
      providerSpecific: encodeRouting({ policy: 'failover', cluster: `c${c}`, failover: c === 0 ? 'primary' : 'secondary' }) ?? [],
    }))).flat();
    const weighted = p.adjust([...routedRecords(100).filter((e) => e.providerSpecific?.some((x) => x.value === 'weighted')), ...failover]).endpoints;
    fake.resetCounts();
    const t0 = performance.now();
    for (const b of pack(p, weighted)) await p.apply(zone, b, SIGNAL);
    log('weighted + failover sets with checks', weighted.length, '(secondary sets of 2 clusters: 2 checks + CALCULATED)');
    log('CreateHealthCheck calls', fake.count('CreateHealthCheck'), '(one per target, one parent per multi-target set)');
    log('ChangeTagsForResource calls', fake.count('ChangeTagsForResource'));
    log('publish with health checks (ms)', performance.now() - t0);
    fake.resetCounts();
    await p.records(zone, SIGNAL);
    log('health-check calls per records()', fake.count('ListHealthChecks') + fake.count('ListTagsForResources') + fake.count('GetHealthCheck'), '(list pages; tags known from creation)');
    await p.close();
    await fake.stop();
  }
  return figures;
}

if (process.argv[1]?.endsWith('route53-run.ts')) {
  runRoute53Bench(Number(process.argv[2] ?? NAMES)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
