// The seam with the publishing pipeline: the lead's ZonePublisher (registry, plan,
// batches) driving the RFC2136 provider against a real BIND9. Routed endpoints are
// folded by adjust, a second pass writes nothing (also after a fresh re-list), a
// withdrawn cluster leaves the record set, and foreign records stay as they are.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import type { Provider, ProviderZone } from '../../../../src/dns/publish/provider.js';
import { ZonePublisher } from '../../../../src/dns/publish/zone-publisher.js';
import { encodeRouting } from '../../../../src/dns/routing.js';
import { systemClock } from '../../../../src/runtime/clock.js';
import { TokenBucket } from '../../../../src/runtime/rate-limiter.js';
import { createRFC2136Provider } from '../../../../providers/rfc2136/index.js';
import { bindTools, digShort, digZone, startTestBind, type RunningBind } from '../../../support/bind/index.js';

const tools = bindTools();
const signal = new AbortController().signal;
const NAME = 'go-app.go-app.myfed.svc.example.com';
const RESOURCE = { 'kfed.io/resource': 'dnsendpoint/go-app/service-go-app' };

function routed(cluster: string, ip: string): Endpoint {
  return { dnsName: NAME, recordType: 'A', recordTTL: 180, targets: [ip], setIdentifier: cluster, providerSpecific: encodeRouting({ policy: 'latency', cluster }) ?? [], labels: RESOURCE };
}

describe.skipIf(!tools)('RFC2136 provider under the zone publisher', () => {
  const t = tools as NonNullable<typeof tools>;
  let bind: RunningBind;
  let provider: Provider;
  let zone: ProviderZone;
  const publisher = (ownerId = 'prod'): ZonePublisher => new ZonePublisher({ provider, zone, ownerId, policy: 'sync', bucket: new TokenBucket(100, 100), clock: systemClock });

  beforeAll(async () => {
    bind = await startTestBind(t, [{ name: 'example.com', records: ['keep IN A 198.51.100.7'] }]);
    provider = createRFC2136Provider(
      { server: bind.server, tsigKeyName: bind.tsig.name, tsigSecretRef: { name: 'tsig' } },
      { providerName: 'bind', ownerId: 'prod', readSecret: () => Promise.resolve({ secret: bind.tsig.secret }), logger: { debug: () => {}, info: () => {}, warn: () => {} } },
    );
    [zone] = (await provider.zones(['example.com'], signal)) as [ProviderZone];
  });
  afterAll(async () => {
    await provider?.close();
    await bind?.stop();
  });

  it('publishes, converges to zero writes, withdraws a cluster and deletes exactly its own records', async () => {
    const cname: Endpoint = { dnsName: 'go.example.com', recordType: 'CNAME', recordTTL: 180, targets: [NAME], labels: RESOURCE };
    const foreign: Endpoint = { dnsName: 'keep.example.com', recordType: 'A', targets: ['192.0.2.99'] };
    const desired = (clusters: Endpoint[]): Endpoint[] => provider.adjust([...clusters, cname, foreign]).endpoints;
    const before = await digZone(t, bind, 'example.com');

    const pub = publisher();
    const first = await pub.sync(desired([routed('c1', '192.0.2.1'), routed('c2', '192.0.2.2')]), signal);
    expect(first).toMatchObject({ applied: 2, requests: 1, lists: 1, rejected: [] });
    expect(first.conflicts.map((c) => [c.endpoint.dnsName, c.reason])).toEqual([['keep.example.com', 'OwnedByOther']]);
    expect(await digShort(t, bind, NAME, 'A')).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(await digShort(t, bind, `a-${NAME}`, 'TXT')).toEqual(['"heritage=external-dns,external-dns/owner=prod,external-dns/resource=dnsendpoint/go-app/service-go-app,kfed.io/ttl=180,kfed.io/targets=192.0.2.1 192.0.2.2"']);

    expect(await pub.sync(desired([routed('c1', '192.0.2.1'), routed('c2', '192.0.2.2')]), signal)).toMatchObject({ applied: 0, requests: 0, lists: 0 });
    expect(await publisher().sync(desired([routed('c1', '192.0.2.1'), routed('c2', '192.0.2.2')]), signal)).toMatchObject({ applied: 0, requests: 0, lists: 1 });

    expect(await pub.sync(desired([routed('c1', '192.0.2.1')]), signal)).toMatchObject({ applied: 1, requests: 1 });
    expect(await digShort(t, bind, NAME, 'A')).toEqual(['192.0.2.1']);

    expect(await publisher().sync([], signal)).toMatchObject({ applied: 2, requests: 1 });
    expect(await digZone(t, bind, 'example.com')).toEqual(before);
  });

  it('two owners share one name target by target, also when they write at the same time', async () => {
    const plain = (ips: string[], resource: string): Endpoint => ({ dnsName: 'shared.example.com', recordType: 'A', recordTTL: 60, targets: ips, labels: { 'kfed.io/resource': resource } });
    const eu = publisher('prod-eu');
    const us = publisher('prod-us');
    // Both start from an empty name and write at once: one UPDATE's prerequisite fails,
    // that owner re-reads and merges on its next pass; neither overwrites the other.
    const first = await Promise.allSettled([eu.sync([plain(['192.0.2.10'], 'dnsendpoint/eu/go')], signal), us.sync([plain(['198.51.100.10'], 'dnsendpoint/us/go')], signal)]);
    for (const [i, r] of first.entries()) if (r.status === 'rejected') await [eu, us][i]!.sync([plain([i === 0 ? '192.0.2.10' : '198.51.100.10'], i === 0 ? 'dnsendpoint/eu/go' : 'dnsendpoint/us/go')], signal);
    await eu.sync([plain(['192.0.2.10'], 'dnsendpoint/eu/go')], signal);
    await us.sync([plain(['198.51.100.10'], 'dnsendpoint/us/go')], signal);
    expect(await digShort(t, bind, 'shared.example.com', 'A')).toEqual(['192.0.2.10', '198.51.100.10']);
    expect((await digShort(t, bind, 'a-shared.example.com', 'TXT')).map((x) => /owner=([^,]+)/.exec(x)?.[1])).toEqual(['prod-eu', 'prod-us']);
    // Steady: neither finds anything to do after a fresh read.
    expect(await publisher('prod-eu').sync([plain(['192.0.2.10'], 'dnsendpoint/eu/go')], signal)).toMatchObject({ applied: 0, conflicts: [] });
    expect(await publisher('prod-us').sync([plain(['198.51.100.10'], 'dnsendpoint/us/go')], signal)).toMatchObject({ applied: 0, conflicts: [] });
    // The EU instance's cluster drops: only its target leaves.
    await publisher('prod-eu').sync([], signal);
    expect(await digShort(t, bind, 'shared.example.com', 'A')).toEqual(['198.51.100.10']);
    expect((await digShort(t, bind, 'a-shared.example.com', 'TXT')).map((x) => /owner=([^,]+)/.exec(x)?.[1])).toEqual(['prod-us']);
    await publisher('prod-us').sync([], signal);
    expect(await digShort(t, bind, 'shared.example.com', 'A')).toEqual([]);
    expect(await digShort(t, bind, 'a-shared.example.com', 'TXT')).toEqual([]);
  });
});
