import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import { encodeRouting, type RoutingInput } from '../../../../src/dns/routing.js';
import { foldEndpoints, geoLocations, HEALTH_CHECK_PROPERTY, recordSetKey, unfold } from '../../../../providers/clouddns/fold.js';
import { decodeRouting } from '../../../../src/dns/routing.js';

function routed(targets: string[], r: RoutingInput, recordType: Endpoint['recordType'] = 'A', dnsName = 'go.example.com'): Endpoint {
  return { dnsName, recordType, recordTTL: 60, targets, setIdentifier: r.cluster, providerSpecific: encodeRouting(r) ?? [] };
}

const HC = 'https://www.googleapis.com/compute/v1/projects/p/global/healthChecks/fo';

/** As `adjust` hands failover endpoints over when cloudDNS.healthCheck is set. */
function checked(e: Endpoint): Endpoint {
  return { ...e, providerSpecific: [...(e.providerSpecific ?? []), { name: HEALTH_CHECK_PROPERTY, value: HC }].sort((a, b) => (a.name < b.name ? -1 : 1)) };
}

describe('fold', () => {
  const cases: { name: string; endpoints: Endpoint[]; policy: unknown }[] = [
    {
      name: 'weighted: wrr in set-identifier order',
      endpoints: [routed(['198.51.100.1'], { policy: 'weighted', cluster: 'b', weight: 0 }), routed(['192.0.2.1'], { policy: 'weighted', cluster: 'a', weight: 5 })],
      policy: { wrr: { items: [{ weight: 5, rrdatas: ['192.0.2.1'] }, { weight: 0, rrdatas: ['198.51.100.1'] }] } },
    },
    {
      name: 'geo: a country without its own region goes to its continent; * to the own region',
      endpoints: [routed(['192.0.2.1'], { policy: 'geo', cluster: 'a', region: 'westeurope', geo: ['country:GR', '*'] })],
      policy: { geo: { items: [{ location: 'europe-west1', rrdatas: ['192.0.2.1'] }, { location: 'europe-west4', rrdatas: ['192.0.2.1'] }] } },
    },
    {
      name: 'latency without a known region: the fallback region',
      endpoints: [routed(['192.0.2.1'], { policy: 'latency', cluster: 'a', region: 'mars-1' }), routed(['192.0.2.2'], { policy: 'latency', cluster: 'b', region: 'us-central1-a' })],
      policy: { geo: { items: [{ location: 'us-central1', rrdatas: ['192.0.2.1', '192.0.2.2'] }] } },
    },
    {
      name: 'failover with primaries only: geo by region',
      endpoints: [routed(['192.0.2.1'], { policy: 'failover', cluster: 'a', region: 'us-west-2', failover: 'primary' })],
      policy: { geo: { items: [{ location: 'us-west1', rrdatas: ['192.0.2.1'] }] } },
    },
    {
      name: 'failover CNAME: geo by region (primaryBackup is A/AAAA only)',
      endpoints: [
        routed(['lb-1.example.net'], { policy: 'failover', cluster: 'a', region: 'us-east-1', failover: 'primary' }, 'CNAME'),
        routed(['lb-2.example.net'], { policy: 'failover', cluster: 'b', region: 'eu-west-1' }, 'CNAME'),
      ],
      policy: { geo: { items: [{ location: 'europe-west2', rrdatas: ['lb-2.example.net.'] }, { location: 'us-east4', rrdatas: ['lb-1.example.net.'] }] } },
    },
    {
      name: 'failover AAAA with both roles and a health check: primaryBackup checked by it',
      endpoints: [
        checked(routed(['2001:db8::1', '2001:db8::2'], { policy: 'failover', cluster: 'a', region: 'us-east-1', failover: 'primary' }, 'AAAA')),
        checked(routed(['2001:db8::3'], { policy: 'failover', cluster: 'b', region: 'ap-northeast-1', failover: 'secondary' }, 'AAAA')),
      ],
      policy: {
        primaryBackup: { primaryTargets: { externalEndpoints: ['2001:db8::1', '2001:db8::2'] }, backupGeoTargets: { items: [{ location: 'asia-northeast1', rrdatas: ['2001:db8::3'] }] }, trickleTraffic: 0 },
        healthCheck: HC,
      },
    },
    {
      name: 'failover with both roles but no health check: geo by region (Cloud DNS checks external endpoints only with one)',
      endpoints: [
        routed(['192.0.2.1'], { policy: 'failover', cluster: 'a', region: 'us-east-1', failover: 'primary' }),
        routed(['198.51.100.1'], { policy: 'failover', cluster: 'b', region: 'eu-west-1', failover: 'secondary' }),
      ],
      policy: { geo: { items: [{ location: 'europe-west2', rrdatas: ['198.51.100.1'] }, { location: 'us-east4', rrdatas: ['192.0.2.1'] }] } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const f = foldEndpoints(c.endpoints);
      expect(f.rrset.routingPolicy).toEqual(c.policy);
      expect(f.rrset.ttl).toBe(60);
      expect(f.companion?.name).toBe(`_kfed-${c.endpoints[0]?.recordType.toLowerCase()}.go.example.com.`);
      // Unfolding gives back exactly the endpoints, in set-identifier order.
      const back = unfold(f.rrset, c.endpoints[0]?.recordType ?? 'A', f.companion);
      expect(back.foreign).toBe(false);
      expect(back.endpoints).toEqual([...c.endpoints].sort((a, b) => (a.setIdentifier ?? '').localeCompare(b.setIdentifier ?? '')));
    });
  }

  it('plain record sets have rrdatas and no companion', () => {
    const f = foldEndpoints([{ dnsName: 'www.example.com', recordType: 'MX', targets: ['10 mail.example.com'] }]);
    expect(f).toEqual({ rrset: { name: 'www.example.com.', type: 'MX', ttl: 300, rrdatas: ['10 mail.example.com.'] } });
    expect(unfold(f.rrset, 'MX').endpoints).toEqual([{ dnsName: 'www.example.com', recordType: 'MX', recordTTL: 300, targets: ['10 mail.example.com'] }]);
  });

  it('refuses a plain endpoint beside routed ones, and an endpoint without targets', () => {
    expect(() => foldEndpoints([{ dnsName: 'x.example.com', recordType: 'A', targets: ['192.0.2.1'] }, routed(['192.0.2.2'], { policy: 'weighted', cluster: 'a' }, 'A', 'x.example.com')])).toThrow(/plain record set/);
    expect(() => foldEndpoints([{ dnsName: 'x.example.com', recordType: 'A', targets: [] }])).toThrow(/no targets/);
  });

  it('a companion that no longer folds into the record set is ignored: items become endpoints', () => {
    const f = foldEndpoints([routed(['192.0.2.1'], { policy: 'weighted', cluster: 'a', weight: 2 }), routed(['192.0.2.2'], { policy: 'weighted', cluster: 'b' })]);
    const edited = structuredClone(f.rrset);
    if (edited.routingPolicy?.wrr?.items[0]) edited.routingPolicy.wrr.items[0].weight = 9;
    const back = unfold(edited, 'A', f.companion);
    expect(back.foreign).toBe(true);
    expect(back.endpoints.map((e) => [e.setIdentifier, e.targets])).toEqual([
      ['wrr/0', ['192.0.2.1']],
      ['wrr/1', ['192.0.2.2']],
    ]);
  });

  it('record-set keys ignore the order Cloud DNS lists items and data in', () => {
    const f = foldEndpoints([routed(['192.0.2.2', '192.0.2.1'], { policy: 'geo', cluster: 'a', geo: ['continent:EU', 'continent:AS'] })]);
    const shuffled = structuredClone(f.rrset);
    shuffled.routingPolicy?.geo?.items.reverse();
    shuffled.routingPolicy?.geo?.items.forEach((i) => i.rrdatas?.reverse());
    expect(recordSetKey(shuffled)).toBe(recordSetKey(f.rrset));
  });

  it('geo locations of a cluster', () => {
    const info = decodeRouting(routed(['192.0.2.1'], { policy: 'geo', cluster: 'a', region: 'eu-central-1', geo: ['continent:OC', 'country:JP', 'country:ZZ'] }));
    expect(geoLocations(info)).toEqual(['asia-northeast1', 'australia-southeast1']);
  });
});

