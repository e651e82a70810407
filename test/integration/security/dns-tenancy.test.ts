// Tenants cannot take over another's DNS name (issue 13 item 3, fixed by issue 18 item 1).
// The attacks of issue 13: a hand-written CNAME with TTL 86400 in a tenant namespace over
// go-app's name, and a routed candidate over it. Now the established answer stays, the
// attacker's object and go-app's (its DNSEndpoint and ServiceDNSRecord) carry the
// conflict, and Events say so. Answers are read over UDP from the embedded server the
// serving feed fills, and with dig where it is installed.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { promisify } from 'node:util';
import * as dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Condition, KubeObject } from '../../../src/api/meta.js';
import type { DNSEndpoint, ServiceDNSRecord } from '../../../src/api/multiclusterdns.js';
import { createEventRecorder } from '../../../src/clusters/events.js';
import { DNS_ENDPOINTS, EXTERNALDNS_ENDPOINTS, SERVICE_DNS_RECORDS } from '../../../src/api/multiclusterdns.js';
import { SERVICES } from '../../../src/api/kubernetes.js';
import { DnsServer } from '../../../src/dnsserver/index.js';
import { ServingFeed } from '../../../src/dnsserver/serving-feed.js';
import { requireTools } from '../../support/tools.js';
import { CLUSTERS, lbIp, N, NAMESPACES, startGoApp, until, type GoAppEnv } from '../dns/go-app-fixture.js';

const GO = `${N}.example.com`;
const EVENTS = { group: '', version: 'v1', resource: 'events', namespaced: true } as const;
let env: GoAppEnv;
let server: DnsServer;
let port: number;
let feed: ServingFeed;
let feedRun: Promise<void>;
const stopFeed = new AbortController();
let goAnswer: string[];

