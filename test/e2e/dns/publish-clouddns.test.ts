// The go-app example published to Cloud DNS (the wire-level fake, through the real
// @google-cloud/dns with an OAuth token exchange on loopback) by the whole pipeline on
// the sandbox: simple records, then each routing policy folded into one record set per
// name and type; a member going NotReady leaves the routing items and returns; a record
// kfed does not own is untouched; deleting the record removes exactly kfed's sets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DNSProvider } from '../../../src/api/dns-provider.js';
import type { KubeObject } from '../../../src/api/meta.js';
import { DNS_PROVIDER_FACTORIES } from '../../../src/app/dns-providers.js';
import { PublishingController } from '../../../src/dns/publish/publishing-controller.js';
import { DNS_PROVIDERS, SECRETS_REF, SERVICE_DNS_RECORDS } from '../../../src/dns/resources.js';
import { serviceAccountKey } from '../../support/clouddns-fake/credentials.js';
import { FakeCloudDNS } from '../../support/clouddns-fake/server.js';
import { installCrds } from '../../support/crds.js';
import { N, startGoApp, until, type GoAppEnv } from '../../integration/dns/go-app-fixture.js';

const NS = 'kube-federation-system';
const GLOBAL = `${N}.example.com.`;

describe('publishing the go-app example to Cloud DNS', () => {
  let env: GoAppEnv;
  let fake: FakeCloudDNS;
  const stop = new AbortController();
  let running: Promise<void>;

  const rrset = (name: string, type = 'A') => fake.store.get('example-com', name, type);
  /** The addresses a set serves, over its plain rrdatas or every routing item. */
  const itemsOf = (name: string): string[] => {
    const r = rrset(name) as unknown as { rrdatas?: string[]; routingPolicy?: Record<string, { items?: { rrdatas?: string[] }[] } & Record<string, unknown>> } | undefined;
    if (!r) return [];
    if (r.rrdatas) return [...r.rrdatas].sort();
    const json = JSON.stringify(r.routingPolicy ?? {});
    return [...new Set(json.match(/\d+\.\d+\.\d+\.\d+/g) ?? [])].sort();
  };

  beforeAll(async () => {
    env = await startGoApp();
    fake = await new FakeCloudDNS().start();
    fake.addZone({ name: 'example-com', dnsName: 'example.com.', visibility: 'public' });
    fake.store.put('example-com', { name: 'manual.example.com.', type: 'A', ttl: 300, rrdatas: ['198.51.100.200'] });
    await installCrds(env.host, 'crds/dns');
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'gcp-creds', namespace: NS }, data: { 'credentials.json': Buffer.from(serviceAccountKey(fake)).toString('base64') } };
    await env.host.dynamic.create(SECRETS_REF, secret);
    const provider: DNSProvider = {
      apiVersion: 'dns.kfed.io/v1alpha1', kind: 'DNSProvider', metadata: { name: 'gcp', namespace: NS },
      spec: { type: 'clouddns', domains: ['example.com'], ownerId: 'kfed-e2e', cloudDNS: { project: fake.project, endpoint: fake.url, credentialsSecretRef: { name: 'gcp-creds', key: 'credentials.json' } } },
    };
    await env.host.dynamic.create(DNS_PROVIDERS, provider);
    const c = new PublishingController({ host: env.host, kubefedNamespace: NS, factories: DNS_PROVIDER_FACTORIES, resyncMs: 60_000 });
    running = c.start(stop.signal);
  }, 60_000);

  afterAll(async () => {
    stop.abort();
    await running;
    await fake?.stop();
    await env?.close();
  });

  it('publishes the simple records', async () => {
    const ips = await until(() => (itemsOf(GLOBAL).length === 3 ? itemsOf(GLOBAL) : undefined), 20_000, 100);
    expect(ips).toHaveLength(3);
    expect(rrset('go.example.com.', 'CNAME')?.rrdatas).toEqual([GLOBAL]);
  });

  for (const routing of [
    { policy: 'weighted', weights: { 'cluster-1': 2 } },
    { policy: 'geo', geo: { 'cluster-1': ['continent:NA', '*'], 'cluster-2': ['continent:EU'], 'cluster-3': ['continent:AS'] } },
    { policy: 'failover', primary: ['cluster-2'] },
  ] as const) {
    it(`folds ${routing.policy} routing into one record set with routing items`, async () => {
      await env.host.dynamic.patch(SERVICE_DNS_RECORDS, 'go-app', { spec: { routing } }, { namespace: 'go-app', type: 'merge' });
      const want = routing.policy === 'weighted' ? 'wrr' : routing.policy === 'geo' ? 'geo' : 'primaryBackup';
      const set = await until(() => {
        const r = rrset(GLOBAL) as unknown as { routingPolicy?: Record<string, unknown> } | undefined;
        return r?.routingPolicy?.[want] !== undefined && itemsOf(GLOBAL).length === 3 ? r : undefined;
      }, 20_000, 100);
      expect(Object.keys(set.routingPolicy ?? {})).toContain(want);
    });
  }

  it('a NotReady member leaves the routing items and returns', async () => {
    env.members.setReady('cluster-3', false);
    await until(() => (itemsOf(GLOBAL).length === 2 ? true : undefined), 20_000, 100);
    env.members.setReady('cluster-3', true);
    await until(() => (itemsOf(GLOBAL).length === 3 ? true : undefined), 20_000, 100);
  });

  it('deleting the ServiceDNSRecord removes exactly kfed records', async () => {
    await env.host.dynamic.delete(SERVICE_DNS_RECORDS, 'go-app', { namespace: 'go-app' });
    const left = (): string[] => fake.store.list('example-com').filter((r) => r.type !== 'SOA' && r.type !== 'NS' && r.name !== 'manual.example.com.').map((r) => `${r.name} ${r.type}`);
    await until(() => (left().length === 0 ? true : undefined), 20_000, 100).catch((err: unknown) => {
      throw new Error(`still in the zone: ${left().join('; ')}`, { cause: err });
    });
    expect(rrset('manual.example.com.')?.rrdatas).toEqual(['198.51.100.200']);
  });
});
