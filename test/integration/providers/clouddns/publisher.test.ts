// The publishing pipeline's zone publisher (registry, plan, batches) driving the Cloud
// DNS adapter into the fake, with what kfed renders for go-app under each policy: it
// lands (folded, with its ownership TXT), a second pass and a restarted kfed write
// nothing, a stopped cluster leaves its routing item, records of others stay untouched.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterDNS, DomainObject, RoutingSpec, ServiceDNSRecord } from '../../../../src/api/multiclusterdns.js';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import { RESOURCE_LABEL } from '../../../../src/dns/plan.js';
import type { Provider } from '../../../../src/dns/publish/provider.js';
import { ZonePublisher } from '../../../../src/dns/publish/zone-publisher.js';
import { renderServiceEndpoints } from '../../../../src/dns/records/render-endpoints.js';
import { systemClock } from '../../../../src/runtime/clock.js';
import { TokenBucket } from '../../../../src/runtime/rate-limiter.js';
import { CloudDNSProvider } from '../../../../providers/clouddns/index.js';
import { serviceAccountKey } from '../../../support/clouddns-fake/credentials.js';
import { context, signal, startHarness, type Harness, HEALTH_CHECK } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.provider.close();
  await h.fake.stop();
});

const DOMAIN: DomainObject = { apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'Domain', metadata: { name: 'example', namespace: 'kube-federation-system' }, domain: 'example.com' };
const CLUSTERS: ClusterDNS[] = [
  { cluster: 'cluster-1', region: 'us-east-1', zones: ['us-east-1a', 'us-east-1b'], loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } },
  { cluster: 'cluster-2', region: 'eu-west-1', zones: ['eu-west-1a'], loadBalancer: { ingress: [{ ip: '198.51.100.10' }, { ip: '2001:db8::10' }] } },
  { cluster: 'cluster-3', region: 'ap-southeast-1', zones: ['ap-southeast-1a'], loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } },
];

function goApp(routing: RoutingSpec, clusters = CLUSTERS): Endpoint[] {
  const record: ServiceDNSRecord = {
    apiVersion: 'multiclusterdns.kubefed.io/v1alpha1',
    kind: 'ServiceDNSRecord',
    metadata: { name: 'go-app', namespace: 'go-app' },
    spec: { domainRef: 'example', recordTTL: 300, dnsPrefix: 'go', routing },
    status: { dns: clusters },
  };
  return renderServiceEndpoints(record, DOMAIN).endpoints;
}

function desired(p: Provider, eps: Endpoint[]): Endpoint[] {
  return p.adjust(eps).endpoints.map((e) => ({ ...e, labels: { [RESOURCE_LABEL]: 'dnsendpoint/go-app/go-app' } }));
}

function publisher(p: Provider): ZonePublisher {
  return new ZonePublisher({ provider: p, zone: h.zone, ownerId: 'kfed-test', policy: 'sync', bucket: new TokenBucket(1000, 1000), clock: systemClock, baseDelayMs: 1 });
}

const POLICIES: [string, RoutingSpec][] = [
  ['weighted', { policy: 'weighted', weights: { 'cluster-1': 3, 'cluster-2': 1 } }],
  ['geo', { policy: 'geo', geo: { 'cluster-1': ['continent:NA', '*'], 'cluster-2': ['continent:EU'], 'cluster-3': ['continent:AS', 'continent:OC'] } }],
  ['latency', { policy: 'latency' }],
  ['failover', { policy: 'failover', primary: ['cluster-1'] }],
];