describe('adjust notes', () => {
  it('say what latency and failover become and which clusters have no GCP region', async () => {
    const { routingNotes } = await import('../../../../providers/clouddns/notes.js');
    const notes = routingNotes([
      routed(['192.0.2.1'], { policy: 'latency', cluster: 'a', region: 'us-east-1' }, 'A', 'lat.example.com'),
      routed(['192.0.2.2'], { policy: 'latency', cluster: 'b', region: 'on-prem-1' }, 'A', 'lat.example.com'),
      checked(routed(['192.0.2.3'], { policy: 'failover', cluster: 'a', region: 'us-east-1', failover: 'primary' }, 'A', 'fo.example.com')),
      checked(routed(['192.0.2.4'], { policy: 'failover', cluster: 'b', region: 'eu-west-1' }, 'A', 'fo.example.com')),
      routed(['192.0.2.5'], { policy: 'failover', cluster: 'a', region: 'us-east-1', failover: 'primary' }, 'A', 'fo2.example.com'),
      routed(['192.0.2.6'], { policy: 'failover', cluster: 'b', region: 'eu-west-1' }, 'A', 'fo2.example.com'),
      routed(['x'], { policy: 'latency', cluster: 'a', region: 'us-east-1' }, 'TXT', 'a-lat.example.com'),
    ]);
    expect(notes).toEqual([
      "latency routing: Cloud DNS has no latency policy; 1 record set(s) use geo routing by each cluster's GCP region (queries go to the nearest region)",
      "failover routing: 1 record set(s) use primaryBackup with the primaries' addresses as health-checked external endpoints and the secondaries as a geo backup by region; kfed withdraws a stopped cluster's items itself",
      "failover routing: no cloudDNS.healthCheck is set, and Cloud DNS checks external endpoints only with one: 1 record set(s) use geo routing by region; kfed withdraws a stopped cluster's items itself",
      'clusters whose region has no GCP mapping use us-central1: b (on-prem-1)',
    ]);
  });
});
