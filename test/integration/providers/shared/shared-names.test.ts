// Shared address sets through the real provider SDKs: two kfed instances (two adapters,
// two owner ids) publish one plain name into one Route53 (our fake, and moto) or Cloud DNS
// zone through the zone publisher. Started at the same moment, one of them writes against a stale read
// and gets a conflict (never an overwrite); after a re-read both targets are there with
// both claims, neither finds anything to do, and each withdraws only its own target.
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import { parseClaim } from '../../../../src/dns/publish/claims.js';
import type { Provider, ProviderZone } from '../../../../src/dns/publish/provider.js';
import { ZonePublisher } from '../../../../src/dns/publish/zone-publisher.js';
import { systemClock } from '../../../../src/runtime/clock.js';
import { TokenBucket } from '../../../../src/runtime/rate-limiter.js';
import { createRoute53Provider } from '../../../../providers/route53/index.js';
import { TEST_SECRET, testContext } from '../../../support/route53-fake/context.js';
import { startMoto } from '../../../support/route53-fake/moto-server.js';
import { startRoute53Fake } from '../../../support/route53-fake/server.js';
import { requireTools } from '../../../support/tools.js';
import { CloudDNSProvider } from '../../../../providers/clouddns/index.js';
import { serviceAccountKey } from '../../../support/clouddns-fake/credentials.js';
import { context, HEALTH_CHECK, startHarness } from '../clouddns/harness.js';

const signal = new AbortController().signal;

interface Rig {
  adapters: [Provider, Provider];
  /** False where the server does not refuse a write against a stale read as the real service does. */
  staleChecked: boolean;
  zone: ProviderZone;
  stop: () => Promise<void>;
}

async function route53Rig(): Promise<Rig> {
  const fake = await startRoute53Fake({ accessKeyId: TEST_SECRET.AWS_ACCESS_KEY_ID });
  const z = fake.state.createZone('example.com');
  const make = (): Provider => createRoute53Provider({ endpoint: fake.endpoint, region: 'us-east-1', credentialsSecretRef: { name: 'aws' } }, testContext({ aws: TEST_SECRET }), { maxAttempts: 3, requestsPerSecond: 0 });
  const adapters: [Provider, Provider] = [make(), make()];
  return { adapters, staleChecked: true, zone: { id: z.id, name: 'example.com', visibility: 'public' }, stop: async () => { for (const a of adapters) await a.close(); await fake.stop(); } };
}

const moto = requireTools('moto_server');

async function motoRig(): Promise<Rig> {
  const server = await startMoto(moto?.moto_server ?? 'moto_server');
  const sdk = new Route53Client({ region: 'us-east-1', endpoint: server.endpoint, credentials: { accessKeyId: TEST_SECRET.AWS_ACCESS_KEY_ID, secretAccessKey: TEST_SECRET.AWS_SECRET_ACCESS_KEY } });
  const created = await sdk.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'kfed-shared' }));
  sdk.destroy();
  const id = (created.HostedZone?.Id ?? '').replace('/hostedzone/', '');
  const make = (): Provider => createRoute53Provider({ endpoint: server.endpoint, region: 'us-east-1', credentialsSecretRef: { name: 'aws' } }, testContext({ aws: TEST_SECRET }), { maxAttempts: 3, requestsPerSecond: 0 });
  const adapters: [Provider, Provider] = [make(), make()];
  return { adapters, staleChecked: false, zone: { id, name: 'example.com', visibility: 'public' }, stop: async () => { for (const a of adapters) await a.close(); await server.stop(); } };
}

async function cloudDNSRig(): Promise<Rig> {
  const h = await startHarness();
  // A second adapter (another kfed) on the same fake and zone.
  const other = new CloudDNSProvider(
    { project: h.fake.project, endpoint: h.fake.url, credentialsSecretRef: { name: 'gcp-creds', key: 'credentials.json' }, healthCheck: HEALTH_CHECK },
    context({ 'gcp-creds': { 'credentials.json': serviceAccountKey(h.fake) } }),
    { backoffMs: 10 },
  );
  return { adapters: [h.provider, other], staleChecked: true, zone: h.zone, stop: async () => { await h.provider.close(); await other.close(); await h.fake.stop(); } };
}

const go = (ips: string[], resource: string): Endpoint => ({ dnsName: 'go.example.com', recordType: 'A', recordTTL: 60, targets: ips, labels: { 'kfed.io/resource': resource } });
const EU = go(['192.0.2.10'], 'dnsendpoint/eu/go');
const US = go(['198.51.100.10'], 'dnsendpoint/us/go');

const RIGS: [string, () => Promise<Rig>][] = [['route53 (fake)', route53Rig], ...(moto ? [['route53 (moto)', motoRig] as [string, () => Promise<Rig>]] : []), ['clouddns (fake)', cloudDNSRig]];

describe.each(RIGS)('%s: two kfed instances share one plain name', (_name, rig) => {
  let r: Rig | undefined;
  afterEach(async () => {
    await r?.stop();
    r = undefined;
  });

  it('concurrent first writes conflict instead of overwriting; then union, steady, and each withdraws only its own', async () => {
    const current = await rig();
    r = current;
    const { adapters, zone } = current;
    const publisher = (i: 0 | 1): ZonePublisher => new ZonePublisher({ provider: adapters[i], zone, ownerId: i === 0 ? 'prod-eu' : 'prod-us', policy: 'sync', bucket: new TokenBucket(100, 100), clock: systemClock, baseDelayMs: 1 });
    const eu = publisher(0);
    const us = publisher(1);
    const read = async (): Promise<{ targets: string[]; owners: string[] }> => {
      const records = await adapters[0].records(zone, signal);
      const set = records.find((e) => e.dnsName === 'go.example.com' && e.recordType === 'A');
      const claims = records.find((e) => e.dnsName === 'a-go.example.com' && e.recordType === 'TXT');
      return { targets: [...(set?.targets ?? [])].sort(), owners: (claims?.targets ?? []).map((t) => parseClaim(t)?.owner ?? '?').sort() };
    };
    // moto accepts a CREATE of an existing set (AWS refuses it: "but it already exists"),
    // so there the two first writes go one after the other.
    const first = current.staleChecked ? await Promise.allSettled([eu.sync([EU], signal), us.sync([US], signal)]) : [await eu.sync([EU], signal).then((v) => ({ status: 'fulfilled', value: v }) as const)];
    const failed = first.filter((x) => x.status === 'rejected').map((x) => (x as PromiseRejectedResult).reason as { kind?: string });
    for (const f of failed) expect(f.kind).toBe('conflict');
    // A conflict drops the publisher's cache: its next pass re-reads and merges.
    await eu.sync([EU], signal);
    await us.sync([US], signal);
    expect(await read()).toEqual({ targets: ['192.0.2.10', '198.51.100.10'], owners: ['prod-eu', 'prod-us'] });
    expect(await publisher(0).sync([EU], signal)).toMatchObject({ applied: 0, conflicts: [], owned: 1 });
    expect(await publisher(1).sync([US], signal)).toMatchObject({ applied: 0, conflicts: [], owned: 1 });
    await publisher(0).sync([], signal);
    expect(await read()).toEqual({ targets: ['198.51.100.10'], owners: ['prod-us'] });
    await publisher(1).sync([], signal);
    expect(await read()).toEqual({ targets: [], owners: [] });
  }, 90_000); // the moto rig starts moto_server (Python, up to 30 s on a loaded machine) inside the test
});
