// Record lifecycle on the sandbox: validation problems become the Valid condition and
// never a half-written DNSEndpoint; a Domain created later is picked up; deleting a
// record removes its DNSEndpoint; IngressDNSRecords follow member Ingresses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Condition, KubeObject } from '../../../src/api/meta.js';
import type { DomainObject, IngressDNSRecord, ServiceDNSRecord } from '../../../src/api/multiclusterdns.js';
import { DOMAINS, INGRESS_DNS_RECORDS, SERVICE_DNS_RECORDS } from '../../../src/api/multiclusterdns.js';
import { INGRESSES } from '../../../src/api/kubernetes.js';
import type { ClusterClient } from '../../../src/kube/cluster-client.js';
import { CLUSTERS, NAMESPACES, getEndpoint, show, startGoApp, until, type GoAppEnv } from './go-app-fixture.js';

let env: GoAppEnv;

// Generous: three real API servers start here too (KFED_SANDBOX_BACKEND=real), on a loaded machine.
beforeAll(async () => {
  env = await startGoApp();
  await until(async () => (await getEndpoint(env))?.spec.endpoints.length === 9 || undefined, 60_000, 20);
}, 120_000);

afterAll(async () => {
  await env?.close();
});

const API = 'multiclusterdns.kubefed.io/v1alpha1';

async function validOf(name: string): Promise<Condition | undefined> {
  const r = await env.host.dynamic.get<ServiceDNSRecord>(SERVICE_DNS_RECORDS, name, { namespace: 'go-app' });
  return r.status?.observedGeneration === r.metadata.generation ? r.status?.conditions?.find((c) => c.type === 'Valid') : undefined;
}

describe('ServiceDNSRecord validation', () => {
  it('a bad TTL is a Valid=False condition and no DNSEndpoint is written', async () => {
    await env.host.dynamic.create(SERVICE_DNS_RECORDS, { apiVersion: API, kind: 'ServiceDNSRecord', metadata: { name: 'bad', namespace: 'go-app' }, spec: { domainRef: 'myfed', recordTTL: -5 } });
    const cond = await until(() => validOf('bad'));
    expect(cond).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(cond.message).toContain('spec.recordTTL');
    await new Promise((r) => setTimeout(r, 200));
    expect(await getEndpoint(env, 'service-bad')).toBeUndefined();
  });

  it('a valid record made invalid keeps its DNSEndpoint exactly as it was; fixing it resumes', async () => {
    const before = show(await getEndpoint(env));
    await env.host.dynamic.patch(SERVICE_DNS_RECORDS, 'go-app', { spec: { routing: { policy: 'failover' } } }, { namespace: 'go-app', type: 'merge' });
    const cond = await until(async () => ((await validOf('go-app'))?.status === 'False' ? validOf('go-app') : undefined));
    expect(cond?.message).toContain('primary');
    // a member change meanwhile must not leak into the DNSEndpoint either
    env.members.setReady('cluster-3', false);
    await new Promise((r) => setTimeout(r, 300));
    expect(show(await getEndpoint(env))).toEqual(before);
    env.members.setReady('cluster-3', true);
    await env.host.dynamic.patch(SERVICE_DNS_RECORDS, 'go-app', { spec: { routing: { policy: 'failover', primary: ['cluster-1'] } } }, { namespace: 'go-app', type: 'merge' });
    await until(async () => (await validOf('go-app'))?.status === 'True' || undefined);
    const routed = await until(async () => {
      const ep = await getEndpoint(env);
      // cluster-3 is Ready again: its set comes back too (on real API servers this takes a moment).
      const ids = new Set(ep?.spec.endpoints.filter((e) => e.dnsName === 'go-app.go-app.myfed.svc.example.com').map((e) => e.setIdentifier));
      return ids.has('cluster-1') && ids.has('cluster-3') ? ep : undefined;
    }, 30_000);
    const globals = routed.spec.endpoints.filter((e) => e.dnsName === 'go-app.go-app.myfed.svc.example.com');
    expect(globals.map((e) => [e.setIdentifier, e.providerSpecific?.find((p) => p.name === 'kfed.io/failover')?.value])).toEqual([
      ['cluster-1', 'primary'],
      ['cluster-2', 'secondary'],
      ['cluster-3', 'secondary'],
    ]);
    await env.host.dynamic.patch(SERVICE_DNS_RECORDS, 'go-app', { spec: { routing: null } }, { namespace: 'go-app', type: 'merge' });
    await until(async () => JSON.stringify(show(await getEndpoint(env))) === JSON.stringify(before) || undefined);
  });

  it('DomainNotFound until the Domain appears, then rendered under it', async () => {
    await env.host.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'late' } });
    await env.host.dynamic.create(SERVICE_DNS_RECORDS, { apiVersion: API, kind: 'ServiceDNSRecord', metadata: { name: 'go-app', namespace: 'late' }, spec: { domainRef: 'later' } });
    const get = async (): Promise<ServiceDNSRecord> => env.host.dynamic.get<ServiceDNSRecord>(SERVICE_DNS_RECORDS, 'go-app', { namespace: 'late' });
    const missing = await until(async () => (await get()).status?.conditions?.find((c) => c.type === 'Valid'));
    expect(missing).toMatchObject({ status: 'False', reason: 'DomainNotFound' });
    await env.host.dynamic.create(DOMAINS, { apiVersion: API, kind: 'Domain', metadata: { name: 'later', namespace: 'kube-federation-system' }, domain: 'example.org' });
    await until(async () => (await get()).status?.conditions?.find((c) => c.type === 'Valid' && c.status === 'True'));
    expect((await get()).status?.domain).toBe('example.org');
    // no member runs Service late/go-app: every cluster listed, no targets, so only CNAMEs
    const ep = await until(() => getEndpoint(env, 'service-go-app', 'late'));
    expect(ep.spec.endpoints.length).toBeGreaterThan(0);
    expect(ep.spec.endpoints.every((e) => e.recordType === 'CNAME' && e.dnsName.endsWith('.example.org'))).toBe(true);
  });

  it('Domains get a Valid condition', async () => {
    await env.host.dynamic.create(DOMAINS, { apiVersion: API, kind: 'Domain', metadata: { name: 'broken', namespace: 'kube-federation-system' }, domain: 'Not_A_Domain' });
    const validOfDomain = async (name: string): Promise<Condition | undefined> =>
      (await env.host.dynamic.get<DomainObject>(DOMAINS, name, { namespace: 'kube-federation-system' })).status?.conditions?.find((c) => c.type === 'Valid');
    expect(await until(() => validOfDomain('broken'))).toMatchObject({ status: 'False', reason: 'InvalidDomain' });
    expect(await until(() => validOfDomain('myfed'))).toMatchObject({ status: 'True', reason: 'SpecValid' });
  });

  it('deleting a record deletes its DNSEndpoint', async () => {
    await until(() => getEndpoint(env, 'service-go-app', 'late'));
    await env.host.dynamic.delete(SERVICE_DNS_RECORDS, 'go-app', { namespace: 'late' });
    await until(async () => ((await getEndpoint(env, 'service-go-app', 'late')) === undefined ? true : undefined));
  });
});

