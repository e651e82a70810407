// Health checks kfed manages for weighted and failover sets: created, tagged, attached,
// reused while nothing changes, replaced when targets or settings change, deleted with
// their record, swept when orphaned; checks kfed did not create are never touched.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRoute53Provider } from '../../../../providers/route53/index.js';
import type { Route53Provider } from '../../../../providers/route53/route53-provider.js';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import type { ProviderZone } from '../../../../src/dns/publish/provider.js';
import { TEST_SECRET, testContext } from '../../../support/route53-fake/context.js';
import { startRoute53Fake, type Route53Fake } from '../../../support/route53-fake/server.js';
import { creates, health, routed, SIGNAL } from './fixtures.js';

let fake: Route53Fake;
let provider: Route53Provider;
let zone: ProviderZone;

function make(healthChecks: 'managed' | 'none' = 'managed', ownerId = 'kfed-test'): Route53Provider {
  return createRoute53Provider({ endpoint: fake.endpoint, credentialsSecretRef: { name: 'aws' }, healthChecks }, testContext({ aws: TEST_SECRET }, ownerId), { requestsPerSecond: 0 }) as Route53Provider;
}

const weighted = (targets: string[], extra = health('HTTP', 8080, '/healthz')): Endpoint =>
  provider.adjust([routed('app.example.com', 'A', targets, { policy: 'weighted', cluster: 'eu', weight: 5 }, extra)]).endpoints[0] as Endpoint;

async function current(): Promise<Endpoint> {
  const e = (await provider.records(zone, SIGNAL)).find((x) => x.dnsName === 'app.example.com');
  if (!e) throw new Error('app.example.com not found');
  return e;
}

function foreignCheck(): string {
  const c = fake.state.createHealthCheck({ callerRef: 'someone-else', type: 'TCP', ip: '203.0.113.9', port: 22, children: [] });
  fake.state.tags.set(c.id, new Map([['team', 'ops']]));
  return c.id;
}

beforeEach(async () => {
  fake = await startRoute53Fake();
  zone = { id: fake.state.createZone('example.com').id, name: 'example.com', visibility: 'public' };
  provider = make();
});

afterEach(async () => {
  await provider.close();
  await fake.stop();
});

