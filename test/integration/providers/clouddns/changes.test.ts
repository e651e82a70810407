// Changes against the fake's Cloud DNS rules: exact deletions, a stale record set
// recovered by one re-read, a real conflict reported, quota-sized batches, throttling.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeCount, isProviderError, type ZoneChanges } from '../../../../src/dns/publish/provider.js';
import { CloudDNSProvider } from '../../../../providers/clouddns/index.js';
import { serviceAccountKey } from '../../../support/clouddns-fake/credentials.js';
import { context, none, plain, routed, signal, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.provider.close();
  await h.fake.stop();
});

const c1 = routed('go.example.com', ['192.0.2.1'], { policy: 'weighted', cluster: 'cluster-1', region: 'us-east-1', weight: 1 });
const c2 = routed('go.example.com', ['198.51.100.1'], { policy: 'weighted', cluster: 'cluster-2', region: 'eu-west-1', weight: 1 });
const c3 = routed('go.example.com', ['203.0.113.1'], { policy: 'weighted', cluster: 'cluster-3', region: 'ap-southeast-1', weight: 1 });

describe('cloud DNS changes', () => {
  it('an update deletes the record set exactly as read and adds the new one in one change', async () => {
    await h.provider.records(h.zone, signal);
    await h.provider.apply(h.zone, { ...none, create: [c1, c2] }, signal);
    const before = structuredClone(h.fake.store.get('example-com', 'go.example.com.', 'A'));
    const c2b = { ...c2, targets: ['198.51.100.2'] };
    await h.provider.apply(h.zone, { ...none, updateOld: [c2], updateNew: [c2b] }, signal);
    const body = h.fake.log.filter((r) => r.path.endsWith('/changes')).at(-1)?.body as { additions: unknown[]; deletions: unknown[] };
    // The companion refers to cluster-2's item (@1), so only the record set changes.
    expect(body.deletions).toEqual([before]);
    expect(body.additions).toHaveLength(1);
    expect(h.fake.store.get('example-com', 'go.example.com.', 'A')?.routingPolicy?.wrr?.items.map((i) => i.rrdatas)).toEqual([['192.0.2.1'], ['198.51.100.2']]);
    const read = await h.provider.records(h.zone, signal);
    expect(read.filter((e) => e.dnsName === 'go.example.com')).toEqual([c1, c2b]);
  });

  it('deleting every cluster removes the record set and its companion', async () => {
    await h.provider.records(h.zone, signal);
    await h.provider.apply(h.zone, { ...none, create: [c1, c2] }, signal);
    await h.provider.apply(h.zone, { ...none, delete: [c1, c2] }, signal);
    expect(h.fake.store.list('example-com').map((r) => r.type)).toEqual(['NS', 'SOA']);
  });

  it('a stale deletion (another writer added a cluster) is re-read and retried once, keeping the other set', async () => {
    await h.provider.records(h.zone, signal);
    await h.provider.apply(h.zone, { ...none, create: [c1] }, signal);
    // Another kfed instance (its own set identifiers) adds cluster-3 to the same record set.
    const other = startHarnessSharing(h);
    await other.records(h.zone, signal);
    await other.apply(h.zone, { ...none, create: [c3] }, signal);
    await other.close();
    const changesBefore = h.fake.count('changes.create');
    await h.provider.apply(h.zone, { ...none, create: [c2] }, signal);
    const statuses = h.fake.log.filter((r) => r.path.endsWith('/changes')).slice(changesBefore).map((r) => r.status);
    expect(statuses).toEqual([412, 200]);
    const read = await h.provider.records(h.zone, signal);
    expect(read.filter((e) => e.dnsName === 'go.example.com').map((e) => e.setIdentifier)).toEqual(['cluster-1', 'cluster-2', 'cluster-3']);
  });

  it('a record set created behind the adapter: after the 409 and a re-read the create is a conflict, the other record untouched', async () => {
    // No records() first: the adapter guesses the name is free.
    h.fake.store.put('example-com', { name: 'plain.example.com.', type: 'A', ttl: 180, rrdatas: ['192.0.2.50'] });
    const err = await h.provider.apply(h.zone, { ...none, create: [plain('plain.example.com', ['192.0.2.51'])] }, signal).catch((e: unknown) => e);
    expect(isProviderError(err) && err.kind).toBe('conflict');
    expect(h.fake.store.get('example-com', 'plain.example.com.', 'A')?.rrdatas).toEqual(['192.0.2.50']);
  });

  it('a record changed under the plan is a conflict after one re-read (the pipeline re-reads the zone)', async () => {
    await h.provider.records(h.zone, signal);
    await h.provider.apply(h.zone, { ...none, create: [c1, c2] }, signal);
    // Someone edits the record set by hand: cluster-2's item now has another address.
    const rr = structuredClone(h.fake.store.get('example-com', 'go.example.com.', 'A'));
    if (!rr?.routingPolicy?.wrr?.items[1]) throw new Error('no item');
    rr.routingPolicy.wrr.items[1].rrdatas = ['198.51.100.77'];
    h.fake.store.put('example-com', rr);
    const err = await h.provider.apply(h.zone, { ...none, updateOld: [c2], updateNew: [{ ...c2, targets: ['198.51.100.3'] }] }, signal).catch((e: unknown) => e);
    expect(isProviderError(err) && err.kind).toBe('conflict');
    expect(h.fake.store.get('example-com', 'go.example.com.', 'A')?.routingPolicy?.wrr?.items[1]?.rrdatas).toEqual(['198.51.100.77']);
    // The edit is read back under its cluster (its companion entry refers to the item), so the plan restores it.
    const read = await h.provider.records(h.zone, signal);
    expect(read.filter((e) => e.dnsName === 'go.example.com').map((e) => [e.setIdentifier, e.targets])).toEqual([
      ['cluster-1', ['192.0.2.1']],
      ['cluster-2', ['198.51.100.77']],
    ]);
    // A weight edited by hand does not fold back: the record set becomes foreign and is left alone.
    const rr2 = structuredClone(h.fake.store.get('example-com', 'go.example.com.', 'A'));
    if (!rr2?.routingPolicy?.wrr?.items[0]) throw new Error('no item');
    rr2.routingPolicy.wrr.items[0].weight = 7;
    h.fake.store.put('example-com', rr2);
    const items = (await h.provider.records(h.zone, signal)).filter((e) => e.dnsName === 'go.example.com');
    expect(items.map((e) => e.setIdentifier)).toEqual(['wrr/0', 'wrr/1']);
    const err2 = await h.provider.apply(h.zone, { ...none, create: [c3] }, signal).catch((e: unknown) => e);
    expect(isProviderError(err2) && err2.kind).toBe('rejected');
    expect(isProviderError(err2) && err2.rejected).toEqual([c3]);
  });

  it('limits.fits packs batches to the quotas read from projects.get, and each batch is accepted', async () => {
    h.fake.store.quota.rrsetAdditionsPerChange = 10;
    h.fake.store.quota.totalRrdataSizePerChange = 2_000;
    await h.provider.zones(['example.com'], signal);
    expect(h.provider.changeQuota).toEqual({ additions: 10, deletions: 100, rrdataBytes: 2_000 });
    await h.provider.records(h.zone, signal);
    const creates = Array.from({ length: 40 }, (_, i) => [
      routed(`svc-${i}.example.com`, [`192.0.2.${i + 1}`], { policy: 'weighted', cluster: 'cluster-1', weight: 1 }),
      routed(`svc-${i}.example.com`, [`198.51.100.${i + 1}`], { policy: 'weighted', cluster: 'cluster-2', weight: 1 }),
    ]).flat();
    // Greedy packing, as the pipeline does it.
    const batches: ZoneChanges[] = [];
    let cur: ZoneChanges = { ...none, create: [] };
    for (const e of creates) {
      const next = { ...cur, create: [...cur.create, e] };
      if (changeCount(cur) > 0 && !h.provider.limits.fits(next)) {
        batches.push(cur);
        cur = { ...none, create: [e] };
      } else cur = next;
    }
    batches.push(cur);
    // 40 routed names = 80 record sets (with companions); 10 additions per change.
    expect(batches.length).toBe(8);
    for (const b of batches) await h.provider.apply(h.zone, b, signal);
    expect(h.fake.log.filter((r) => r.path.endsWith('/changes')).every((r) => r.status === 200)).toBe(true);
    expect((await h.provider.records(h.zone, signal)).filter((e) => e.dnsName.startsWith('svc-'))).toHaveLength(80);
  });

  it('a change over the quota is sent as several; one record set over it alone is rejected and named', async () => {
    h.fake.store.quota.rrsetAdditionsPerChange = 3;
    await h.provider.records(h.zone, signal);
    await h.provider.apply(h.zone, { ...none, create: [1, 2, 3, 4].map((i) => plain(`p${i}.example.com`, [`192.0.2.${i}`])) }, signal);
    expect(h.fake.log.filter((r) => r.path.endsWith('/changes')).map((r) => [r.status, (r.body as { additions: unknown[] }).additions.length])).toEqual([
      [200, 3],
      [200, 1],
    ]);
    h.fake.store.quota.totalRrdataSizePerChange = 50;
    const big = plain('big.example.com', ['x'.repeat(60)], 'TXT');
    const err = await h.provider.apply(h.zone, { ...none, create: [big] }, signal).catch((e: unknown) => e);
    expect(isProviderError(err) && err.kind).toBe('rejected');
    expect(isProviderError(err) && err.rejected).toEqual([big]);
  });

  it('an invalid record is rejected and named', async () => {
    await h.provider.records(h.zone, signal);
    const bad = plain('outside.example.org', ['192.0.2.1']);
    const err = await h.provider.apply(h.zone, { ...none, create: [plain('ok.example.com', ['192.0.2.2']), bad] }, signal).catch((e: unknown) => e);
    expect(isProviderError(err) && err.kind).toBe('rejected');
    expect(isProviderError(err) && err.rejected).toEqual([bad]);
  });

  it('429s are survived with Retry-After; persistent ones surface as throttled', async () => {
    await h.provider.records(h.zone, signal);
    h.fake.throttle(2, { retryAfterSeconds: 0, operations: ['changes.create'] });
    await h.provider.apply(h.zone, { ...none, create: [c1] }, signal);
    expect(h.fake.log.filter((r) => r.path.endsWith('/changes')).map((r) => r.status)).toEqual([429, 429, 200]);
    h.fake.throttle(10, { retryAfterSeconds: 1 });
    const err = await h.provider.records(h.zone, signal).catch((e: unknown) => e);
    expect(isProviderError(err) && err.kind).toBe('throttled');
    expect(isProviderError(err) && err.retryAfterMs).toBe(1000);
  });
});

function startHarnessSharing(h: Harness): CloudDNSProvider {
  const key = serviceAccountKey(h.fake, 'other@kfed-test.iam.gserviceaccount.com');
  return new CloudDNSProvider({ project: h.fake.project, endpoint: h.fake.url, credentialsSecretRef: { name: 's', key: 'k' } }, context({ s: { k: key } }));
}
