// The Route53 adapter through the real AWS SDK against the wire-level fake on loopback.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRoute53Provider } from '../../../../providers/route53/index.js';
import type { Route53Provider } from '../../../../providers/route53/route53-provider.js';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import { endpointKey } from '../../../../src/dns/endpoint.js';
import { needsUpdate } from '../../../../src/dns/plan.js';
import type { ProviderZone } from '../../../../src/dns/publish/provider.js';
import { TEST_SECRET, testContext } from '../../../support/route53-fake/context.js';
import { startRoute53Fake, type Route53Fake } from '../../../support/route53-fake/server.js';
import { creates, health, plain, routed, SIGNAL } from './fixtures.js';

let fake: Route53Fake;
let provider: Route53Provider;
let zone: ProviderZone;

function make(spec: Record<string, unknown> = {}, maxAttempts = 3): Route53Provider {
  return createRoute53Provider({ endpoint: fake.endpoint, region: 'us-east-1', credentialsSecretRef: { name: 'aws' }, ...spec }, testContext({ aws: TEST_SECRET }), { maxAttempts, requestsPerSecond: 0 }) as Route53Provider;
}

/** Writes desired (adjusted) endpoints, reads the zone back and checks the plan would not touch them. */
async function roundTrip(desired: Endpoint[]): Promise<Endpoint[]> {
  const adjusted = provider.adjust(desired).endpoints;
  await provider.apply(zone, creates(...adjusted), SIGNAL);
  const read = await provider.records(zone, SIGNAL);
  const byKey = new Map(read.map((e) => [endpointKey(e), e]));
  for (const d of adjusted) {
    const cur = byKey.get(endpointKey(d));
    expect(cur, `read back ${endpointKey(d)}`).toBeDefined();
    expect(needsUpdate(d, cur as Endpoint), `unchanged ${endpointKey(d)}: ${JSON.stringify(d)} vs ${JSON.stringify(cur)}`).toBe(false);
    expect(cur?.providerSpecific ?? []).toEqual(d.providerSpecific ?? []);
  }
  return adjusted;
}

beforeEach(async () => {
  fake = await startRoute53Fake({ accessKeyId: TEST_SECRET.AWS_ACCESS_KEY_ID });
  const z = fake.state.createZone('example.com');
  provider = make();
  zone = { id: z.id, name: 'example.com', visibility: 'public' };
});

afterEach(async () => {
  await provider.close();
  await fake.stop();
});

describe('route53 provider: zones', () => {
  it('picks the most specific public zone and the matching private zones, with filters', async () => {
    const sub = fake.state.createZone('svc.example.com');
    const priv = fake.state.createZone('example.com', { private: true });
    fake.state.createZone('other.org');
    const zones = await provider.zones(['app.svc.example.com', 'example.com'], SIGNAL);
    expect(zones.map((z) => `${z.name}/${z.visibility}`).sort()).toEqual(['example.com/private', 'example.com/public', 'svc.example.com/public']);
    expect(zones.find((z) => z.name === 'svc.example.com')?.id).toBe(sub.id);
    expect((await make({ zoneType: 'private' }).zones(['example.com'], SIGNAL)).map((z) => z.id)).toEqual([priv.id]);
    expect((await make({ zoneIds: [`/hostedzone/${zone.id}`] }).zones(['app.svc.example.com'], SIGNAL)).map((z) => z.id)).toEqual([zone.id]);
    // The zone list is cached: a second call lists nothing.
    const before = fake.count('ListHostedZones');
    await provider.zones(['example.com'], SIGNAL);
    expect(fake.count('ListHostedZones')).toBe(before);
  });
});