describe('IngressDNSRecord', () => {
  it('publishes the member Ingress addresses under each host and follows readiness', async () => {
    const ips: string[] = [];
    for (const name of CLUSTERS) {
      const c = env.clients[name] as ClusterClient;
      await c.dynamic.create(INGRESSES, {
        apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'go-app' },
        spec: { rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'go-app', port: { number: 80 } } } }] } }] },
      });
      const ingIp = await until(async () => {
        const ing = await c.dynamic.get<KubeObject>(INGRESSES, 'web', { namespace: 'go-app' });
        return (ing['status'] as { loadBalancer?: { ingress?: { ip?: string }[] } } | undefined)?.loadBalancer?.ingress?.[0]?.ip;
      });
      ips.push(ingIp);
    }
    const record: IngressDNSRecord = { apiVersion: API, kind: 'IngressDNSRecord', metadata: { name: 'web', namespace: 'go-app' }, spec: { hosts: ['web.example.com'], recordTTL: 60 } };
    await env.host.dynamic.create(INGRESS_DNS_RECORDS, record);
    const want = (list: string[]): string[] => [`web.example.com A ${[...list].sort().join(',')}`];
    await until(async () => JSON.stringify(show(await getEndpoint(env, 'ingress-web'))) === JSON.stringify(want(ips)) || undefined);
    env.members.setReady('cluster-1', false);
    await until(async () => JSON.stringify(show(await getEndpoint(env, 'ingress-web'))) === JSON.stringify(want(ips.slice(1))) || undefined);
    env.members.setReady('cluster-1', true);
    await until(async () => JSON.stringify(show(await getEndpoint(env, 'ingress-web'))) === JSON.stringify(want(ips)) || undefined);
  });
});
