// Batch limits, rejected records, throttling, credentials and pagination: the Route53
// adapter through the real AWS SDK against the wire-level fake.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRoute53Provider } from '../../../../providers/route53/index.js';
import type { Route53Provider } from '../../../../providers/route53/route53-provider.js';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import { isProviderError, type ProviderError, type ProviderZone, type ZoneChanges } from '../../../../src/dns/publish/provider.js';
import { TEST_SECRET, testContext } from '../../../support/route53-fake/context.js';
import { startRoute53Fake, type Route53Fake } from '../../../support/route53-fake/server.js';
import { creates, plain, SIGNAL } from './fixtures.js';

let fake: Route53Fake;
let provider: Route53Provider;
let zone: ProviderZone;

function make(opts: { maxAttempts?: number; secret?: Record<string, string> } = {}): Route53Provider {
  return createRoute53Provider(
    { endpoint: fake.endpoint, region: 'us-east-1', credentialsSecretRef: { name: 'aws' } },
    testContext({ aws: opts.secret ?? TEST_SECRET }),
    { maxAttempts: opts.maxAttempts ?? 3, requestsPerSecond: 0 },
  ) as Route53Provider;
}

async function thrown(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    if (isProviderError(err)) return err;
    throw err;
  }
  throw new Error('expected a ProviderError');
}

function hosts(n: number, prefix = 'h'): Endpoint[] {
  return Array.from({ length: n }, (_, i) => plain(`${prefix}${i}.example.com`, 'A', [`192.0.2.${i % 250}`]));
}

beforeEach(async () => {
  fake = await startRoute53Fake({ accessKeyId: TEST_SECRET.AWS_ACCESS_KEY_ID });
  zone = { id: fake.state.createZone('example.com').id, name: 'example.com', visibility: 'public' };
  provider = make();
});

afterEach(async () => {
  await provider.close();
  await fake.stop();
});

describe('route53 provider: batch limits', () => {
  it('fits 1,000 records and not 1,001; an UPSERT counts twice; 32,000 value characters', async () => {
    expect(provider.limits.fits(creates(...hosts(1000)))).toBe(true);
    expect(provider.limits.fits(creates(...hosts(1001)))).toBe(false);
    const old = hosts(501);
    const upserts: ZoneChanges = { create: [], updateOld: old, updateNew: old.map((e) => ({ ...e, recordTTL: 300 })), delete: [] };
    expect(provider.limits.fits(upserts)).toBe(false);
    expect(provider.limits.fits({ ...upserts, updateOld: old.slice(0, 500), updateNew: upserts.updateNew.slice(0, 500) })).toBe(true);
    // One TXT string of 254 characters is a 256-character value with its quotes.
    const txt = (n: number): Endpoint[] => Array.from({ length: n }, (_, i) => plain(`t${i}.example.com`, 'TXT', ['y'.repeat(254)]));
    expect(provider.limits.fits(creates(...txt(125)))).toBe(true);
    expect(provider.limits.fits(creates(...txt(126)))).toBe(false);
  });

  it('the fake refuses what does not fit, as Route53 does', async () => {
    const err = await thrown(provider.apply(zone, creates(...hosts(1001)), SIGNAL));
    expect(err.kind).toBe('rejected');
    expect(err.message).toContain('Number of records limit of 1000 exceeded');
    await provider.apply(zone, creates(...hosts(1000)), SIGNAL);
    expect(fake.count('ChangeResourceRecordSets')).toBe(2);
  });
});