describe('route53 provider: change batches per policy', () => {
  it('simple A and TXT', async () => {
    await provider.apply(zone, creates(plain('www.example.com', 'A', ['192.0.2.1', '192.0.2.2']), plain('a-www.example.com', 'TXT', ['heritage=external-dns,external-dns/owner=kfed'])), SIGNAL);
    expect(fake.batches[0]?.changes).toEqual([
      { action: 'CREATE', set: { name: 'www.example.com.', type: 'A', ttl: 180, values: ['192.0.2.1', '192.0.2.2'] } },
      { action: 'CREATE', set: { name: 'a-www.example.com.', type: 'TXT', ttl: 180, values: ['"heritage=external-dns,external-dns/owner=kfed"'] } },
    ]);
  });

  it('weighted: Weight and SetIdentifier = cluster, a health check per cluster', async () => {
    const eps = provider.adjust([
      routed('app.example.com', 'A', ['192.0.2.10'], { policy: 'weighted', cluster: 'eu', weight: 3, region: 'eu-west-1' }),
      routed('app.example.com', 'A', ['198.51.100.10'], { policy: 'weighted', cluster: 'us', weight: 1 }, health('HTTP', 8080, '/healthz')),
    ]).endpoints;
    await provider.apply(zone, creates(...eps), SIGNAL);
    const changes = fake.batches[0]?.changes ?? [];
    expect(changes.map((c) => ({ ...c.set, healthCheckId: typeof c.set.healthCheckId }))).toEqual([
      { name: 'app.example.com.', type: 'A', ttl: 60, values: ['192.0.2.10'], setId: 'eu', weight: 3, healthCheckId: 'string' },
      { name: 'app.example.com.', type: 'A', ttl: 60, values: ['198.51.100.10'], setId: 'us', weight: 1, healthCheckId: 'string' },
    ]);
    const checks = [...fake.state.healthChecks.values()];
    expect(checks.map((c) => [c.type, c.ip, c.port, c.path ?? null]).sort()).toEqual([
      ['HTTP', '198.51.100.10', 8080, '/healthz'],
      ['TCP', '192.0.2.10', 80, null],
    ]);
    for (const c of checks) expect(fake.state.tags.get(c.id)?.get('kfed.io/owner')).toBe('kfed-test');
  });

  it('latency: Region is the AWS region (GCP and Azure regions mapped), clusters of one region merged', async () => {
    const eps = provider.adjust([
      routed('lat.example.com', 'A', ['192.0.2.20'], { policy: 'latency', cluster: 'gke', region: 'europe-west3' }),
      routed('lat.example.com', 'A', ['192.0.2.21'], { policy: 'latency', cluster: 'eks', region: 'eu-central-1' }),
      routed('lat.example.com', 'A', ['198.51.100.20'], { policy: 'latency', cluster: 'aks', region: 'eastus' }),
    ]).endpoints;
    await provider.apply(zone, creates(...eps), SIGNAL);
    expect(fake.batches[0]?.changes.map((c) => c.set)).toEqual([
      { name: 'lat.example.com.', type: 'A', ttl: 60, values: ['198.51.100.20'], setId: 'aks', region: 'us-east-1' },
      { name: 'lat.example.com.', type: 'A', ttl: 60, values: ['192.0.2.20', '192.0.2.21'], setId: 'eks+gke', region: 'eu-central-1' },
    ]);
  });

  it('geo: one set per location, `*` as the default', async () => {
    const eps = provider.adjust([
      routed('geo.example.com', 'A', ['192.0.2.30'], { policy: 'geo', cluster: 'eu', geo: ['continent:EU', 'country:GB'] }),
      routed('geo.example.com', 'A', ['198.51.100.30'], { policy: 'geo', cluster: 'us', geo: ['*'] }),
    ]).endpoints;
    await provider.apply(zone, creates(...eps), SIGNAL);
    expect(fake.batches[0]?.changes.map((c) => [c.set.setId, c.set.geo])).toEqual([
      ['eu/continent:EU', { continent: 'EU' }],
      ['eu/country:GB', { country: 'GB' }],
      ['us', { country: '*' }],
    ]);
  });

  it('failover: one PRIMARY set, the SECONDARY set built from the other clusters', async () => {
    const eps = provider.adjust([
      routed('fo.example.com', 'A', ['192.0.2.40'], { policy: 'failover', cluster: 'main', failover: 'primary' }),
      routed('fo.example.com', 'A', ['198.51.100.40'], { policy: 'failover', cluster: 'backup-a' }),
      routed('fo.example.com', 'A', ['198.51.100.41'], { policy: 'failover', cluster: 'backup-b' }),
    ]).endpoints;
    await provider.apply(zone, creates(...eps), SIGNAL);
    const sets = fake.batches[0]?.changes.map((c) => c.set) ?? [];
    expect(sets.map((s) => [s.setId, s.failover, s.values])).toEqual([
      ['primary', 'PRIMARY', ['192.0.2.40']],
      ['secondary', 'SECONDARY', ['198.51.100.40', '198.51.100.41']],
    ]);
    // Two targets: a check each and a CALCULATED parent attached to the set.
    const parent = fake.state.healthChecks.get(sets[1]?.healthCheckId ?? '');
    expect(parent?.type).toBe('CALCULATED');
    expect(parent?.children.map((id) => fake.state.healthChecks.get(id)?.ip).sort()).toEqual(['198.51.100.40', '198.51.100.41']);
  });

  it('a CNAME to an ELB becomes an alias A record in the ELB region hosted zone', async () => {
    const eps = provider.adjust([routed('lb.example.com', 'CNAME', ['k8s-app-123.elb.us-east-2.amazonaws.com'], { policy: 'weighted', cluster: 'us' })]).endpoints;
    expect(eps[0]?.recordTTL).toBeUndefined();
    await provider.apply(zone, creates(...eps), SIGNAL);
    expect(fake.batches[0]?.changes[0]?.set).toEqual({
      name: 'lb.example.com.', type: 'A', setId: 'us', weight: 1, values: [],
      alias: { zoneId: 'ZLMOA37VPKANP', dnsName: 'k8s-app-123.elb.us-east-2.amazonaws.com.', evaluate: true },
    });
  });
});

