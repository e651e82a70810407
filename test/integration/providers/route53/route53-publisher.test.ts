// The publishing pipeline's zone publisher (registry, plan, batches) driving the Route53
// adapter into the fake: what kfed renders lands, a second pass and a restarted kfed
// write nothing, a rejected record is isolated, records of others stay untouched.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRoute53Provider } from '../../../../providers/route53/index.js';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import { RESOURCE_LABEL } from '../../../../src/dns/plan.js';
import type { Provider, ProviderZone } from '../../../../src/dns/publish/provider.js';
import { ZonePublisher } from '../../../../src/dns/publish/zone-publisher.js';
import { systemClock } from '../../../../src/runtime/clock.js';
import { TokenBucket } from '../../../../src/runtime/rate-limiter.js';
import { TEST_SECRET, testContext } from '../../../support/route53-fake/context.js';
import { startRoute53Fake, type Route53Fake } from '../../../support/route53-fake/server.js';
import { health, plain, routed, SIGNAL } from './fixtures.js';

let fake: Route53Fake;
let zone: ProviderZone;
const providers: Provider[] = [];

function provider(): Provider {
  const p = createRoute53Provider({ endpoint: fake.endpoint, credentialsSecretRef: { name: 'aws' } }, testContext({ aws: TEST_SECRET }, 'prod'), { requestsPerSecond: 0 });
  providers.push(p);
  return p;
}

function publisher(p: Provider): ZonePublisher {
  return new ZonePublisher({ provider: p, zone, ownerId: 'prod', policy: 'sync', bucket: new TokenBucket(1000, 1000), clock: systemClock, baseDelayMs: 1 });
}

/** Desired endpoints of one source, as the pipeline prepares them (adjusted, labelled). */
function desired(p: Provider, eps: Endpoint[], resource = 'dnsendpoint/ns/go-app'): Endpoint[] {
  return p.adjust(eps).endpoints.map((e) => ({ ...e, labels: { [RESOURCE_LABEL]: resource } }));
}

const APP = [
  plain('go-app.example.com', 'CNAME', ['global.example.com']),
  routed('global.example.com', 'A', ['192.0.2.1'], { policy: 'weighted', cluster: 'c1', weight: 2, region: 'us-east-1', zones: ['us-east-1a'] }, health('HTTP', 8080, '/healthz')),
  routed('global.example.com', 'A', ['198.51.100.1'], { policy: 'weighted', cluster: 'c2', weight: 1, region: 'europe-west1' }, health('HTTP', 8080, '/healthz')),
  routed('lat.example.com', 'A', ['192.0.2.2'], { policy: 'latency', cluster: 'c1', region: 'us-east-1' }),
  routed('lat.example.com', 'A', ['198.51.100.2'], { policy: 'latency', cluster: 'c2', region: 'europe-west1' }),
  routed('geo.example.com', 'A', ['192.0.2.3'], { policy: 'geo', cluster: 'c1', geo: ['continent:NA', '*'] }),
  routed('geo.example.com', 'A', ['198.51.100.3'], { policy: 'geo', cluster: 'c2', geo: ['continent:EU'] }),
  routed('fo.example.com', 'A', ['192.0.2.4'], { policy: 'failover', cluster: 'c1', failover: 'primary' }),
  routed('fo.example.com', 'A', ['198.51.100.4'], { policy: 'failover', cluster: 'c2' }),
  routed('fo.example.com', 'A', ['203.0.113.4'], { policy: 'failover', cluster: 'c3' }),
];

beforeEach(async () => {
  fake = await startRoute53Fake();
  zone = { id: fake.state.createZone('example.com').id, name: 'example.com', visibility: 'public' };
});

afterEach(async () => {
  for (const p of providers.splice(0)) await p.close();
  await fake.stop();
});

describe('route53 adapter under the zone publisher', () => {
  it('publishes every policy with ownership, then writes nothing: second pass and restarted kfed', async () => {
    const p = provider();
    const want = desired(p, APP);
    const first = await publisher(p).sync(want, SIGNAL);
    expect(first.rejected).toEqual([]);
    expect(first.conflicts).toEqual([]);
    expect(first.programmed.size).toBe(want.length);
    // Every record has its ownership TXT with the same set identifier.
    const sets = fake.list(zone.id);
    const records = sets.filter((s) => s.type === 'A' || s.type === 'CNAME');
    const claims = sets.filter((s) => s.type === 'TXT');
    expect(claims.length).toBe(records.length);
    // Weighted c1 and c2: one each; failover primary: one; secondary (c2, c3): two and a CALCULATED parent.
    expect(fake.state.healthChecks.size).toBe(6);
    const pub = publisher(p);
    await pub.sync(want, SIGNAL);
    fake.resetCounts();
    const second = await pub.sync(want, SIGNAL);
    expect(second.applied).toBe(0);
    expect(second.requests).toBe(0);
    // A restarted kfed: a new provider and publisher read the zone and find nothing to do.
    const again = provider();
    const third = await publisher(again).sync(desired(again, APP), SIGNAL);
    expect(third.applied).toBe(0);
    expect(third.requests).toBe(0);
    expect(fake.count('ChangeResourceRecordSets')).toBe(0);
  });

  it('isolates a rejected record and publishes the rest; leaves records of others alone', async () => {
    const p = provider();
    fake.state.change(zone.id, [{ action: 'CREATE', set: { name: 'other.example.com.', type: 'A', ttl: 60, values: ['203.0.113.50'] } }]);
    const bad = plain('bad.example.com', 'A', ['192.0.2.300']);
    const result = await publisher(p).sync(desired(p, [...APP, bad]), SIGNAL);
    expect(result.rejected.map((r) => r.endpoint.dnsName)).toEqual(['bad.example.com']);
    expect(result.rejected[0]?.message).toContain('ARRDATAIllegalIPv4Address');
    expect(result.programmed.size).toBe(desired(p, APP).length);
    expect(fake.list(zone.id).find((s) => s.name === 'other.example.com.')?.values).toEqual(['203.0.113.50']);
  });

  it('withdraws a cluster and deletes everything when the source goes, health checks included', async () => {
    const p = provider();
    const pub = publisher(p);
    await pub.sync(desired(p, APP), SIGNAL);
    // c2 stops: its sets leave, the failover secondary keeps c3.
    await pub.sync(desired(p, APP.filter((e) => e.setIdentifier !== 'c2')), SIGNAL);
    const names = fake.list(zone.id).filter((s) => s.type === 'A').map((s) => `${s.name} ${s.setId ?? ''} ${s.values.join(',')}`);
    expect(names.some((n) => n.includes('198.51.100.'))).toBe(false);
    expect(names).toContain('fo.example.com. secondary 203.0.113.4');
    await pub.sync([], SIGNAL);
    expect(fake.list(zone.id).map((s) => s.type).sort()).toEqual(['NS', 'SOA']);
    expect(fake.state.healthChecks.size).toBe(0);
  });
});
