// Publishing to a real BIND9 over RFC2136: the go-app records (global, region, zone
// names and the dnsPrefix CNAME) land in named with external-dns ownership TXT records;
// a record kfed does not own stays; a member going NotReady is withdrawn and returns;
// deleting the ServiceDNSRecord removes exactly kfed's records; a wrong TSIG secret
// answers Ready=False and loses nothing; two kfed instances with different owner ids
// share a name target by target, and neither takes the other's CNAME.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DNSProvider } from '../../../src/api/dns-provider.js';
import type { KubeObject } from '../../../src/api/meta.js';
import type { DNSEndpoint } from '../../../src/api/multiclusterdns.js';
import { DNS_PROVIDER_FACTORIES } from '../../../src/app/dns-providers.js';
import { createEventRecorder } from '../../../src/clusters/events.js';
import { PublishingController } from '../../../src/dns/publish/publishing-controller.js';
import type { EndpointStatusWithProviders } from '../../../src/dns/publish/endpoint-status.js';
import { DNS_ENDPOINTS, SERVICE_DNS_RECORDS } from '../../../src/api/multiclusterdns.js';
import { DNS_PROVIDERS } from '../../../src/api/dns-provider.js';
import { SECRETS as SECRETS_REF } from '../../../src/api/kubernetes.js';
import { startBind, type RunningBind } from '../../../src/sandbox/bind/start-bind.js';
import { installCrds } from '../../support/crds.js';
import { requireTools } from '../../support/tools.js';
import { N, startGoApp, until, type GoAppEnv } from '../../integration/dns/go-app-fixture.js';

const tools = requireTools('named', 'dig');
const NS = 'kube-federation-system';
const EVENTS = { group: '', version: 'v1', resource: 'events', namespaced: true, kind: 'Event' } as const;

