// The Route53 adapter end to end against moto's Route53 server (a third-party
// implementation of the API). Where moto and AWS differ, the test follows AWS's
// documentation and says so. Skipped when moto_server is missing, except under CI
// (KFED_E2E_REQUIRED=1), where .ci/run installs it.
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoute53Provider } from '../../../../providers/route53/index.js';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import { endpointKey } from '../../../../src/dns/endpoint.js';
import { needsUpdate } from '../../../../src/dns/plan.js';
import type { Provider, ProviderZone } from '../../../../src/dns/publish/provider.js';
import { TEST_SECRET, testContext } from '../../../support/route53-fake/context.js';
import { startMoto, type MotoServer } from '../../../support/route53-fake/moto-server.js';
import { requireTools } from '../../../support/tools.js';
import { creates, health, plain, routed, SIGNAL } from './fixtures.js';

const tools = requireTools('moto_server');

describe.skipIf(!tools)('route53 provider against moto', () => {
  let moto: MotoServer;
  let provider: Provider;
  let zone: ProviderZone;

  beforeAll(async () => {
    moto = await startMoto(tools?.moto_server ?? 'moto_server');
    const sdk = new Route53Client({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: TEST_SECRET.AWS_ACCESS_KEY_ID, secretAccessKey: TEST_SECRET.AWS_SECRET_ACCESS_KEY } });
    await sdk.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'kfed-moto-1' }));
    await sdk.send(new CreateHostedZoneCommand({ Name: 'svc.example.com', CallerReference: 'kfed-moto-2' }));
    sdk.destroy();
    provider = createRoute53Provider({ endpoint: moto.endpoint, region: 'us-east-1', credentialsSecretRef: { name: 'aws' } }, testContext({ aws: TEST_SECRET }));
  }, 60_000);

  afterAll(async () => {
    await provider?.close();
    await moto?.stop();
  });

  it('discovers the most specific zone', async () => {
    const zones = await provider.zones(['example.com', 'app.svc.example.com'], SIGNAL);
    expect(zones.map((z) => z.name).sort()).toEqual(['example.com', 'svc.example.com']);
    zone = zones.find((z) => z.name === 'example.com') as ProviderZone;
  });

  it('publishes every policy and reads back what it wrote', async () => {
    const desired = provider.adjust([
      plain('www.example.com', 'A', ['192.0.2.1']),
      plain('a-www.example.com', 'TXT', ['heritage=external-dns,external-dns/owner=kfed-test']),
      routed('w.example.com', 'A', ['192.0.2.10'], { policy: 'weighted', cluster: 'eu', weight: 3 }, health('HTTP', 8080, '/healthz')),
      routed('w.example.com', 'A', ['198.51.100.10', '198.51.100.11'], { policy: 'weighted', cluster: 'us', weight: 1 }),
      routed('l.example.com', 'A', ['192.0.2.20'], { policy: 'latency', cluster: 'gke', region: 'europe-west1' }),
      routed('l.example.com', 'A', ['198.51.100.20'], { policy: 'latency', cluster: 'eks', region: 'us-west-2' }),
      routed('g.example.com', 'A', ['192.0.2.30'], { policy: 'geo', cluster: 'eu', geo: ['continent:EU', 'country:GB'] }),
      routed('g.example.com', 'A', ['198.51.100.30'], { policy: 'geo', cluster: 'rest', geo: ['*'] }),
      routed('f.example.com', 'A', ['192.0.2.40'], { policy: 'failover', cluster: 'main', failover: 'primary' }),
      routed('f.example.com', 'A', ['198.51.100.40'], { policy: 'failover', cluster: 'dr' }),
      routed('lb.example.com', 'CNAME', ['my-lb-1.eu-west-1.elb.amazonaws.com'], { policy: 'weighted', cluster: 'eks' }),
    ]).endpoints;
    await provider.apply(zone, creates(...desired), SIGNAL);
    const read = new Map((await provider.records(zone, SIGNAL)).map((e) => [endpointKey(e), e]));
    for (const d of desired) {
      const cur = read.get(endpointKey(d));
      expect(cur, endpointKey(d)).toBeDefined();
      expect(needsUpdate(d, cur as Endpoint), `${JSON.stringify(d)} vs ${JSON.stringify(cur)}`).toBe(false);
    }
  });

  it('rejects deleting a record that does not exist, naming it', async () => {
    // AWS also refuses to CREATE a record set that exists ("Tried to create resource
    // record set [...] but it already exists"); moto 5.2 accepts such a CREATE as an
    // UPSERT, so that case is tested against the fake only, which follows AWS. For a
    // missing record AWS answers InvalidChangeBatch "Tried to delete resource record set
    // [...] but it was not found"; moto answers InvalidInput "Expected exactly one of
    // [...] in Change with [Action=DELETE, Name=..., Type=...]". Both name the record.
    const gone = plain('gone.example.com', 'A', ['192.0.2.99']);
    await expect(provider.apply(zone, { create: [], updateOld: [], updateNew: [], delete: [gone] }, SIGNAL)).rejects.toMatchObject({ kind: 'rejected', rejected: [gone] });
  });

  it('updates and deletes, and collects the health checks it made', async () => {
    const read = await provider.records(zone, SIGNAL);
    const w = read.filter((e) => e.dnsName === 'w.example.com');
    expect(w).toHaveLength(2);
    await provider.apply(zone, { create: [], updateOld: [], updateNew: [], delete: [...w, ...read.filter((e) => e.dnsName === 'f.example.com')] }, SIGNAL);
    const after = await provider.records(zone, SIGNAL);
    expect(after.some((e) => e.dnsName === 'w.example.com' || e.dnsName === 'f.example.com')).toBe(false);
    const sdk = new Route53Client({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const { ListHealthChecksCommand } = await import('@aws-sdk/client-route-53');
    const left = await sdk.send(new ListHealthChecksCommand({}));
    sdk.destroy();
    expect(left.HealthChecks ?? []).toEqual([]);
  });
});
