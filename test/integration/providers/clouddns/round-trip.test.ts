// Folded on write, unfolded on read: for each policy, the record set the real client
// sends (exact change body) and the endpoints read back equal those written.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import { none, plain, routed, signal, startHarness, type Harness, HEALTH_CHECK } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.provider.close();
  await h.fake.stop();
});

function sorted(es: Endpoint[]): Endpoint[] {
  return [...es].sort((a, b) => `${a.dnsName}${a.recordType}${a.setIdentifier ?? ''}`.localeCompare(`${b.dnsName}${b.recordType}${b.setIdentifier ?? ''}`));
}

async function writeAndRead(endpoints: Endpoint[]): Promise<Endpoint[]> {
  await h.provider.records(h.zone, signal);
  await h.provider.apply(h.zone, { ...none, create: endpoints }, signal);
  const back = await h.provider.records(h.zone, signal);
  // The zone's own NS set is returned too (the plan ignores it); SOA is not an endpoint type.
  return back.filter((e) => e.recordType !== 'NS');
}

function lastChange(): unknown {
  const c = [...h.fake.log].reverse().find((r) => r.method === 'POST' && r.path.endsWith('/changes'));
  return c?.body;
}

describe('cloud DNS round trip through the real client', () => {
  it('plain records: exact additions, read back as written', async () => {
    const eps = [plain('www.example.com', ['192.0.2.10', '192.0.2.11']), plain('alias.example.com', ['www.example.com'], 'CNAME'), plain('txt.example.com', ['heritage=external-dns,external-dns/owner=kfed-test'], 'TXT')];
    expect(sorted(await writeAndRead(eps))).toEqual(sorted(eps));
    expect(lastChange()).toEqual({
      additions: [
        { name: 'www.example.com.', type: 'A', ttl: 180, rrdatas: ['192.0.2.10', '192.0.2.11'] },
        { name: 'alias.example.com.', type: 'CNAME', ttl: 180, rrdatas: ['www.example.com.'] },
        { name: 'txt.example.com.', type: 'TXT', ttl: 180, rrdatas: ['"heritage=external-dns,external-dns/owner=kfed-test"'] },
      ],
      deletions: [],
    });
  });

  it('weighted: one wrr record set with an item per cluster', async () => {
    const eps = [
      routed('go.example.com', ['192.0.2.1'], { policy: 'weighted', cluster: 'cluster-1', region: 'us-east-1', weight: 3 }),
      routed('go.example.com', ['198.51.100.1', '198.51.100.2'], { policy: 'weighted', cluster: 'cluster-2', region: 'eu-west-1', weight: 1 }),
    ];
    expect(sorted(await writeAndRead(eps))).toEqual(sorted(eps));
    const body = lastChange() as { additions: { routingPolicy?: unknown; name: string }[] };
    expect(body.additions[0]).toEqual({
      name: 'go.example.com.',
      type: 'A',
      ttl: 180,
      routingPolicy: { wrr: { items: [{ weight: 3, rrdatas: ['192.0.2.1'] }, { weight: 1, rrdatas: ['198.51.100.1', '198.51.100.2'] }] } },
    });
    expect(body.additions[1]?.name).toBe('_kfed-a.go.example.com.');
    expect(h.fake.store.list('example-com').filter((r) => r.name.includes('go.example.com'))).toHaveLength(2);
  });

  it('geo: items by the GCP region of each geo code; clusters sharing a region share its item', async () => {
    const eps = [
      routed('geo.example.com', ['192.0.2.1'], { policy: 'geo', cluster: 'cluster-1', region: 'us-east-1', geo: ['continent:NA', '*'] }),
      routed('geo.example.com', ['198.51.100.1'], { policy: 'geo', cluster: 'cluster-2', region: 'eu-west-1', geo: ['country:DE', 'continent:EU'] }),
      routed('geo.example.com', ['198.51.100.9'], { policy: 'geo', cluster: 'cluster-3', region: 'eu-central-1', geo: ['country:DE'] }),
    ];
    expect(sorted(await writeAndRead(eps))).toEqual(sorted(eps));
    const body = lastChange() as { additions: unknown[] };
    expect(body.additions[0]).toEqual({
      name: 'geo.example.com.',
      type: 'A',
      ttl: 180,
      routingPolicy: {
        geo: {
          items: [
            { location: 'europe-west1', rrdatas: ['198.51.100.1'] },
            { location: 'europe-west3', rrdatas: ['198.51.100.1', '198.51.100.9'] },
            { location: 'us-central1', rrdatas: ['192.0.2.1'] },
            { location: 'us-east4', rrdatas: ['192.0.2.1'] },
          ],
        },
      },
    });
  });

  it('latency: geo by each cluster region', async () => {
    const eps = [
      routed('lat.example.com', ['192.0.2.1'], { policy: 'latency', cluster: 'cluster-1', region: 'us-east-1', zones: ['us-east-1a', 'us-east-1b'] }),
      routed('lat.example.com', ['203.0.113.5'], { policy: 'latency', cluster: 'cluster-3', region: 'ap-southeast-1' }),
      routed('lat.example.com', ['2001:db8::5'], { policy: 'latency', cluster: 'cluster-3', region: 'ap-southeast-1' }, 'AAAA'),
    ];
    expect(sorted(await writeAndRead(eps))).toEqual(sorted(eps));
    const rr = h.fake.store.get('example-com', 'lat.example.com.', 'A');
    expect(rr?.routingPolicy).toEqual({ geo: { items: [{ location: 'asia-southeast1', rrdatas: ['203.0.113.5'] }, { location: 'us-east4', rrdatas: ['192.0.2.1'] }] } });
    expect(h.provider.adjust(eps).notes.join('\n')).toMatch(/no latency policy/);
  });

  it('failover: primaryBackup with the primaries as external endpoints checked by the configured health check, and a geo backup', async () => {
    // As the pipeline hands them over: adjusted (failover sets carry cloudDNS.healthCheck).
    const eps = h.provider.adjust([
      routed('fo.example.com', ['192.0.2.1'], { policy: 'failover', cluster: 'cluster-1', region: 'us-east-1', failover: 'primary' }),
      routed('fo.example.com', ['198.51.100.1'], { policy: 'failover', cluster: 'cluster-2', region: 'eu-west-1', failover: 'secondary' }),
      routed('fo.example.com', ['203.0.113.1'], { policy: 'failover', cluster: 'cluster-3', region: 'ap-southeast-1', failover: 'secondary' }),
    ]).endpoints;
    expect(sorted(await writeAndRead(eps))).toEqual(sorted(eps));
    expect(h.fake.store.get('example-com', 'fo.example.com.', 'A')?.routingPolicy).toEqual({
      primaryBackup: {
        primaryTargets: { externalEndpoints: ['192.0.2.1'] },
        backupGeoTargets: { items: [{ location: 'asia-southeast1', rrdatas: ['203.0.113.1'] }, { location: 'europe-west2', rrdatas: ['198.51.100.1'] }] },
        trickleTraffic: 0,
      },
      healthCheck: HEALTH_CHECK,
    });
  });

  it('failover without cloudDNS.healthCheck: geo by region, which Cloud DNS accepts (external endpoints need a health check)', async () => {
    const raw = [
      routed('fo2.example.com', ['192.0.2.1'], { policy: 'failover', cluster: 'cluster-1', region: 'us-east-1', failover: 'primary' }),
      routed('fo2.example.com', ['198.51.100.1'], { policy: 'failover', cluster: 'cluster-2', region: 'eu-west-1', failover: 'secondary' }),
    ];
    expect(sorted(await writeAndRead(raw))).toEqual(sorted(raw));
    expect(h.fake.store.get('example-com', 'fo2.example.com.', 'A')?.routingPolicy).toEqual({ geo: { items: [{ location: 'europe-west2', rrdatas: ['198.51.100.1'] }, { location: 'us-east4', rrdatas: ['192.0.2.1'] }] } });
  });

  it('ownership TXT records with routing fold like the records they own', async () => {
    const claim = 'heritage=external-dns,external-dns/owner=kfed-test,external-dns/resource=dnsendpoint/go-app/go-app';
    const eps = [
      routed('a-go.example.com', [claim], { policy: 'weighted', cluster: 'cluster-1', region: 'us-east-1', weight: 1 }, 'TXT'),
      routed('a-go.example.com', [claim], { policy: 'weighted', cluster: 'cluster-2', region: 'eu-west-1', weight: 1 }, 'TXT'),
    ];
    expect(sorted(await writeAndRead(eps))).toEqual(sorted(eps));
    expect(h.fake.store.get('example-com', 'a-go.example.com.', 'TXT')?.routingPolicy?.wrr?.items).toHaveLength(2);
  });

  it('a second read with nothing changed makes no change and the plan sees equal records', async () => {
    const eps = [routed('go.example.com', ['192.0.2.1'], { policy: 'weighted', cluster: 'cluster-1', weight: 2 })];
    await writeAndRead(eps);
    const changes = h.fake.count('changes.create');
    await h.provider.apply(h.zone, { ...none, updateOld: eps, updateNew: eps }, signal);
    expect(h.fake.count('changes.create')).toBe(changes);
  });
});