describe('route53 provider: records round trip', () => {
  it('every policy reads back to exactly what was written, TXT ownership records included', async () => {
    const owner = (e: Endpoint): Endpoint => ({ ...e, dnsName: `a-${e.dnsName}`, recordType: 'TXT', targets: ['heritage=external-dns,external-dns/owner=kfed-test,external-dns/resource=dnsendpoint/ns/x'] });
    const desired = [
      plain('www.example.com', 'A', ['192.0.2.1']),
      plain('*.wild.example.com', 'CNAME', ['www.example.com']),
      plain('v6.example.com', 'AAAA', ['2001:db8::1']),
      plain('long.example.com', 'TXT', ['x'.repeat(300)]),
      routed('w.example.com', 'A', ['192.0.2.10', '192.0.2.11'], { policy: 'weighted', cluster: 'eu', weight: 0, zones: ['eu-west-1a'] }, health('HTTPS', 8443, '/ready')),
      routed('w.example.com', 'A', ['198.51.100.10'], { policy: 'weighted', cluster: 'us', weight: 255 }),
      routed('l.example.com', 'A', ['192.0.2.20'], { policy: 'latency', cluster: 'gke', region: 'asia-northeast1' }),
      routed('g.example.com', 'A', ['192.0.2.30'], { policy: 'geo', cluster: 'eu', geo: ['continent:EU', 'country:CH'] }),
      routed('g.example.com', 'A', ['198.51.100.30'], { policy: 'geo', cluster: 'rest', geo: ['*'] }),
      routed('f.example.com', 'A', ['192.0.2.40'], { policy: 'failover', cluster: 'main', failover: 'primary' }, health('TCP', 443)),
      routed('f.example.com', 'A', ['198.51.100.40'], { policy: 'failover', cluster: 'dr' }),
      routed('lb.example.com', 'CNAME', ['dualstack.my-lb-1.eu-west-1.elb.amazonaws.com'], { policy: 'latency', cluster: 'eks', region: 'eu-west-1' }),
    ];
    const withOwners = [...desired, ...desired.filter((e) => e.setIdentifier).map(owner)];
    await roundTrip(withOwners);
    expect(fake.batches).toHaveLength(1);
  });
});

describe('route53 provider: updates and deletes', () => {
  it('a routing kind change is DELETE + CREATE in one batch; a weight change an UPSERT', async () => {
    const [w] = await roundTrip([routed('k.example.com', 'A', ['192.0.2.50'], { policy: 'weighted', cluster: 'eu', weight: 2 })]);
    const [cur] = await provider.records(zone, SIGNAL).then((r) => r.filter((e) => e.dnsName === 'k.example.com'));
    const reweighted = provider.adjust([routed('k.example.com', 'A', ['192.0.2.50'], { policy: 'weighted', cluster: 'eu', weight: 9 })]).endpoints;
    fake.batches.length = 0;
    await provider.apply(zone, { create: [], updateOld: [cur as Endpoint], updateNew: reweighted, delete: [] }, SIGNAL);
    expect(fake.batches[0]?.changes.map((c) => [c.action, c.set.weight])).toEqual([['UPSERT', 9]]);
    expect(w).toBeDefined();

    const [cur2] = await provider.records(zone, SIGNAL).then((r) => r.filter((e) => e.dnsName === 'k.example.com'));
    const latency = provider.adjust([routed('k.example.com', 'A', ['192.0.2.50'], { policy: 'latency', cluster: 'eu', region: 'eu-west-1' })]).endpoints;
    fake.batches.length = 0;
    await provider.apply(zone, { create: [], updateOld: [cur2 as Endpoint], updateNew: latency, delete: [] }, SIGNAL);
    expect(fake.batches[0]?.changes.map((c) => [c.action, c.set.weight ?? null, c.set.region ?? null])).toEqual([
      ['DELETE', 9, null],
      ['CREATE', null, 'eu-west-1'],
    ]);
    // The weighted set's health check went with it.
    expect(fake.state.healthChecks.size).toBe(0);
  });

  it('deletes exactly the record sets read (a geo endpoint of several locations included)', async () => {
    await roundTrip([routed('g.example.com', 'A', ['192.0.2.30'], { policy: 'geo', cluster: 'eu', geo: ['continent:EU', 'country:GB'] })]);
    const read = (await provider.records(zone, SIGNAL)).filter((e) => e.dnsName === 'g.example.com');
    expect(read).toHaveLength(1);
    await provider.apply(zone, { create: [], updateOld: [], updateNew: [], delete: read }, SIGNAL);
    expect(fake.list(zone.id).filter((s) => s.name === 'g.example.com.')).toEqual([]);
  });

  it('runs operations on one zone in the order they were asked for', async () => {
    const e = plain('order.example.com', 'A', ['192.0.2.77']);
    // The delete is asked for while the create is still in flight (held up by a throttled
    // first attempt that the SDK retries): it must wait for it.
    fake.throttle({ count: 1, ops: ['ChangeResourceRecordSets'] });
    await Promise.all([
      provider.apply(zone, creates(e), SIGNAL),
      provider.apply(zone, { create: [], updateOld: [], updateNew: [], delete: [e] }, SIGNAL),
    ]);
    expect(fake.batches.map((b) => b.changes.map((c) => c.action))).toEqual([['CREATE'], ['DELETE']]);
    expect(fake.list(zone.id).some((s) => s.name === 'order.example.com.')).toBe(false);
  });
});