async function query(name: string): Promise<{ rcode: string; answers: string[] }> {
  const sock = dgram.createSocket('udp4');
  try {
    const msg = dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name, class: 'IN' }] });
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply for ${name}`)), 5000);
      sock.on('message', (buf) => { clearTimeout(timer); resolve(buf); });
      sock.send(msg, port, '127.0.0.1');
    });
    const p = dnsPacket.decode(reply);
    return { rcode: (p as { rcode?: string }).rcode ?? 'NOERROR', answers: (p.answers ?? []).map((a) => `${a.name} ${(a as { ttl?: number }).ttl} ${a.type} ${'data' in a ? String(a.data) : ''}`).sort() };
  } finally {
    sock.close();
  }
}

const condition = (o: KubeObject | undefined, type: string): Condition | undefined => ((o as { status?: { conditions?: Condition[] } } | undefined)?.status?.conditions ?? []).find((c) => c.type === type);

async function eventsFor(namespace: string, name: string): Promise<{ reason: string; message: string }[]> {
  const list = await env.host.dynamic.list(EVENTS, { namespace });
  return list.items.filter((e) => (e as any).involvedObject?.name === name).map((e) => ({ reason: (e as any).reason, message: (e as any).message }));
}

beforeAll(async () => {
  env = await startGoApp({ dns: (host) => ({ events: createEventRecorder({ client: host.dynamic, component: 'kfed-dns' }) }) });
  for (const c of ['tenant', 'stranger']) await env.host.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: c } });
  // The tenant runs a kfed record of its own, so its namespace is one DNSEndpoints are read from.
  await env.host.dynamic.create(SERVICE_DNS_RECORDS, { apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'ServiceDNSRecord', metadata: { name: 'web', namespace: 'tenant' }, spec: { domainRef: 'myfed' } } as ServiceDNSRecord);
  server = new DnsServer({ address: '127.0.0.1', port: 0, rateLimit: false });
  port = (await server.start()).udpPort;
  feed = new ServingFeed({ host: env.host, sink: server, debounceMs: 5 });
  feedRun = feed.start(stopFeed.signal);
  const ips = await Promise.all(CLUSTERS.map((c) => lbIp(env, c)));
  goAnswer = ips.map((ip) => `${GO} 30 A ${ip}`).sort();
  await until(async () => JSON.stringify((await query(GO)).answers) === JSON.stringify(goAnswer) || undefined, 20_000);
  await until(async () => (await env.host.dynamic.getIfExists(DNS_ENDPOINTS, 'service-web', { namespace: 'tenant' })) ?? undefined, 20_000);
}, 60_000);

afterAll(async () => {
  stopFeed.abort();
  await feedRun;
  await server?.close();
  await env?.close();
});

describe('DNS names belong to the source that published them first', () => {
  it('a CNAME with TTL 86400 over go-app\'s name in a tenant namespace is not served; both sides are told', async () => {
    await env.host.dynamic.create(EXTERNALDNS_ENDPOINTS, {
      apiVersion: 'externaldns.k8s.io/v1alpha1', kind: 'DNSEndpoint', metadata: { name: 'hijack', namespace: 'tenant' },
      spec: { endpoints: [
        { dnsName: GO, recordType: 'CNAME', targets: ['evil.example.net'], recordTTL: 86400 },
        { dnsName: 'tenant-own.example.com', recordType: 'A', targets: ['203.0.113.10'], recordTTL: 60 },
      ] },
    } as DNSEndpoint);
    // Its own free name is served: the feed has seen the object.
    await until(async () => (await query('tenant-own.example.com')).answers.join() === 'tenant-own.example.com 60 A 203.0.113.10' || undefined);
    expect((await query(GO)).answers).toEqual(goAnswer);
    const owner = await until(async () => {
      const ep = await env.host.dynamic.get<DNSEndpoint>(DNS_ENDPOINTS, 'service-go-app', { namespace: 'go-app' });
      return condition(ep, 'NameConflict') ? ep : undefined;
    });
    expect(condition(owner, 'NameConflict')).toMatchObject({ status: 'True', reason: 'NameContested' });
    expect(condition(owner, 'NameConflict')?.message).toContain('tenant/hijack');
    const record = await until(async () => {
      const r = await env.host.dynamic.get<ServiceDNSRecord>(SERVICE_DNS_RECORDS, 'go-app', { namespace: 'go-app' });
      return condition(r, 'NameConflict') ? r : undefined;
    });
    expect(condition(record, 'NameConflict')?.reason).toBe('NameContested');
    expect(condition(record, 'Valid')?.status).toBe('True');
    // external-dns's object: its status is external-dns's, so the loss is an Event.
    const ev = await until(async () => (await eventsFor('tenant', 'hijack')).find((e) => e.reason === 'NameOwned'));
    expect(ev.message).toContain(`${GO} (owned by DNSEndpoint go-app/service-go-app)`);
    expect((await eventsFor('go-app', 'service-go-app')).some((e) => e.reason === 'NameContested')).toBe(true);
  });

  it('a routed candidate over go-app\'s name is not served either; the attacker\'s DNSEndpoint says why', async () => {
    await env.host.dynamic.create(DNS_ENDPOINTS, {
      apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'DNSEndpoint', metadata: { name: 'geo-grab', namespace: 'tenant' },
      spec: { endpoints: [{ dnsName: GO, recordType: 'A', targets: ['203.0.113.66'], setIdentifier: 'cluster-9', recordTTL: 5,
        providerSpecific: [{ name: 'kfed.io/routing-policy', value: 'geo' }, { name: 'kfed.io/geo', value: '*' }] }] },
    } as DNSEndpoint);
    const grab = await until(async () => {
      const ep = await env.host.dynamic.get<DNSEndpoint>(DNS_ENDPOINTS, 'geo-grab', { namespace: 'tenant' });
      return condition(ep, 'NameConflict') ? ep : undefined;
    });
    expect(condition(grab, 'NameConflict')).toMatchObject({ status: 'True', reason: 'NameOwned' });
    expect(condition(grab, 'NameConflict')?.message).toContain('owned by DNSEndpoint go-app/service-go-app');
    expect((await query(GO)).answers).toEqual(goAnswer);
    expect(feed.snapshot?.names.get(GO)?.routed).toBeUndefined();
    const tools = requireTools('dig');
    if (tools) {
      const { stdout } = await promisify(execFile)(tools.dig, ['@127.0.0.1', '-p', String(port), GO, 'A', '+noall', '+answer']);
      const lines = stdout.trim().split('\n').map((l) => l.split(/\s+/));
      expect(lines.map((l) => l[4]).sort()).toEqual(goAnswer.map((a) => a.split(' ')[3]).sort());
      expect(lines.every((l) => l[1] === '30' && l[3] === 'A')).toBe(true);
    }
  });

  it('a second ServiceDNSRecord producing go-app\'s prefix name gets the conflict, not a merge', async () => {
    for (const c of CLUSTERS) {
      const client = env.clients[c]!;
      if (!(await client.dynamic.getIfExists(NAMESPACES, 'tenant'))) await client.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tenant' } });
      await client.dynamic.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'dup', namespace: 'tenant' }, spec: { type: 'LoadBalancer', selector: { app: 'dup' }, ports: [{ port: 80 }] } } as KubeObject);
    }
    await env.host.dynamic.create(SERVICE_DNS_RECORDS, { apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'ServiceDNSRecord', metadata: { name: 'dup', namespace: 'tenant' }, spec: { domainRef: 'myfed', dnsPrefix: 'go', recordTTL: 77, allowServiceWithoutEndpoints: true } } as ServiceDNSRecord);
    const dup = await until(async () => {
      const r = await env.host.dynamic.get<ServiceDNSRecord>(SERVICE_DNS_RECORDS, 'dup', { namespace: 'tenant' });
      return condition(r, 'NameConflict') ? r : undefined;
    }, 20_000);
    expect(condition(dup, 'NameConflict')).toMatchObject({ status: 'True', reason: 'NameOwned' });
    expect(condition(dup, 'NameConflict')?.message).toContain('go.example.com (owned by DNSEndpoint go-app/service-go-app)');
    const go = await query('go.example.com');
    expect(go.answers).toContain(`go.example.com 30 CNAME ${GO}`);
    expect(go.answers.filter((a) => a.includes(' 77 '))).toEqual([]);
  });

  it('a DNSEndpoint in a namespace without kfed records is not read at all', async () => {
    await env.host.dynamic.create(EXTERNALDNS_ENDPOINTS, {
      apiVersion: 'externaldns.k8s.io/v1alpha1', kind: 'DNSEndpoint', metadata: { name: 'stray', namespace: 'stranger' },
      spec: { endpoints: [{ dnsName: 'stray.example.com', recordType: 'A', targets: ['203.0.113.11'] }] },
    } as DNSEndpoint);
    const builds = feed.buildCount;
    await until(() => (feed.buildCount > builds ? true : undefined));
    expect((await query('stray.example.com')).rcode).toBe('NXDOMAIN');
  });

  it('when the attackers leave, go-app\'s conflict clears', async () => {
    await env.host.dynamic.delete(EXTERNALDNS_ENDPOINTS, 'hijack', { namespace: 'tenant' });
    await env.host.dynamic.delete(DNS_ENDPOINTS, 'geo-grab', { namespace: 'tenant' });
    await env.host.dynamic.delete(SERVICE_DNS_RECORDS, 'dup', { namespace: 'tenant' });
    await until(async () => !condition(await env.host.dynamic.get<DNSEndpoint>(DNS_ENDPOINTS, 'service-go-app', { namespace: 'go-app' }), 'NameConflict') || undefined);
    await until(async () => !condition(await env.host.dynamic.get<ServiceDNSRecord>(SERVICE_DNS_RECORDS, 'go-app', { namespace: 'go-app' }), 'NameConflict') || undefined);
    expect((await query(GO)).answers).toEqual(goAnswer);
  });
});