describe('route53 provider: rejected records', () => {
  it('a create of a set that exists is a conflict (the zone changed since it was read), and the whole batch changes nothing', async () => {
    await provider.apply(zone, creates(plain('taken.example.com', 'A', ['192.0.2.1'])), SIGNAL);
    const batch = [plain('new.example.com', 'A', ['192.0.2.2']), plain('taken.example.com', 'A', ['192.0.2.3'])];
    const err = await thrown(provider.apply(zone, creates(...batch), SIGNAL));
    expect(err.kind).toBe('conflict');
    expect(err.message).toContain("Tried to create resource record set [name='taken.example.com.', type='A'] but it already exists");
    expect(fake.list(zone.id).some((s) => s.name === 'new.example.com.')).toBe(false);
  });

  it('a delete of a set that is gone, or no longer holds what was read, is a conflict', async () => {
    const gone = plain('gone.example.com', 'A', ['192.0.2.9']);
    const err = await thrown(provider.apply(zone, { create: [], updateOld: [], updateNew: [], delete: [gone] }, SIGNAL));
    expect(err.kind).toBe('conflict');
    expect(err.message).toContain("Tried to delete resource record set [name='gone.example.com.', type='A'] but it was not found");
    // Another writer (another kfed) changes a plain set after this one wrote it: this one's
    // update is DELETE + CREATE of what it knows, which Route53 refuses as stale.
    const mine = plain('moved.example.com', 'A', ['192.0.2.1']);
    await provider.apply(zone, creates(mine), SIGNAL);
    const other = make();
    const seen = (await other.records(zone, SIGNAL)).find((e) => e.dnsName === 'moved.example.com')!;
    await other.apply(zone, { create: [], updateOld: [seen], updateNew: [plain('moved.example.com', 'A', ['192.0.2.1', '192.0.2.5'])], delete: [] }, SIGNAL);
    const stale = await thrown(provider.apply(zone, { create: [], updateOld: [mine], updateNew: [plain('moved.example.com', 'A', ['192.0.2.1', '192.0.2.8'])], delete: [] }, SIGNAL));
    expect(stale.kind).toBe('conflict');
    expect(stale.message).toContain('the values provided do not match the current values');
    expect(fake.list(zone.id).find((s) => s.name === 'moved.example.com.')?.values).toEqual(['192.0.2.1', '192.0.2.5']);
    await other.close();
  });

  it('a single-record batch with a bad value gets the precise error', async () => {
    const bad = plain('bad.example.com', 'A', ['192.0.2.300']);
    const err = await thrown(provider.apply(zone, creates(bad), SIGNAL));
    expect(err.kind).toBe('rejected');
    expect(err.message).toContain("ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '192.0.2.300'");
  });

  it('names the records of a CNAME conflict, several problems at once', async () => {
    const batch = [plain('c.example.com', 'CNAME', ['www.example.com']), plain('c.example.com', 'TXT', ['x']), plain('example.com', 'CNAME', ['www.example.com'])];
    const err = await thrown(provider.apply(zone, creates(...batch), SIGNAL));
    expect(err.kind).toBe('rejected');
    expect(err.message).toContain('is not permitted as it conflicts with other records');
    expect(err.message).toContain('is not permitted at apex');
    expect(new Set(err.rejected)).toEqual(new Set(batch));
  });

  it('a record Route53 cannot hold is rejected before any call', async () => {
    const e: Endpoint = { dnsName: 'x.example.com', recordType: 'A', targets: ['192.0.2.1'], setIdentifier: 'lonely' };
    const err = await thrown(provider.apply(zone, creates(e), SIGNAL));
    expect(err.kind).toBe('rejected');
    expect(err.rejected).toEqual([e]);
    expect(fake.count('ChangeResourceRecordSets')).toBe(0);
  });
});

describe('route53 provider: throttling', () => {
  it('the SDK retries Throttling and PriorRequestNotComplete and the batch lands', async () => {
    fake.throttle({ count: 1, code: 'Throttling', ops: ['ChangeResourceRecordSets'] });
    fake.throttle({ count: 1, code: 'PriorRequestNotComplete', ops: ['ChangeResourceRecordSets'] });
    await provider.apply(zone, creates(plain('t.example.com', 'A', ['192.0.2.1'])), SIGNAL);
    expect(fake.count('ChangeResourceRecordSets')).toBe(3);
    expect(fake.list(zone.id).some((s) => s.name === 't.example.com.')).toBe(true);
  });

  it('persistent throttling surfaces as `throttled` with Retry-After', async () => {
    const once = make({ maxAttempts: 1 });
    fake.throttle({ count: 5, code: 'Throttling', retryAfterSeconds: 7 });
    const err = await thrown(once.records(zone, SIGNAL));
    expect(err.kind).toBe('throttled');
    expect(err.retryAfterMs).toBe(7000);
    expect(err.transient).toBe(true);
    await once.close();
  });
});

describe('route53 provider: credentials and errors', () => {
  it('wrong keys are `auth`; a Secret without the keys is `config`', async () => {
    const wrong = make({ secret: { AWS_ACCESS_KEY_ID: 'AKIAOTHER', AWS_SECRET_ACCESS_KEY: 's' } });
    expect((await thrown(wrong.zones(['example.com'], SIGNAL))).kind).toBe('auth');
    const empty = make({ secret: { AWS_ACCESS_KEY_ID: 'AKIAKFEDTEST' } });
    expect((await thrown(empty.zones(['example.com'], SIGNAL))).kind).toBe('config');
    await wrong.close();
    await empty.close();
  });

  it('a server that is gone is `unavailable`', async () => {
    const p = make({ maxAttempts: 1 });
    await fake.stop();
    expect((await thrown(p.records(zone, SIGNAL))).kind).toBe('unavailable');
    await p.close();
  });
});

describe('route53 provider: pagination', () => {
  it('reads a zone 300 record sets a page', async () => {
    await provider.apply(zone, creates(...hosts(700)), SIGNAL);
    fake.resetCounts();
    const read = await provider.records(zone, SIGNAL);
    expect(read.filter((e) => e.recordType === 'A')).toHaveLength(700);
    expect(read).toHaveLength(702); // with the apex SOA and NS
    expect(fake.count('ListResourceRecordSets')).toBe(3);
  });
});
