// Issue 5 on the sandbox: the go-app example renders the expected DNSEndpoint; a member
// going Offline (marked NotReady, as the health controller does) or scaling to zero
// turns its region/zone names into CNAMEs and drops its address from the global name
// within 1 s; recovery restores them; a second reconcile writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceDNSRecord } from '../../../src/api/multiclusterdns.js';
import { SERVICE_DNS_RECORDS } from '../../../src/api/multiclusterdns.js';
import type { ClusterClient } from '../../../src/kube/cluster-client.js';
import { formatStall, measureStalls } from '../../support/stall-meter.js';
import { CLUSTERS, DEPLOYMENTS, getEndpoint, lbIp, N, show, startGoApp, until, type GoAppEnv } from './go-app-fixture.js';

let env: GoAppEnv;
const ip: Record<string, string> = {};

beforeAll(async () => {
  env = await startGoApp();
  for (const c of CLUSTERS) ip[c] = await lbIp(env, c);
}, 30_000);

afterAll(async () => {
  await env?.close();
});

function healthy(): string[] {
  const all = [ip['cluster-1'], ip['cluster-2'], ip['cluster-3']].sort().join(',');
  return [
    `${N}.ap-southeast-1.example.com A ${ip['cluster-3']}`,
    `${N}.ap-southeast-1a.ap-southeast-1.example.com A ${ip['cluster-3']}`,
    `${N}.eu-west-1.example.com A ${ip['cluster-2']}`,
    `${N}.eu-west-1a.eu-west-1.example.com A ${ip['cluster-2']}`,
    `${N}.example.com A ${all}`,
    `${N}.us-east-1.example.com A ${ip['cluster-1']}`,
    `${N}.us-east-1a.us-east-1.example.com A ${ip['cluster-1']}`,
    `${N}.us-east-1b.us-east-1.example.com A ${ip['cluster-1']}`,
    'go.example.com CNAME go-app.go-app.myfed.svc.example.com',
  ];
}

/** Expected endpoints with one cluster unhealthy (its region has no other cluster). */
function without(cluster: 'cluster-2' | 'cluster-3'): string[] {
  const rest = CLUSTERS.filter((c) => c !== cluster).map((c) => ip[c]).sort().join(',');
  const region = cluster === 'cluster-2' ? 'eu-west-1' : 'ap-southeast-1';
  return healthy().map((line) => {
    if (line.startsWith(`${N}.${region}.example.com `)) return `${N}.${region}.example.com CNAME ${N}.example.com`;
    if (line.startsWith(`${N}.${region}a.${region}.example.com `)) return `${N}.${region}a.${region}.example.com CNAME ${N}.${region}.example.com`;
    if (line.startsWith(`${N}.example.com `)) return `${N}.example.com A ${rest}`;
    return line;
  });
}

async function waitFor(want: string[], ms = 10_000): Promise<void> {
  await until(async () => JSON.stringify(show(await getEndpoint(env))) === JSON.stringify(want) || undefined, ms, 2);
}

describe('go-app on the sandbox', () => {
  it('renders the expected DNSEndpoint, owned by the record, TTL 30', async () => {
    await waitFor(healthy());
    const ep = await getEndpoint(env);
    expect(ep?.spec.endpoints.every((e) => e.recordTTL === 30)).toBe(true);
    const record = await env.host.dynamic.get<ServiceDNSRecord>(SERVICE_DNS_RECORDS, 'go-app', { namespace: 'go-app' });
    expect(ep?.metadata.ownerReferences).toEqual([
      { apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'ServiceDNSRecord', name: 'go-app', uid: record.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(record.status?.domain).toBe('example.com');
    expect(record.status?.dns?.map((d) => [d.cluster, d.region, d.zones, d.loadBalancer?.ingress?.[0]?.ip])).toEqual([
      ['cluster-1', 'us-east-1', ['us-east-1a', 'us-east-1b'], ip['cluster-1']],
      ['cluster-2', 'eu-west-1', ['eu-west-1a'], ip['cluster-2']],
      ['cluster-3', 'ap-southeast-1', ['ap-southeast-1a'], ip['cluster-3']],
    ]);
    expect(record.status?.conditions?.find((c) => c.type === 'Valid')).toMatchObject({ status: 'True', reason: 'SpecValid' });
  });

  it('a second reconcile of everything makes zero writes', async () => {
    await waitFor(healthy());
    const host = env.sb.cluster('cluster-1');
    const before = host.counts.writes;
    const signal = new AbortController().signal;
    await env.dns.services.reconcile('go-app/go-app', signal);
    expect(await env.dns.endpoints.reconcile('service:go-app/go-app', signal)).toBe('unchanged');
    expect(host.counts.writes - before).toBe(0);
  });

  it('cluster-2 Offline: CNAMEs for its region and zone, gone from the global name within 1 s; back when it returns', async () => {
    await waitFor(healthy());
    await env.sb.cluster('cluster-2').stop();
    // What the health controller does once the Offline condition is set. Within 1 s of the
    // time this process could run (stalls of a loaded machine excluded, stall-meter.ts), and
    // within 10 s of wall time.
    const took = await measureStalls(async () => {
      env.members.setReady('cluster-2', false);
      await waitFor(without('cluster-2'), 10_000);
    });
    console.log(`[dns] cluster-2 NotReady -> DNSEndpoint updated in ${formatStall(took)}`);
    expect(took.activeMs).toBeLessThan(1000);

    await env.sb.cluster('cluster-2').start();
    env.members.setReady('cluster-2', true);
    await waitFor(healthy(), 10_000);
  });

  it('cluster-3 scaled to zero ready replicas: same as Offline for that cluster; scaling back restores', async () => {
    await waitFor(healthy());
    const c3 = env.clients['cluster-3'] as ClusterClient;
    const took = await measureStalls(async () => {
      await c3.dynamic.patch(DEPLOYMENTS, 'go-app', { spec: { replicas: 0 } }, { namespace: 'go-app', type: 'merge' });
      await waitFor(without('cluster-3'), 10_000);
    });
    console.log(`[dns] cluster-3 scaled to 0 -> DNSEndpoint updated in ${formatStall(took)}`);
    expect(took.activeMs).toBeLessThan(1000);
    await c3.dynamic.patch(DEPLOYMENTS, 'go-app', { spec: { replicas: 2 } }, { namespace: 'go-app', type: 'merge' });
    await waitFor(healthy(), 5000);
  });

  it('a DNSEndpoint edited by hand is put back', async () => {
    await waitFor(healthy());
    const ep = await getEndpoint(env);
    if (!ep) throw new Error('no DNSEndpoint');
    await env.host.dynamic.update(
      { group: 'multiclusterdns.kubefed.io', version: 'v1alpha1', resource: 'dnsendpoints', namespaced: true, kind: 'DNSEndpoint' },
      { ...ep, spec: { endpoints: [] } },
    );
    await waitFor(healthy(), 5000);
  });
});