describe('cloud DNS adapter under the zone publisher', () => {
  for (const [name, routing] of POLICIES) {
    it(`${name}: go-app lands folded, then nothing is written again; a stopped cluster leaves its item`, async () => {
      const foreign = { name: 'legacy.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.200'] };
      h.fake.store.put('example-com', foreign);
      const want = desired(h.provider, goApp(routing));
      const first = await publisher(h.provider).sync(want, signal);
      expect(first.rejected).toEqual([]);
      expect(first.conflicts).toEqual([]);
      expect(first.programmed.size).toBe(want.length);
      const global = h.fake.store.get('example-com', 'go-app.go-app.example.svc.example.com.', 'A');
      expect(global?.routingPolicy).toBeDefined();
      expect(h.fake.store.get('example-com', 'a-go-app.go-app.example.svc.example.com.', 'TXT')?.routingPolicy).toBeDefined();

      // A second pass, and a restarted kfed (new adapter and publisher), write nothing.
      const pub = publisher(h.provider);
      await pub.sync(want, signal);
      const changes = h.fake.count('changes.create');
      expect((await pub.sync(want, signal)).requests).toBe(0);
      const restarted = new CloudDNSProvider({ project: h.fake.project, endpoint: h.fake.url, credentialsSecretRef: { name: 's', key: 'k' }, healthCheck: HEALTH_CHECK }, context({ s: { k: serviceAccountKey(h.fake) } }));
      const again = await publisher(restarted).sync(desired(restarted, goApp(routing)), signal);
      expect(again.requests).toBe(0);
      expect(h.fake.count('changes.create')).toBe(changes);

      // cluster-3 stops: its item leaves the record set; the others stay.
      const without = desired(restarted, goApp(routing, CLUSTERS.slice(0, 2)));
      const after = await publisher(restarted).sync(without, signal);
      expect(after.rejected).toEqual([]);
      const read = await restarted.records(h.zone, signal);
      const sets = read.filter((e) => e.dnsName === 'go-app.go-app.example.svc.example.com' && e.recordType === 'A').map((e) => e.setIdentifier);
      expect(sets).toEqual(['cluster-1', 'cluster-2']);
      expect(JSON.stringify(h.fake.store.get('example-com', 'go-app.go-app.example.svc.example.com.', 'A'))).not.toContain('203.0.113.10');
      expect(h.fake.store.get('example-com', 'legacy.example.com.', 'A')).toEqual({ kind: 'dns#resourceRecordSet', ...foreign });
      await restarted.close();
    });
  }

  it('two kfed instances share one routed name, each owning its clusters, through stale re-reads', async () => {
    const other = new CloudDNSProvider({ project: h.fake.project, endpoint: h.fake.url, credentialsSecretRef: { name: 's', key: 'k' }, healthCheck: HEALTH_CHECK }, context({ s: { k: serviceAccountKey(h.fake) } }));
    const routing: RoutingSpec = { policy: 'weighted' };
    const usOnly = goApp(routing, CLUSTERS.slice(0, 1)).filter((e) => e.setIdentifier);
    const euOnly = goApp(routing, CLUSTERS.slice(1, 2)).filter((e) => e.setIdentifier);
    const us = new ZonePublisher({ provider: h.provider, zone: h.zone, ownerId: 'prod-us', policy: 'sync', bucket: new TokenBucket(1000, 1000), clock: systemClock, baseDelayMs: 1 });
    const eu = new ZonePublisher({ provider: other, zone: h.zone, ownerId: 'prod-eu', policy: 'sync', bucket: new TokenBucket(1000, 1000), clock: systemClock, baseDelayMs: 1 });
    await eu.sync(desired(other, euOnly), signal); // eu reads the zone first: its cache goes stale below
    expect((await us.sync(desired(h.provider, usOnly), signal)).rejected).toEqual([]);
    const statusesBefore = h.fake.log.length;
    const euChanged = euOnly.map((e) => (e.recordType === 'A' ? { ...e, targets: ['198.51.100.11'] } : e));
    const r = await eu.sync(desired(other, euChanged), signal);
    expect(r.rejected).toEqual([]);
    expect(h.fake.log.slice(statusesBefore).filter((l) => l.path.endsWith('/changes')).map((l) => l.status)).toEqual([412, 200]);
    const read = await other.records(h.zone, signal);
    const global = read.filter((e) => e.dnsName === 'go-app.go-app.example.svc.example.com' && e.recordType === 'A');
    expect(global.map((e) => [e.setIdentifier, e.targets])).toEqual([
      ['cluster-1', ['192.0.2.10']],
      ['cluster-2', ['198.51.100.11']],
    ]);
    // The claims say who owns which cluster.
    const claims = read.filter((e) => e.dnsName === 'a-go-app.go-app.example.svc.example.com').map((e) => [e.setIdentifier, e.targets[0]?.match(/owner=([^,]+)/)?.[1]]);
    expect(claims).toEqual([
      ['cluster-1', 'prod-us'],
      ['cluster-2', 'prod-eu'],
    ]);
    await other.close();
  });
});
