// The go-app example published to Route53 (the wire-level fake, through the real SDK)
// by the whole pipeline on the sandbox: simple records, then weighted routing with a
// set per cluster and managed health checks; a member going NotReady leaves and
// returns; a record kfed does not own is untouched; deleting the record removes
// exactly kfed's sets and health checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_DNS_RECORDS } from '../../../src/api/multiclusterdns.js';
import { providerOf, secretOf, startPublishing, type RunningPublisher } from '../../support/publishing.js';
import { TEST_SECRET } from '../../support/route53-fake/context.js';
import type { FakeRecordSet } from '../../support/route53-fake/record-set.js';
import { startRoute53Fake, type Route53Fake } from '../../support/route53-fake/server.js';
import { N, startGoApp, until, type GoAppEnv } from '../../integration/dns/go-app-fixture.js';

const GLOBAL = `${N}.example.com.`;

describe('publishing the go-app example to Route53', () => {
  let env: GoAppEnv;
  let fake: Route53Fake;
  let zoneId: string;
  let publisher: RunningPublisher;

  const sets = (name: string): FakeRecordSet[] => [...(fake.state.zones.get(zoneId)?.sets.values() ?? [])].filter((s) => s.name === name && s.type === 'A');

  beforeAll(async () => {
    env = await startGoApp();
    fake = await startRoute53Fake({ accessKeyId: TEST_SECRET.AWS_ACCESS_KEY_ID });
    zoneId = fake.state.createZone('example.com').id;
    fake.state.zones.get(zoneId)?.sets.set('manual', { name: 'manual.example.com.', type: 'A', ttl: 300, values: ['198.51.100.200'] });
    publisher = await startPublishing(env.host, {
      secrets: [secretOf('aws-creds', TEST_SECRET)],
      providers: [providerOf('aws', { type: 'route53', domains: ['example.com'], ownerId: 'kfed-e2e', route53: { endpoint: fake.endpoint, region: 'us-east-1', credentialsSecretRef: { name: 'aws-creds' }, healthChecks: 'managed' } })],
    });
  }, 60_000);

  afterAll(async () => {
    await publisher?.stop();
    await fake?.stop();
    await env?.close();
  });

  it('publishes the simple records with ownership TXT', async () => {
    const global = await until(() => (sets(GLOBAL)[0]?.values.length === 3 ? sets(GLOBAL)[0] : undefined), 20_000, 100);
    expect(global.setId).toBeUndefined();
    const claim = [...fake.state.zones.get(zoneId)!.sets.values()].find((s) => s.name === `a-${GLOBAL}` && s.type === 'TXT');
    expect(claim?.values[0]).toContain('external-dns/owner=kfed-e2e');
    const cname = [...fake.state.zones.get(zoneId)!.sets.values()].find((s) => s.name === 'go.example.com.' && s.type === 'CNAME');
    expect(cname?.values.map((v) => v.replace(/\.$/, ''))).toEqual([GLOBAL.slice(0, -1)]);
  });

  it('switches to weighted sets per cluster with managed health checks', async () => {
    await env.host.dynamic.patch(SERVICE_DNS_RECORDS, 'go-app', { spec: { routing: { policy: 'weighted', weights: { 'cluster-1': 2 } }, healthCheck: { protocol: 'HTTP', port: 80, path: '/' } } }, { namespace: 'go-app', type: 'merge' });
    const weighted = await until(() => {
      const s = sets(GLOBAL);
      return s.length === 3 && s.every((x) => x.setId && x.healthCheckId) ? s : undefined;
    }, 20_000, 100);
    expect(weighted.map((s) => `${s.setId}:${s.weight}`).sort()).toEqual(['cluster-1:2', 'cluster-2:1', 'cluster-3:1']);
    expect(fake.state.healthChecks.size).toBeGreaterThanOrEqual(3);
  });

  it('withdraws a member that goes NotReady and brings it back', async () => {
    env.members.setReady('cluster-2', false);
    await until(() => (sets(GLOBAL).length === 2 && !sets(GLOBAL).some((s) => s.setId === 'cluster-2') ? true : undefined), 20_000, 100);
    env.members.setReady('cluster-2', true);
    await until(() => (sets(GLOBAL).length === 3 ? true : undefined), 20_000, 100);
  });

  it('deleting the ServiceDNSRecord removes exactly kfed records and its health checks', async () => {
    await env.host.dynamic.delete(SERVICE_DNS_RECORDS, 'go-app', { namespace: 'go-app' });
    const left = (): string[] => [...fake.state.zones.get(zoneId)!.sets.values()].filter((s) => s.name !== 'manual.example.com.' && s.type !== 'SOA' && s.type !== 'NS').map((s) => `${s.name} ${s.type} ${s.setId ?? ''}`);
    await until(() => (left().length === 0 ? true : undefined), 20_000, 100).catch((err: unknown) => {
      throw new Error(`still in the zone: ${left().join('; ')}`, { cause: err });
    });
    expect(sets('manual.example.com.')[0]?.values).toEqual(['198.51.100.200']);
    await until(() => (fake.state.healthChecks.size === 0 ? true : undefined), 20_000, 100);
  });
});
