// Ownership between kfed and external-dns in one zone of a real BIND, each reading the other's TXT
// registry: kfed publishes go-app through its RFC2136 DNSProvider with ownerId kfed-a; external-dns
// (--txt-owner-id=external-dns-b, --policy=sync) publishes its own externaldns.k8s.io DNSEndpoint,
// which also asks for two of kfed's names. external-dns neither deletes nor changes kfed's records
// (it reads kfed's claims as foreign), kfed neither deletes nor changes external-dns's, and on a name
// both want the first owner keeps it while kfed reports the conflict on its DNSEndpoint's status and
// as a PublishConflict Event.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import type { DNSEndpoint } from '../../../src/api/multiclusterdns.js';
import type { EndpointStatusWithProviders } from '../../../src/dns/publish/endpoint-status.js';
import { DNS_ENDPOINTS, EXTERNALDNS_ENDPOINTS } from '../../../src/api/multiclusterdns.js';
import type { RunningBind } from '../../../src/sandbox/bind/start-bind.js';
import { digShort, digZone, startTestBind, type BindTools } from '../../support/bind/index.js';
import { providerOf, secretOf, startPublishing, type RunningPublisher } from '../../support/publishing.js';
import { startupMs } from '../../support/sandbox-backend.js';
import { requireTools } from '../../support/tools.js';
import { N, NAMESPACES, startGoApp, until, type GoAppEnv } from '../../integration/dns/go-app-fixture.js';
import { runExternalDns, type ExternalDnsOptions } from './external-dns.js';

const tools = requireTools('external-dns', 'named', 'dig', 'nsupdate');
const ZONE = 'example.com';
const KFED = 'kfed-a';
const EDNS = 'external-dns-b';
const RESYNC_MS = 2000;
const EVENTS = { group: '', version: 'v1', resource: 'events', namespaced: true, kind: 'Event' } as const;

const claimOf = (owner: string, resource: string): string => `"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=${resource}"`;

