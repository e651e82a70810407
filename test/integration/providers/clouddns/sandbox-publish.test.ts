// The go-app example published to Cloud DNS (the wire-level fake, through the real
// @google-cloud/dns and its OAuth exchange) by the whole pipeline on the sandbox: the
// DNSProvider and its Secret in the host cluster, the publishing controller, the
// renderer. Simple records with ownership TXT; then each routing policy folded into one
// record set; a member going NotReady leaves its item and returns; a record kfed does
// not own is untouched; deleting the record removes exactly kfed's record sets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoutingSpec } from '../../../../src/api/multiclusterdns.js';
import { SERVICE_DNS_RECORDS } from '../../../../src/api/multiclusterdns.js';
import { providerOf, secretOf, startPublishing, type RunningPublisher } from '../../../support/publishing.js';
import type { ResourceRecordSet } from '../../../../providers/clouddns/types.js';
import { serviceAccountKey } from '../../../support/clouddns-fake/credentials.js';
import { FakeCloudDNS } from '../../../support/clouddns-fake/server.js';
import { N, startGoApp, until, type GoAppEnv } from '../../dns/go-app-fixture.js';

const GLOBAL = `${N}.example.com.`;

describe('publishing the go-app example to Cloud DNS', () => {
  let env: GoAppEnv;
  let fake: FakeCloudDNS;
  let publisher: RunningPublisher;
  const manual: ResourceRecordSet = { name: 'manual.example.com.', type: 'A', ttl: 300, rrdatas: ['198.51.100.200'] };

  const global = (): ResourceRecordSet | undefined => fake.store.get('example-com', GLOBAL, 'A');
  /** Every address in the global record set, wherever the policy puts it. */
  const addresses = (r: ResourceRecordSet | undefined): string[] => [...new Set(JSON.stringify(r ?? {}).match(/\d+\.\d+\.\d+\.\d+/g) ?? [])].sort();

  beforeAll(async () => {
    env = await startGoApp();
    fake = await new FakeCloudDNS({ project: 'kfed-e2e' }).start();
    fake.addZone({ name: 'example-com', dnsName: 'example.com.' });
    fake.store.put('example-com', manual);
    publisher = await startPublishing(env.host, {
      secrets: [secretOf('gcp-creds', { 'credentials.json': serviceAccountKey(fake) })],
      providers: [providerOf('gcp', { type: 'clouddns', domains: ['example.com'], ownerId: 'kfed-e2e', cloudDNS: { project: 'kfed-e2e', endpoint: fake.url, credentialsSecretRef: { name: 'gcp-creds', key: 'credentials.json' }, zoneVisibility: 'public', healthCheck: 'https://www.googleapis.com/compute/v1/projects/kfed-e2e/global/healthChecks/go-app' } })],
    });
  }, 60_000);

  afterAll(async () => {
    await publisher?.stop();
    await fake?.stop();
    await env?.close();
  });

  it('publishes the simple records with ownership TXT, after a token exchange at the fake', async () => {
    const g = await until(() => (global()?.rrdatas?.length === 3 ? global() : undefined), 20_000, 100);
    expect(g?.routingPolicy).toBeUndefined();
    expect(fake.store.get('example-com', `a-${GLOBAL}`, 'TXT')?.rrdatas?.[0]).toContain('external-dns/owner=kfed-e2e');
    expect(fake.store.get('example-com', 'go.example.com.', 'CNAME')?.rrdatas).toEqual([GLOBAL]);
    expect(fake.count('token')).toBeGreaterThanOrEqual(1);
  });

  const policies: [string, RoutingSpec, (r: ResourceRecordSet) => boolean][] = [
    ['weighted', { policy: 'weighted', weights: { 'cluster-1': 2 } }, (r) => r.routingPolicy?.wrr?.items.map((i) => i.weight).join(',') === '2,1,1'],
    ['geo', { policy: 'geo', geo: { 'cluster-1': ['continent:NA', '*'], 'cluster-2': ['continent:EU'], 'cluster-3': ['continent:AS'] } }, (r) => (r.routingPolicy?.geo?.items.length ?? 0) >= 3],
    ['latency', { policy: 'latency' }, (r) => (r.routingPolicy?.geo?.items.length ?? 0) === 3],
    ['failover', { policy: 'failover', primary: ['cluster-1'] }, (r) => r.routingPolicy?.primaryBackup?.primaryTargets.externalEndpoints?.length === 1],
  ];
  for (const [name, routing, folded] of policies) {
    it(`${name}: one record set with an item per cluster`, async () => {
      await env.host.dynamic.patch(SERVICE_DNS_RECORDS, 'go-app', { spec: { routing } }, { namespace: 'go-app', type: 'merge' });
      const g = await until(() => {
        const r = global();
        return r && folded(r) && addresses(r).length === 3 ? r : undefined;
      }, 20_000, 100);
      expect(g.rrdatas).toBeUndefined();
      expect(fake.store.get('example-com', `_kfed-a.${GLOBAL}`, 'TXT')?.rrdatas).toHaveLength(3);
      // Settled: nothing more is written while nothing changes. The change for this policy may
      // still be finishing when its record set is visible (later when the machine is loaded):
      // wait for 1.5 s without a write, then none in the next 1.5 s either.
      let writes = fake.count('changes.create');
      await until(async () => {
        const before = writes;
        await new Promise((r) => setTimeout(r, 1_500));
        writes = fake.count('changes.create');
        return writes === before || undefined;
      }, 15_000, 0);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(fake.count('changes.create')).toBe(writes);
    }, 60_000);
  }

  it('withdraws a member that goes NotReady and brings it back', async () => {
    const before = addresses(global());
    env.members.setReady('cluster-2', false);
    const during = await until(() => (addresses(global()).length === 2 ? addresses(global()) : undefined), 20_000, 100);
    expect(before.filter((a) => !during.includes(a))).toHaveLength(1);
    env.members.setReady('cluster-2', true);
    await until(() => (addresses(global()).length === 3 ? true : undefined), 20_000, 100);
  });

  it('deleting the ServiceDNSRecord removes exactly kfed record sets', async () => {
    await env.host.dynamic.delete(SERVICE_DNS_RECORDS, 'go-app', { namespace: 'go-app' });
    const left = (): string[] => fake.store.list('example-com').filter((r) => r.name !== manual.name && r.type !== 'SOA' && r.type !== 'NS').map((r) => `${r.name} ${r.type}`);
    await until(() => (left().length === 0 ? true : undefined), 20_000, 100).catch((err: unknown) => {
      throw new Error(`still in the zone: ${left().join('; ')}`, { cause: err });
    });
    expect(fake.store.get('example-com', manual.name, 'A')).toEqual({ kind: 'dns#resourceRecordSet', ...manual });
    // Every change kfed sent was accepted as it was: no stale deletion, no rejection.
    const statuses = fake.log.filter((r) => r.path.endsWith('/changes')).map((r) => r.status);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});