describe.skipIf(!tools)('publishing through RFC2136 to BIND9', () => {
  let env: GoAppEnv;
  let bind: RunningBind;
  const controllers: { c: PublishingController; stop: AbortController; run: Promise<void> }[] = [];

  const dig = (name: string, type = 'A'): string[] =>
    execFileSync(tools!.dig, ['@127.0.0.1', '-p', String(bind.port), '+tcp', '+short', '+time=5', '+tries=1', name, type], { encoding: 'utf8' })
      .split('\n').map((l) => l.trim()).filter(Boolean).sort();

  const provider = (name: string, extra: Partial<DNSProvider['spec']> = {}, secret = 'bind-tsig'): DNSProvider => ({
    apiVersion: 'dns.kfed.io/v1alpha1', kind: 'DNSProvider', metadata: { name, namespace: NS },
    spec: { type: 'rfc2136', domains: ['example.com'], rfc2136: { server: bind.server, zone: 'example.com', tsigKeyName: bind.tsig.name, tsigAlgorithm: bind.tsig.algorithm, tsigSecretRef: { name: secret, key: 'secret' } }, ...extra },
  });

  const secret = (name: string, value: string): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NS }, data: { secret: Buffer.from(value).toString('base64') } });

  function startPublisher(ownerId?: string): PublishingController {
    const events = createEventRecorder({ client: env.host.dynamic, component: 'dns-publishing' });
    const c = new PublishingController({ host: env.host, kubefedNamespace: NS, factories: DNS_PROVIDER_FACTORIES, resyncMs: 60_000, events, ...(ownerId ? { defaultOwnerId: ownerId } : {}) });
    const stop = new AbortController();
    controllers.push({ c, stop, run: c.start(stop.signal) });
    return c;
  }

  beforeAll(async () => {
    env = await startGoApp();
    bind = await startBind({ zones: [{ name: 'example.com', records: ['manual 300 IN A 198.51.100.200', 'manual 300 IN TXT "not kfed"'] }] });
    await installCrds(env.host, 'crds/dns');
    await env.host.dynamic.create(SECRETS_REF, secret('bind-tsig', bind.tsig.secret));
    await env.host.dynamic.create(DNS_PROVIDERS, provider('bind'));
    startPublisher();
  }, 60_000);

  afterAll(async () => {
    for (const { stop, run } of controllers) {
      stop.abort();
      await run;
    }
    await bind?.stop();
    await env?.close();
  });

  it('publishes the go-app records with ownership TXT records', async () => {
    const global = await until(() => {
      const a = dig(`${N}.example.com`);
      return a.length === 3 ? a : undefined;
    }, 20_000, 100);
    expect(global).toHaveLength(3);
    expect(dig(`${N}.eu-west-1.example.com`)).toHaveLength(1);
    expect(dig('go.example.com', 'CNAME')).toEqual([`${N}.example.com.`]);
    const claim = dig(`a-${N}.example.com`, 'TXT');
    expect(claim[0]).toMatch(/^"heritage=external-dns,external-dns\/owner=kfed-[0-9a-f]{10},external-dns\/resource=dnsendpoint\/go-app\/service-go-app,kfed.io\/ttl=\d+,kfed.io\/targets=[0-9. ]+"$/);
    expect(dig('manual.example.com')).toEqual(['198.51.100.200']);
  });

  it('reports Programmed on the DNSEndpoint and Ready on the DNSProvider', async () => {
    const ep = await until(async () => {
      const e = await env.host.dynamic.get<DNSEndpoint>(DNS_ENDPOINTS, 'service-go-app', { namespace: 'go-app' });
      const s = e.status as EndpointStatusWithProviders | undefined;
      return s?.conditions?.find((c) => c.type === 'Programmed' && c.status === 'True') ? e : undefined;
    }, 20_000, 100);
    const s = ep.status as EndpointStatusWithProviders;
    expect(s.providers?.[0]).toMatchObject({ name: 'bind', programmed: true, observedGeneration: ep.metadata.generation });
    const p = await env.host.dynamic.get<DNSProvider>(DNS_PROVIDERS, 'bind', { namespace: NS });
    expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(p.status?.records).toBeGreaterThan(3);
    expect(p.status?.notes?.length ?? 0).toBeGreaterThanOrEqual(0);
  });

  it('withdraws a member that goes NotReady and brings it back', async () => {
    const before = dig(`${N}.example.com`);
    env.members.setReady('cluster-2', false);
    await until(() => (dig(`${N}.example.com`).length === 2 ? true : undefined), 20_000, 100);
    expect(dig(`${N}.eu-west-1.example.com`, 'CNAME')).toEqual([`${N}.example.com.`]);
    env.members.setReady('cluster-2', true);
    await until(() => (JSON.stringify(dig(`${N}.example.com`)) === JSON.stringify(before) ? true : undefined), 20_000, 100);
  });

  it('a wrong TSIG secret gives Ready=False with the reason and changes nothing', async () => {
    await env.host.dynamic.create(SECRETS_REF, secret('bad-tsig', Buffer.alloc(32, 7).toString('base64')));
    await env.host.dynamic.create(DNS_PROVIDERS, provider('bad', { ownerId: 'bad-owner' }, 'bad-tsig'));
    const p = await until(async () => {
      const obj = await env.host.dynamic.get<DNSProvider>(DNS_PROVIDERS, 'bad', { namespace: NS });
      const ready = obj.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.status === 'False' ? obj : undefined;
    }, 20_000, 100);
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready?.reason).toBe('AuthFailed');
    expect(dig(`${N}.example.com`)).toHaveLength(3);
    await env.host.dynamic.delete(DNS_PROVIDERS, 'bad', { namespace: NS });
  });

  it('a second kfed instance with another owner id shares the address names target by target and cannot take the CNAME', async () => {
    // Two instances on one host, told apart by endpointSelector (on two hosts each would see its own DNSEndpoints).
    await env.host.dynamic.patch(DNS_PROVIDERS, 'bind', { spec: { endpointSelector: { matchExpressions: [{ key: 'kfed.io/instance', operator: 'DoesNotExist' }] } } }, { namespace: NS, type: 'merge' });
    const theirs: DNSEndpoint = {
      apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'DNSEndpoint', metadata: { name: 'other-go', namespace: 'go-app', labels: { 'kfed.io/instance': 'other' } },
      spec: { endpoints: [{ dnsName: `${N}.example.com`, recordType: 'A', recordTTL: 30, targets: ['203.0.113.77'] }, { dnsName: 'go.example.com', recordType: 'CNAME', targets: ['other.example.net'] }] },
    };
    await env.host.dynamic.create(DNS_ENDPOINTS, theirs);
    await env.host.dynamic.create(DNS_PROVIDERS, provider('other', { ownerId: 'other-kfed', endpointSelector: { matchLabels: { 'kfed.io/instance': 'other' } } }));
    await until(() => (dig(`${N}.example.com`).length === 4 ? true : undefined), 20_000, 100);
    expect(dig(`${N}.example.com`)).toContain('203.0.113.77');
    expect(dig('go.example.com', 'CNAME')).toEqual([`${N}.example.com.`]);
    const owners = (): string[] => dig(`a-${N}.example.com`, 'TXT').map((t) => /owner=([^,]+)/.exec(t)?.[1] ?? '?').sort();
    expect(owners()).toHaveLength(2);
    expect(owners()[0]).toMatch(/^kfed-[0-9a-f]{10}$/);
    expect(owners()[1]).toBe('other-kfed');
    const status = await until(async () => {
      const e = await env.host.dynamic.get<DNSEndpoint>(DNS_ENDPOINTS, 'other-go', { namespace: 'go-app' });
      const s = e.status as EndpointStatusWithProviders | undefined;
      return s?.providers?.some((x) => x.name === 'other') ? s : undefined;
    }, 20_000, 100);
    const entry = status.providers?.find((x) => x.name === 'other');
    expect(entry).toMatchObject({ programmed: false, records: 1 });
    expect(entry?.message).toContain('OwnedByOther');
    expect(status.conditions?.find((c) => c.type === 'Programmed')?.reason).toBe('Conflict');
    const event = await until(async () => {
      const list = await env.host.dynamic.list<KubeObject & { reason?: string; message?: string; involvedObject?: { name?: string } }>(EVENTS, { namespace: 'go-app' });
      return list.items.find((e) => e.reason === 'PublishConflict' && e.involvedObject?.name === 'other-go');
    }, 10_000, 100);
    expect(event.message).toContain('go.example.com');
    // The other instance's source goes away: its target leaves, kfed's stay.
    await env.host.dynamic.delete(DNS_ENDPOINTS, 'other-go', { namespace: 'go-app' });
    await until(() => (dig(`${N}.example.com`).length === 3 ? true : undefined), 20_000, 100);
    expect(dig(`${N}.example.com`)).not.toContain('203.0.113.77');
    expect(owners()).toHaveLength(1);
    await env.host.dynamic.delete(DNS_PROVIDERS, 'other', { namespace: NS });
  });

  it('a provider that goes down is Ready=False while the rest keeps running, and is republished when it returns', async () => {
    const { port, tsig } = bind;
    await bind.stop();
    // The DNS record controllers keep working: a member going NotReady still reaches the
    // DNSEndpoint, and the pass it starts finds the provider down.
    env.members.setReady('cluster-3', false);
    await until(async () => {
      const e = await env.host.dynamic.get<DNSEndpoint>(DNS_ENDPOINTS, 'service-go-app', { namespace: 'go-app' });
      const global = e.spec.endpoints.find((x) => x.dnsName === `${N}.example.com`);
      return global?.targets.length === 2 ? true : undefined;
    }, 20_000, 100);
    const down = await until(async () => {
      const obj = await env.host.dynamic.get<DNSProvider>(DNS_PROVIDERS, 'bind', { namespace: NS });
      return obj.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False') ? obj : undefined;
    }, 30_000, 100);
    expect(down.status?.conditions?.find((c) => c.type === 'Ready')?.reason).toBe('Unavailable');
    // BIND comes back empty on the same port with the same key: kfed re-reads the zone and republishes.
    bind = await startBind({ zones: [{ name: 'example.com', records: ['manual 300 IN A 198.51.100.200', 'manual 300 IN TXT "not kfed"'] }], port, key: tsig });
    await until(() => (dig(`${N}.example.com`).length === 2 ? true : undefined), 60_000, 200);
    env.members.setReady('cluster-3', true);
    await until(() => (dig(`${N}.example.com`).length === 3 ? true : undefined), 20_000, 100);
    await until(async () => {
      const obj = await env.host.dynamic.get<DNSProvider>(DNS_PROVIDERS, 'bind', { namespace: NS });
      return obj.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
    }, 20_000, 100);
  }, 120_000);

  it('deleting the ServiceDNSRecord removes exactly kfed records', async () => {
    await env.host.dynamic.delete(SERVICE_DNS_RECORDS, 'go-app', { namespace: 'go-app' });
    // The sandbox garbage-collects the owned DNSEndpoint; the publisher withdraws its records.
    await until(() => (dig(`${N}.example.com`).length === 0 && dig('go.example.com', 'CNAME').length === 0 ? true : undefined), 20_000, 100);
    expect(dig(`a-${N}.example.com`, 'TXT')).toEqual([]);
    expect(dig('manual.example.com')).toEqual(['198.51.100.200']);
    expect(dig('manual.example.com', 'TXT')).toEqual(['"not kfed"']);
  });
});