describe('route53 provider: managed health checks', () => {
  it('creates, tags and attaches one check per target and a CALCULATED parent', async () => {
    await provider.apply(zone, creates(weighted(['192.0.2.1', '192.0.2.2'])), SIGNAL);
    const set = fake.list(zone.id).find((s) => s.name === 'app.example.com.');
    const parent = fake.state.healthChecks.get(set?.healthCheckId ?? '');
    expect(parent).toMatchObject({ type: 'CALCULATED', threshold: 1 });
    const kids = (parent?.children ?? []).map((id) => fake.state.healthChecks.get(id));
    expect(kids.map((k) => [k?.type, k?.ip, k?.port, k?.path, k?.fqdn]).sort()).toEqual([
      ['HTTP', '192.0.2.1', 8080, '/healthz', 'app.example.com'],
      ['HTTP', '192.0.2.2', 8080, '/healthz', 'app.example.com'],
    ]);
    for (const id of [parent?.id ?? '', ...(parent?.children ?? [])]) {
      expect(Object.fromEntries(fake.state.tags.get(id) ?? [])).toMatchObject({ 'kfed.io/owner': 'kfed-test', 'kfed.io/zone': zone.id, 'kfed.io/record': 'app.example.com A [eu]' });
    }
  });

  it('keeps the check while nothing changes, replaces it when the targets change, deletes it with the record', async () => {
    await provider.apply(zone, creates(weighted(['192.0.2.1'])), SIGNAL);
    const first = [...fake.state.healthChecks.keys()];
    // Same targets and settings, new weight: the check is reused.
    const reweighted = { ...weighted(['192.0.2.1']), providerSpecific: weighted(['192.0.2.1']).providerSpecific?.map((p) => (p.name === 'kfed.io/weight' ? { ...p, value: '7' } : p)) } as Endpoint;
    await provider.apply(zone, { create: [], updateOld: [await current()], updateNew: [reweighted], delete: [] }, SIGNAL);
    expect([...fake.state.healthChecks.keys()]).toEqual(first);
    // New target: a new check, the old one deleted after the batch.
    await provider.apply(zone, { create: [], updateOld: [await current()], updateNew: [weighted(['192.0.2.3'])], delete: [] }, SIGNAL);
    const second = [...fake.state.healthChecks.values()];
    expect(second.map((c) => c.ip)).toEqual(['192.0.2.3']);
    // New settings: replaced too.
    await provider.apply(zone, { create: [], updateOld: [await current()], updateNew: [weighted(['192.0.2.3'], health('TCP', 9000))], delete: [] }, SIGNAL);
    expect([...fake.state.healthChecks.values()].map((c) => [c.type, c.port])).toEqual([['TCP', 9000]]);
    await provider.apply(zone, { create: [], updateOld: [], updateNew: [], delete: [await current()] }, SIGNAL);
    expect(fake.state.healthChecks.size).toBe(0);
  });

  it('reads the settings back as properties (defaults left out), so the plan sees no change', async () => {
    const desired = weighted(['192.0.2.1']);
    await provider.apply(zone, creates(desired), SIGNAL);
    // A fresh provider (a restarted kfed) reads the check's settings from Route53.
    const other = make();
    const read = (await other.records(zone, SIGNAL)).find((e) => e.dnsName === 'app.example.com');
    expect(read?.providerSpecific).toEqual(desired.providerSpecific);
    expect(desired.providerSpecific?.filter((p) => p.name.startsWith('kfed.io/health-check'))).toEqual([
      { name: 'kfed.io/health-check-path', value: '/healthz' },
      { name: 'kfed.io/health-check-port', value: '8080' },
      { name: 'kfed.io/health-check-protocol', value: 'HTTP' },
    ]);
    await other.close();
  });

  it('sweeps orphans of its own zone and owner; never touches checks it did not create', async () => {
    const foreign = foreignCheck();
    await provider.apply(zone, creates(weighted(['192.0.2.1'])), SIGNAL);
    const ours = fake.list(zone.id).find((s) => s.name === 'app.example.com.')?.healthCheckId ?? '';
    // The record vanishes behind kfed's back (another tool, a crash before cleanup).
    const set = fake.list(zone.id).find((s) => s.name === 'app.example.com.');
    if (set) fake.state.change(zone.id, [{ action: 'DELETE', set }]);
    // Another kfed instance's check in the same zone.
    const theirs = fake.state.createHealthCheck({ callerRef: 'other-kfed', type: 'TCP', ip: '203.0.113.7', port: 80, children: [] });
    fake.state.tags.set(theirs.id, new Map([['kfed.io/owner', 'kfed-other'], ['kfed.io/zone', zone.id]]));
    await make().records(zone, SIGNAL);
    expect(fake.state.healthChecks.has(ours)).toBe(false);
    expect(fake.state.healthChecks.has(foreign)).toBe(true);
    expect(fake.state.healthChecks.has(theirs.id)).toBe(true);
  });

  it('a failed batch leaves no checks behind', async () => {
    await provider.apply(zone, creates(weighted(['192.0.2.1'])), SIGNAL);
    const before = [...fake.state.healthChecks.keys()];
    // Creating the same record again fails; its new check must go.
    await expect(provider.apply(zone, creates(weighted(['192.0.2.1'])), SIGNAL)).rejects.toMatchObject({ kind: 'conflict' });
    expect([...fake.state.healthChecks.keys()]).toEqual(before);
  });

  it('healthChecks: none creates no checks and keeps no settings', async () => {
    const none = make('none');
    const desired = none.adjust([routed('app.example.com', 'A', ['192.0.2.1'], { policy: 'failover', cluster: 'eu', failover: 'primary' }, health('HTTP', 8080))]).endpoints;
    expect(desired[0]?.providerSpecific?.some((p) => p.name.startsWith('kfed.io/health-check'))).toBe(false);
    await none.apply(zone, creates(...desired), SIGNAL);
    expect(fake.state.healthChecks.size).toBe(0);
    expect(fake.count('ListHealthChecks')).toBe(0);
    await none.close();
  });

  it('a weighted set without a check reads back different, and the update gives it one', async () => {
    const none = make('none');
    const desired = none.adjust([routed('app.example.com', 'A', ['192.0.2.1'], { policy: 'weighted', cluster: 'eu' })]).endpoints;
    await none.apply(zone, creates(...desired), SIGNAL);
    await none.close();
    // Switched to managed: the plan must see a difference, or the set never gets a check.
    const want = provider.adjust([routed('app.example.com', 'A', ['192.0.2.1'], { policy: 'weighted', cluster: 'eu' })]).endpoints[0] as Endpoint;
    const cur = await current();
    expect(cur.providerSpecific).toContainEqual({ name: 'route53/health-check', value: 'missing' });
    await provider.apply(zone, { create: [], updateOld: [cur], updateNew: [want], delete: [] }, SIGNAL);
    expect(fake.state.healthChecks.size).toBe(1);
    expect((await current()).providerSpecific).toEqual(want.providerSpecific);
  });
});