describe.skipIf(!tools)('kfed and external-dns share a zone through the TXT registry', () => {
  const bt = tools as BindTools & { 'external-dns': string };
  let env: GoAppEnv;
  let bind: RunningBind;
  let publisher: RunningPublisher;
  let dir: string;
  let opts: ExternalDnsOptions;

  const dig = (name: string, type = 'A'): Promise<string[]> => digShort(bt, bind, name, type);
  const owners = async (name: string, type = 'a'): Promise<string[]> => (await dig(`${type}-${name}`, 'TXT')).map((t) => /owner=([^,"]+)/.exec(t)?.[1] ?? '?').sort();
  /** The zone's lines for names kfed publishes (go-app's names and go.), claims included. */
  const kfedLines = async (): Promise<string[]> => (await digZone(bt, bind, ZONE)).filter((l) => l.includes(N) || /^(cname-)?go\.example\.com\. /.test(l));
  const edndLines = async (): Promise<string[]> => (await digZone(bt, bind, ZONE)).filter((l) => /^((a|cname)-)?(app|www|shared)\.example\.com\. /.test(l));

  beforeAll(async () => {
    env = await startGoApp();
    bind = await startTestBind(bt, [{ name: ZONE, records: ['manual 300 IN A 198.51.100.200'] }]);
    publisher = await startPublishing(env.host, {
      secrets: [secretOf('bind-tsig', { secret: bind.tsig.secret })],
      providers: [providerOf('bind', { type: 'rfc2136', domains: [ZONE], ownerId: KFED, rfc2136: { server: bind.server, zone: ZONE, tsigKeyName: bind.tsig.name, tsigAlgorithm: bind.tsig.algorithm, tsigSecretRef: { name: 'bind-tsig', key: 'secret' } } })],
    }, { resyncMs: RESYNC_MS });
    dir = await mkdtemp(join(tmpdir(), 'kfed-external-dns-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, env.sb.kubeconfigYaml, { mode: 0o600 });
    opts = { bin: bt['external-dns'], kubeconfig, bind, zone: ZONE, ownerId: EDNS };
    await until(async () => ((await dig(`${N}.${ZONE}`)).length === 3 && (await dig(`go.${ZONE}`, 'CNAME')).length === 1 ? true : undefined), 60_000, 200);
    // external-dns's own DNSEndpoint: names of its own, and two that kfed already publishes.
    await env.host.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edns' } });
    const theirs: KubeObject = {
      apiVersion: 'externaldns.k8s.io/v1alpha1', kind: 'DNSEndpoint', metadata: { name: 'theirs', namespace: 'edns' },
      spec: {
        endpoints: [
          { dnsName: `app.${ZONE}`, recordType: 'A', recordTTL: 60, targets: ['203.0.113.10'] },
          { dnsName: `www.${ZONE}`, recordType: 'CNAME', recordTTL: 60, targets: [`app.${ZONE}`] },
          { dnsName: `shared.${ZONE}`, recordType: 'A', recordTTL: 60, targets: ['198.51.100.50'] },
          { dnsName: `go.${ZONE}`, recordType: 'CNAME', recordTTL: 60, targets: ['elsewhere.example.net'] },
          { dnsName: `${N}.${ZONE}`, recordType: 'A', recordTTL: 60, targets: ['203.0.113.99'] },
        ],
      },
    };
    await env.host.dynamic.create(EXTERNALDNS_ENDPOINTS, theirs);
  }, startupMs(120_000));

  afterAll(async () => {
    await publisher?.stop();
    await bind?.stop();
    await env?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('external-dns publishes its own names and leaves kfed\'s records and claims as they were', async () => {
    const kfedBefore = await kfedLines();
    expect(await owners(`${N}.${ZONE}`)).toEqual([KFED]);
    expect(await owners(`go.${ZONE}`, 'cname')).toEqual([KFED]);
    const run = await runExternalDns(opts);
    expect(await dig(`app.${ZONE}`)).toEqual(['203.0.113.10']);
    expect(await dig(`www.${ZONE}`, 'CNAME')).toEqual([`app.${ZONE}.`]);
    expect(await dig(`shared.${ZONE}`)).toEqual(['198.51.100.50']);
    expect(await dig(`a-app.${ZONE}`, 'TXT')).toEqual([claimOf(EDNS, 'crd/edns/theirs')]);
    // The two names it also asked for stay kfed's: same targets, same claims.
    expect(await dig(`go.${ZONE}`, 'CNAME')).toEqual([`${N}.${ZONE}.`]);
    expect(await dig(`${N}.${ZONE}`)).not.toContain('203.0.113.99');
    expect(await kfedLines()).toEqual(kfedBefore);
    expect(await dig(`manual.${ZONE}`)).toEqual(['198.51.100.200']);
    // Its plan: its three records and their three claims, no update or delete of anything kfed owns.
    expect(run.log).toContain('ApplyChanges (Create: 6, UpdateOld: 0, UpdateNew: 0, Delete: 0)');
    // A second pass still wants kfed's names and still leaves them.
    await runExternalDns(opts);
    expect(await kfedLines()).toEqual(kfedBefore);
  }, 180_000);

  it('kfed publishing a change leaves external-dns\'s records and claims alone', async () => {
    const theirsBefore = await edndLines();
    expect(theirsBefore.length).toBeGreaterThanOrEqual(6);
    env.members.setReady('cluster-2', false);
    await until(async () => ((await dig(`${N}.${ZONE}`)).length === 2 ? true : undefined), 30_000, 100);
    expect(await edndLines()).toEqual(theirsBefore);
    env.members.setReady('cluster-2', true);
    await until(async () => ((await dig(`${N}.${ZONE}`)).length === 3 ? true : undefined), 30_000, 100);
    // Resyncs (every 2 s here) read the zone again, external-dns's claims included, and write nothing of theirs.
    await new Promise((r) => setTimeout(r, 3 * RESYNC_MS));
    expect(await edndLines()).toEqual(theirsBefore);
    // external-dns, run again, keeps its records and still leaves kfed's.
    const kfedBefore = await kfedLines();
    await runExternalDns(opts);
    expect(await edndLines()).toEqual(theirsBefore);
    expect(await kfedLines()).toEqual(kfedBefore);
  }, 180_000);

  it('a name external-dns holds is not taken by kfed: the conflict is on the DNSEndpoint status and an Event', async () => {
    const mine: DNSEndpoint = {
      apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'DNSEndpoint', metadata: { name: 'want-shared', namespace: 'go-app' },
      spec: { endpoints: [{ dnsName: `shared.${ZONE}`, recordType: 'A', recordTTL: 30, targets: ['192.0.2.50'] }] },
    };
    await env.host.dynamic.create(DNS_ENDPOINTS, mine);
    const status = await until(async () => {
      const e = await env.host.dynamic.get<DNSEndpoint>(DNS_ENDPOINTS, 'want-shared', { namespace: 'go-app' });
      const s = e.status as EndpointStatusWithProviders | undefined;
      return s?.providers?.find((p) => p.name === 'bind' && p.message) ? s : undefined;
    }, 30_000, 100);
    const entry = status.providers?.find((p) => p.name === 'bind');
    expect(entry?.programmed).toBe(false);
    expect(entry?.message).toContain('OwnedByOther');
    expect(entry?.message).toContain(`shared.${ZONE}`);
    expect(status.conditions?.find((c) => c.type === 'Programmed')?.reason).toBe('Conflict');
    const event = await until(async () => {
      const list = await env.host.dynamic.list<KubeObject & { reason?: string; message?: string; involvedObject?: { name?: string } }>(EVENTS, { namespace: 'go-app' });
      return list.items.find((e) => e.reason === 'PublishConflict' && e.involvedObject?.name === 'want-shared');
    }, 20_000, 100);
    expect(event.message).toContain(`shared.${ZONE}`);
    expect(await dig(`shared.${ZONE}`)).toEqual(['198.51.100.50']);
    expect(await owners(`shared.${ZONE}`)).toEqual([EDNS]);
    // external-dns still finds its record as it left it.
    const run = await runExternalDns(opts);
    expect(run.log).toContain('All records are already up to date');
    expect(await dig(`shared.${ZONE}`)).toEqual(['198.51.100.50']);
  }, 120_000);
});
