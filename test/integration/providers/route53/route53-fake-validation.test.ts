// The fake itself, spoken to with the raw AWS SDK: it must refuse what Route53 documents
// as invalid, or tests against it would pass where Route53 fails.
import { ChangeResourceRecordSetsCommand, DeleteHealthCheckCommand, ListResourceRecordSetsCommand, Route53Client, type Change, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRoute53Fake, type Route53Fake } from '../../../support/route53-fake/server.js';

let fake: Route53Fake;
let sdk: Route53Client;
let zoneId: string;

async function change(...changes: Change[]): Promise<string | undefined> {
  try {
    await sdk.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }));
    return undefined;
  } catch (err) {
    const e = err as { name?: string; message?: string; Messages?: { Message?: string | string[] } };
    const raw = e.Messages?.Message;
    return `${e.name === 'Unknown' ? 'InvalidChangeBatch' : e.name}: ${raw === undefined ? e.message : ([] as string[]).concat(raw).join(' | ')}`;
  }
}

const a = (name: string, extra: Partial<ResourceRecordSet> = {}, value = '192.0.2.1'): ResourceRecordSet => ({ Name: name, Type: 'A', TTL: 60, ResourceRecords: [{ Value: value }], ...extra });
const create = (s: ResourceRecordSet): Change => ({ Action: 'CREATE', ResourceRecordSet: s });

beforeEach(async () => {
  fake = await startRoute53Fake();
  zoneId = fake.state.createZone('example.com').id;
  sdk = new Route53Client({ region: 'us-east-1', endpoint: fake.endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
});

afterEach(async () => {
  sdk.destroy();
  await fake.stop();
});

describe('route53 fake validation', () => {
  it('set identifier rules', async () => {
    expect(await change(create(a('x.example.com')), create(a('x.example.com', { SetIdentifier: 's', Weight: 1 })))).toMatch(/non-routed RRSet/);
    expect(await change(create(a('x.example.com', { SetIdentifier: 's1', Weight: 1 })), create(a('x.example.com', { SetIdentifier: 's2', Region: 'us-east-1' })))).toMatch(/cannot mix routing policies/);
    expect(await change(create(a('x.example.com', { SetIdentifier: 's1', Failover: 'PRIMARY' })), create(a('x.example.com', { SetIdentifier: 's2', Failover: 'PRIMARY' })))).toMatch(/failover PRIMARY/);
    expect(await change(create(a('x.example.com', { SetIdentifier: 's1', Region: 'us-east-1' })), create(a('x.example.com', { SetIdentifier: 's2', Region: 'us-east-1' })))).toMatch(/region us-east-1/);
    expect(await change(create(a('x.example.com', { SetIdentifier: 's1', GeoLocation: { ContinentCode: 'EU' } })), create(a('x.example.com', { SetIdentifier: 's2', GeoLocation: { ContinentCode: 'EU' } })))).toMatch(/location/);
    expect(await change(create(a('x.example.com', { Weight: 1 })))).toMatch(/Missing field 'SetIdentifier'/);
    expect(await change(create(a('x.example.com', { SetIdentifier: 's' })))).toMatch(/without a routing policy/);
    expect(await change(create(a('x.example.com', { SetIdentifier: 's', Weight: 256 })))).toMatch(/Weight must be 0..255/);
    // Weighted sets of one name and type side by side are fine.
    expect(await change(create(a('w.example.com', { SetIdentifier: 's1', Weight: 1 })), create(a('w.example.com', { SetIdentifier: 's2', Weight: 0 })))).toBeUndefined();
  });

  it('CNAME exclusivity, create-existing and delete-missing with Route53 texts, all or nothing', async () => {
    expect(await change(create({ Name: 'c.example.com', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'x.example.net' }] }), create({ Name: 'c.example.com', Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"t"' }] }))).toMatch(/RRSet of type CNAME with DNS name c\.example\.com\. is not permitted as it conflicts/);
    expect(await change(create(a('e.example.com')))).toBeUndefined();
    expect(await change(create(a('f.example.com')), create(a('e.example.com')))).toBe("InvalidChangeBatch: Tried to create resource record set [name='e.example.com.', type='A'] but it already exists");
    expect(fake.list(zoneId).some((s) => s.name === 'f.example.com.')).toBe(false);
    expect(await change({ Action: 'DELETE', ResourceRecordSet: a('nope.example.com') })).toBe("InvalidChangeBatch: Tried to delete resource record set [name='nope.example.com.', type='A'] but it was not found");
    expect(await change({ Action: 'DELETE', ResourceRecordSet: a('e.example.com', {}, '192.0.2.2') })).toMatch(/values provided do not match/);
  });

  it('1,000 records and 32,000 characters per request, UPSERT counted twice', async () => {
    const many = (n: number, action: 'CREATE' | 'UPSERT'): Change[] => Array.from({ length: n }, (_, i) => ({ Action: action, ResourceRecordSet: a(`h${i}.example.com`) }));
    expect(await change(...many(1001, 'CREATE'))).toBe('InvalidChangeBatch: Number of records limit of 1000 exceeded.');
    expect(await change(...many(501, 'UPSERT'))).toBe('InvalidChangeBatch: Number of records limit of 1000 exceeded.');
    expect(await change(...many(500, 'UPSERT'))).toBeUndefined();
    const txt = (n: number): Change[] => Array.from({ length: n }, (_, i) => create({ Name: `t${i}.example.com`, Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: `"${'y'.repeat(254)}"` }] }));
    expect(await change(...txt(126))).toBe('InvalidChangeBatch: RDATA character limit of 32000 exceeded.');
    expect(await change(...txt(125))).toBeUndefined();
  });

  it('pages at 300 in Route53 order (labels reversed), and a check in use cannot be deleted', async () => {
    await change(...Array.from({ length: 650 }, (_, i) => create(a(`n${String(i).padStart(3, '0')}.z${i % 3}.example.com`))));
    const seen: string[] = [];
    let start: { StartRecordName?: string; StartRecordType?: 'A' | 'NS' | 'SOA' } = {};
    let pages = 0;
    for (;;) {
      const page = await sdk.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...start }));
      pages++;
      seen.push(...(page.ResourceRecordSets ?? []).map((s) => s.Name ?? ''));
      if (!page.IsTruncated) break;
      start = { StartRecordName: page.NextRecordName ?? '', StartRecordType: page.NextRecordType as 'A' };
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(652);
    expect(seen.slice(0, 3)).toEqual(['example.com.', 'example.com.', 'n000.z0.example.com.']);
    expect(seen.indexOf('n001.z1.example.com.')).toBeGreaterThan(seen.indexOf('n648.z0.example.com.'));
    const hc = fake.state.createHealthCheck({ callerRef: 'r', type: 'TCP', ip: '192.0.2.1', port: 80, children: [] });
    await change(create(a('hc.example.com', { SetIdentifier: 's', Weight: 1, HealthCheckId: hc.id })));
    await expect(sdk.send(new DeleteHealthCheckCommand({ HealthCheckId: hc.id }))).rejects.toMatchObject({ name: 'HealthCheckInUse' });
  });
});
