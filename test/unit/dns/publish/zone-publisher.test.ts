import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../../src/api/multiclusterdns.js';
import { RESOURCE_LABEL } from '../../../../src/dns/plan.js';
import { ZonePublisher } from '../../../../src/dns/publish/zone-publisher.js';
import { formatTargetClaims } from '../../../../src/dns/publish/claims.js';
import { claimName, formatClaim, readRegistry } from '../../../../src/dns/publish/registry.js';
import { systemClock } from '../../../../src/runtime/clock.js';
import { TokenBucket } from '../../../../src/runtime/rate-limiter.js';
import { MemoryProvider } from '../../../support/memory-provider.js';

const ep = (dnsName: string, targets: string[], extra: Partial<Endpoint> = {}): Endpoint => ({
  dnsName, recordType: 'A', targets, recordTTL: 60, labels: { [RESOURCE_LABEL]: 'dnsendpoint/ns/a' }, ...extra,
});

function setup(owner = 'kfed-a', provider = new MemoryProvider(['example.com'])) {
  const zone = provider.zoneList[0]!;
  const pub = new ZonePublisher({ provider, zone, ownerId: owner, policy: 'sync', bucket: new TokenBucket(1000, 1000), clock: systemClock, baseDelayMs: 1 });
  const signal = new AbortController().signal;
  const stored = (): Endpoint[] => [...provider.store.get(zone.id)!.values()];
  return { provider, zone, pub, signal, stored };
}

