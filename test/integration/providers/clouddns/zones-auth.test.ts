// Zone selection and credentials: the real client's OAuth exchange happens at the fake
// (no request leaves loopback), through a service-account key's token_uri or an
// external account's STS token_url; bad credentials and missing Secrets are classified.
import { afterEach, describe, expect, it } from 'vitest';
import { CloudDNSProvider } from '../../../../providers/clouddns/index.js';
import { isProviderError } from '../../../../src/dns/publish/provider.js';
import { externalAccount, serviceAccountKey } from '../../../support/clouddns-fake/credentials.js';
import { FakeCloudDNS } from '../../../support/clouddns-fake/server.js';
import { context, signal } from './harness.js';

let fake: FakeCloudDNS;
afterEach(async () => {
  await fake.stop();
});

function provider(creds: string, zoneVisibility?: 'public' | 'private' | 'any'): CloudDNSProvider {
  const spec = { project: fake.project, endpoint: fake.url, credentialsSecretRef: { name: 'gcp', key: 'credentials.json' }, ...(zoneVisibility ? { zoneVisibility } : {}) };
  return new CloudDNSProvider(spec, context({ gcp: { 'credentials.json': creds } }), { backoffMs: 10 });
}

describe('cloud DNS zones and credentials', () => {
  it('lists zones page by page, skips peering and forwarding zones, picks the most specific zone per domain', async () => {
    fake = await new FakeCloudDNS({ pageSize: 2 }).start();
    fake.addZone({ name: 'example-com', dnsName: 'example.com.' });
    fake.addZone({ name: 'eu-example-com', dnsName: 'eu.example.com.' });
    fake.addZone({ name: 'internal', dnsName: 'example.com.', visibility: 'private', privateVisibilityConfig: { networks: [] } });
    fake.addZone({ name: 'peered', dnsName: 'corp.example.com.', visibility: 'private', peeringConfig: { targetNetwork: {} } });
    fake.addZone({ name: 'forwarded', dnsName: 'fwd.example.com.', visibility: 'private', forwardingConfig: { targetNameServers: [] } });
    fake.addZone({ name: 'other-org', dnsName: 'example.org.' });
    const p = provider(serviceAccountKey(fake));
    expect(await p.zones(['eu.example.com', 'go.example.com'], signal)).toEqual([
      { id: 'eu-example-com', name: 'eu.example.com', visibility: 'public' },
      { id: 'example-com', name: 'example.com', visibility: 'public' },
    ]);
    expect(fake.count('managedZones.list')).toBe(3); // 6 zones, pages of 2
    const priv = provider(serviceAccountKey(fake), 'private');
    expect(await priv.zones(['corp.example.com'], signal)).toEqual([{ id: 'internal', name: 'example.com', visibility: 'private' }]);
    const any = provider(serviceAccountKey(fake), 'any');
    expect((await any.zones(['example.com'], signal)).map((z) => z.id)).toEqual(['example-com', 'internal']);
  });

  it('record sets are read page by page', async () => {
    fake = await new FakeCloudDNS({ pageSize: 7 }).start();
    fake.addZone({ name: 'example-com', dnsName: 'example.com.' });
    for (let i = 0; i < 30; i++) fake.store.put('example-com', { name: `h${i}.example.com.`, type: 'A', ttl: 60, rrdatas: [`192.0.2.${i}`] });
    const p = provider(serviceAccountKey(fake));
    const read = await p.records({ id: 'example-com', name: 'example.com' }, signal);
    expect(read.filter((e) => e.recordType === 'A')).toHaveLength(30);
    expect(fake.count('rrsets.list')).toBe(5); // 32 record sets with SOA and NS
  });

  it('a service-account key is exchanged at its token_uri with a verified JWT assertion', async () => {
    fake = await new FakeCloudDNS().start();
    fake.addZone({ name: 'example-com', dnsName: 'example.com.' });
    await provider(serviceAccountKey(fake)).zones([], signal);
    expect(fake.count('token')).toBe(1);
    expect(fake.oauth.grants).toEqual([{ grantType: 'urn:ietf:params:oauth:grant-type:jwt-bearer', subject: 'kfed-dns@kfed-test.iam.gserviceaccount.com', scope: expect.stringContaining('ndev.clouddns.readwrite') }]);
    expect(fake.log.every((r) => r.status !== 401)).toBe(true);
  });

  it('an external-account credential is exchanged at its STS token_url', async () => {
    fake = await new FakeCloudDNS({ subjectToken: 'subject-token-from-the-cluster' }).start();
    fake.addZone({ name: 'example-com', dnsName: 'example.com.' });
    expect(await provider(externalAccount(fake)).zones(['example.com'], signal)).toHaveLength(1);
    expect(fake.count('sts')).toBe(1);
    expect(fake.oauth.grants[0]?.grantType).toBe('urn:ietf:params:oauth:grant-type:token-exchange');
  });

  it('a key the token endpoint does not trust is an auth error; a missing Secret key is a config error', async () => {
    fake = await new FakeCloudDNS().start();
    const untrusted = JSON.parse(serviceAccountKey(fake)) as Record<string, string>;
    untrusted['client_email'] = 'stranger@kfed-test.iam.gserviceaccount.com';
    const err = await provider(JSON.stringify(untrusted)).zones([], signal).catch((e: unknown) => e);
    expect(isProviderError(err) && err.kind).toBe('auth');
    const missing = new CloudDNSProvider({ project: fake.project, endpoint: fake.url, credentialsSecretRef: { name: 'gcp', key: 'other.json' } }, context({ gcp: {} }));
    const err2 = await missing.zones([], signal).catch((e: unknown) => e);
    expect(isProviderError(err2) && err2.kind).toBe('config');
    const notJson = await provider('{not json').zones([], signal).catch((e: unknown) => e);
    expect(isProviderError(notJson) && notJson.kind).toBe('config');
  });

  it('a wrong project is an auth error; an unreachable endpoint is unavailable', async () => {
    fake = await new FakeCloudDNS().start();
    const p = new CloudDNSProvider({ project: 'someone-else', endpoint: fake.url, credentialsSecretRef: { name: 'gcp', key: 'k' } }, context({ gcp: { k: serviceAccountKey(fake) } }));
    const err = await p.zones([], signal).catch((e: unknown) => e);
    expect(isProviderError(err) && err.kind).toBe('auth');
    const url = fake.url;
    const key = serviceAccountKey(fake);
    await fake.stop();
    const down = new CloudDNSProvider({ project: 'kfed-test', endpoint: url, credentialsSecretRef: { name: 'gcp', key: 'k' } }, context({ gcp: { k: key } }), { timeoutMs: 2_000 });
    const err2 = await down.zones([], signal).catch((e: unknown) => e);
    expect(isProviderError(err2) && err2.kind).toBe('unavailable');
    fake = await new FakeCloudDNS().start();
  });
});