describe('ZonePublisher', () => {
  it('creates records with external-dns ownership TXT records, then makes zero calls when nothing changed', async () => {
    const { provider, pub, signal, stored } = setup();
    const r = await pub.sync([ep('go.example.com', ['192.0.2.1'])], signal);
    expect(r.applied).toBe(1);
    expect(r.owned).toBe(1);
    expect(stored().map((e) => `${e.dnsName} ${e.recordType} ${e.targets.join(',')}`).sort()).toEqual([
      `a-go.example.com TXT ${formatTargetClaims('kfed-a', 'dnsendpoint/ns/a', ['192.0.2.1'], 60).join(',')}`,
      'go.example.com A 192.0.2.1',
    ]);
    const calls = { ...provider.calls };
    const again = await pub.sync([ep('go.example.com', ['192.0.2.1'])], signal);
    expect(again.requests).toBe(0);
    expect(provider.calls).toEqual(calls);
    expect(again.programmed.size).toBe(1);
  });

  it('updates and deletes only what it owns, and its claims with them', async () => {
    const { provider, zone, pub, signal, stored } = setup();
    provider.store.get(zone.id)!.set('x', { dnsName: 'other.example.com', recordType: 'A', targets: ['198.51.100.9'] });
    await pub.sync([ep('go.example.com', ['192.0.2.1']), ep('www.example.com', ['192.0.2.2'])], signal);
    await pub.sync([ep('go.example.com', ['192.0.2.3'])], signal);
    const names = stored().map((e) => `${e.dnsName} ${e.targets.join(',')}`).sort();
    expect(names).toEqual([`a-go.example.com ${formatTargetClaims('kfed-a', 'dnsendpoint/ns/a', ['192.0.2.3'], 60).join(',')}`, 'go.example.com 192.0.2.3', 'other.example.com 198.51.100.9']);
  });

  it('never takes a name another owner claims as a whole (external-dns, a CNAME), and reports the conflict', async () => {
    const provider = new MemoryProvider(['example.com']);
    const a = setup('kfed-a', provider);
    const store = provider.store.get(a.zone.id)!;
    store.set('x1', { dnsName: 'go.example.com', recordType: 'A', targets: ['192.0.2.1'] });
    store.set('x2', { dnsName: 'a-go.example.com', recordType: 'TXT', targets: [formatClaim('external-dns-prod', 'crd/default/go')] });
    const b = setup('kfed-b', provider);
    await b.pub.sync([ep('www.example.com', ['192.0.2.9'], { recordType: 'CNAME', targets: ['go.example.com'] })], b.signal);
    const r = await a.pub.sync([ep('go.example.com', ['203.0.113.7']), ep('www.example.com', ['203.0.113.8'])], a.signal);
    expect(r.conflicts.map((c) => `${c.endpoint.dnsName} ${c.reason}`)).toEqual(['go.example.com OwnedByOther', 'www.example.com OwnedByOther']);
    expect(r.programmed.size).toBe(0);
    expect(a.stored().find((e) => e.dnsName === 'go.example.com')?.targets).toEqual(['192.0.2.1']);
  });

  it('shares a plain address set target by target: one TTL (the lowest), each owner withdraws only its own targets', async () => {
    const provider = new MemoryProvider(['example.com']);
    const a = setup('kfed-a', provider);
    const b = setup('kfed-b', provider);
    const set = (): Endpoint | undefined => a.stored().find((e) => e.dnsName === 'go.example.com' && e.recordType === 'A');
    await a.pub.sync([ep('go.example.com', ['192.0.2.1', '192.0.2.2'])], a.signal);
    const rb = await b.pub.sync([ep('go.example.com', ['192.0.2.2', '203.0.113.7'], { recordTTL: 30 })], b.signal);
    expect(rb.conflicts).toEqual([]);
    expect(rb.programmed.size).toBe(1);
    expect(set()).toMatchObject({ targets: ['192.0.2.1', '192.0.2.2', '203.0.113.7'], recordTTL: 30 });
    // Both see their own slice as programmed, and nothing to do: no flapping over the TTL.
    a.pub.invalidate();
    const ra = await a.pub.sync([ep('go.example.com', ['192.0.2.1', '192.0.2.2'])], a.signal);
    expect(ra.applied).toBe(0);
    expect(ra.owned).toBe(1);
    b.pub.invalidate();
    expect((await b.pub.sync([ep('go.example.com', ['192.0.2.2', '203.0.113.7'], { recordTTL: 30 })], b.signal)).applied).toBe(0);
    // a leaves: 192.0.2.2 stays (b holds it too), the TTL goes back to what b asked for.
    a.pub.invalidate();
    await a.pub.sync([], a.signal);
    expect(set()).toMatchObject({ targets: ['192.0.2.2', '203.0.113.7'], recordTTL: 30 });
    const claims = a.stored().find((e) => e.dnsName === claimName({ dnsName: 'go.example.com', recordType: 'A' }));
    expect(claims?.targets).toEqual(formatTargetClaims('kfed-b', 'dnsendpoint/ns/a', ['192.0.2.2', '203.0.113.7'], 30));
    // b leaves too: the set and its claims are gone.
    b.pub.invalidate();
    await b.pub.sync([], b.signal);
    expect(a.stored().filter((e) => e.dnsName.endsWith('go.example.com'))).toEqual([]);
  });

  it('shares a routed name: each owner keeps its own set identifiers', async () => {
    const provider = new MemoryProvider(['example.com']);
    const a = setup('kfed-a', provider);
    const b = setup('kfed-b', provider);
    const routed = (id: string, ip: string): Endpoint => ep('go.example.com', [ip], { setIdentifier: id, providerSpecific: [{ name: 'kfed.io/routing-policy', value: 'weighted' }, { name: 'kfed.io/weight', value: '1' }] });
    await a.pub.sync([routed('cluster-1', '192.0.2.1')], a.signal);
    await b.pub.sync([routed('cluster-9', '198.51.100.1')], b.signal);
    a.pub.invalidate();
    await a.pub.sync([], a.signal); // a withdraws everything it owns, nothing else
    const left = a.stored().filter((e) => e.recordType === 'A').map((e) => e.setIdentifier);
    expect(left).toEqual(['cluster-9']);
    const view = readRegistry(a.stored(), 'kfed-a');
    expect(view.records.find((e) => e.setIdentifier === 'cluster-9')?.labels?.['kfed.io/owner']).toBe('kfed-b');
  });

  it('isolates a rejected record and publishes the rest', async () => {
    const { provider, pub, signal, stored } = setup();
    provider.poison.add('192.0.2.66');
    const desired = ['a', 'b', 'c', 'd', 'e'].map((n, i) => ep(`${n}.example.com`, [n === 'c' ? '192.0.2.66' : `192.0.2.${i + 1}`]));
    const r = await pub.sync(desired, signal);
    expect(r.rejected.map((x) => x.endpoint.dnsName)).toEqual(['c.example.com']);
    expect(r.programmed.size).toBe(4);
    expect(stored().filter((e) => e.recordType === 'A').map((e) => e.dnsName).sort()).toEqual(['a.example.com', 'b.example.com', 'd.example.com', 'e.example.com']);
    expect(claimName({ dnsName: 'c.example.com', recordType: 'A' })).toBe('a-c.example.com');
    expect(stored().some((e) => e.dnsName === 'a-c.example.com')).toBe(false);
  });

  it('survives throttling with backoff', async () => {
    const { provider, pub, signal } = setup();
    provider.throttleNext = 2;
    const r = await pub.sync([ep('go.example.com', ['192.0.2.1'])], signal);
    expect(r.requests).toBe(3);
    expect(r.programmed.size).toBe(1);
  });

  it('packs changes into provider-sized batches, a name and its claim together', async () => {
    const { provider, pub, signal } = setup();
    provider.maxChanges = 10;
    const desired = Array.from({ length: 25 }, (_, i) => ep(`n${String(i).padStart(2, '0')}.example.com`, [`192.0.2.${i + 1}`]));
    const r = await pub.sync(desired, signal);
    // 50 changes (25 records + 25 claims), 10 per batch
    expect(r.requests).toBe(5);
    expect(r.owned).toBe(25);
  });

  it('turns a CNAME into A records in one atomic batch', async () => {
    const { pub, signal, stored } = setup();
    await pub.sync([ep('z.example.com', ['go.example.com'], { recordType: 'CNAME' })], signal);
    const r = await pub.sync([ep('z.example.com', ['192.0.2.5'])], signal);
    expect(r.requests).toBe(1);
    expect(stored().filter((e) => e.dnsName === 'z.example.com').map((e) => e.recordType)).toEqual(['A']);
    expect(stored().map((e) => e.dnsName).sort()).toEqual(['a-z.example.com', 'z.example.com']);
  });
});
