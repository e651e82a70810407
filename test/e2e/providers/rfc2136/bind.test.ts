// The RFC2136 provider against a real BIND9 on a loopback port: what it writes lands
// (read back by its own AXFR and by dig), other writers' records are untouched, and
// every failure the pipeline reacts to is classified and changes nothing.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import { ProviderError, type Provider, type ProviderContext, type ProviderZone, type ZoneChanges } from '../../../../src/dns/publish/provider.js';
import { DNSClient } from '../../../../providers/rfc2136/client.js';
import { createRFC2136Provider } from '../../../../providers/rfc2136/index.js';
import { parseServer } from '../../../../providers/rfc2136/tcp.js';
import { tsigKey } from '../../../../providers/rfc2136/tsig.js';
import { bindTools, digShort, digZone, nsupdate, startTestBind, type RunningBind } from '../../../support/bind/index.js';

const tools = bindTools();
const signal = new AbortController().signal;

const silent = { debug: () => {}, info: () => {}, warn: () => {} };

function bindContext(secret: () => string): ProviderContext {
  return {
    providerName: 'bind',
    ownerId: 'test-owner',
    readSecret: (name) => (name === 'bind-tsig' ? Promise.resolve({ secret: secret() }) : Promise.reject(new ProviderError('config', `no Secret ${name}`))),
    logger: silent,
  };
}

function providerFor(bind: RunningBind, secret = (): string => bind.tsig.secret): Provider {
  return createRFC2136Provider(
    { server: bind.server, tsigKeyName: bind.tsig.name, tsigAlgorithm: bind.tsig.algorithm, tsigSecretRef: { name: 'bind-tsig', key: 'secret' } },
    bindContext(secret),
    { timeoutMs: 5000 },
  );
}

function changes(c: Partial<ZoneChanges>): ZoneChanges {
  return { create: c.create ?? [], updateOld: c.updateOld ?? [], updateNew: c.updateNew ?? [], delete: c.delete ?? [] };
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const OWNERSHIP = 'heritage=external-dns,external-dns/owner=test-owner,external-dns/resource=dnsendpoint/go-app/service-go-app';

describe.skipIf(!tools)('RFC2136 provider against BIND9', () => {
  const t = tools as NonNullable<typeof tools>;
  let bind: RunningBind;
  let provider: Provider;
  let zone: ProviderZone;
  const find = (records: Endpoint[], name: string, type: string): Endpoint | undefined => records.find((r) => r.dnsName === name && r.recordType === type);

  beforeAll(async () => {
    bind = await startTestBind(t, [{ name: 'example.com', records: ['keep IN A 198.51.100.7', 'keep IN TXT "not written by kfed"', 'alias IN CNAME keep'] }]);
    provider = providerFor(bind);
    [zone] = (await provider.zones(['example.com'], signal)) as [ProviderZone];
  });
  afterAll(async () => {
    await provider?.close();
    await bind?.stop();
  });

  it('finds the zone by its SOA and refuses one the server does not serve', async () => {
    expect(zone).toEqual({ id: 'example.com', name: 'example.com' });
    // Domains below the apex (existing or not) belong to the zone that holds them.
    expect(await provider.zones(['myfed.svc.example.com', 'keep.example.com', 'example.com'], signal)).toEqual([zone]);
    const err = await failure(provider.zones(['example.org'], signal));
    expect(err.kind).toBe('config');
    expect(err.message).toMatch(/example\.org/);

    const configured = (z: string): Provider =>
      createRFC2136Provider({ server: bind.server, zone: z, tsigKeyName: bind.tsig.name, tsigAlgorithm: bind.tsig.algorithm, tsigSecretRef: { name: 'bind-tsig' } }, bindContext(() => bind.tsig.secret));
    expect(await configured('example.com').zones(['svc.example.com'], signal)).toEqual([zone]);
    expect(await configured('example.com').zones(['example.net'], signal)).toEqual([]);
    const notApex = await failure(configured('svc.example.com').zones(['svc.example.com'], signal));
    expect(notApex.kind).toBe('config');
    expect(notApex.message).toMatch(/belong to zone example\.com/);
  });

  it('creates A, AAAA, CNAME and TXT records that AXFR and dig read back as written, leaving other records alone', async () => {
    const before = await digZone(t, bind, 'example.com');
    const created: Endpoint[] = [
      { dnsName: 'go-app.example.com', recordType: 'A', recordTTL: 60, targets: ['192.0.2.10', '198.51.100.10'] },
      { dnsName: 'go-app.example.com', recordType: 'AAAA', recordTTL: 60, targets: ['2001:db8::10', '2001:db8:0:1::10'] },
      { dnsName: 'go.example.com', recordType: 'CNAME', recordTTL: 120, targets: ['go-app.example.com'] },
      { dnsName: 'a-go-app.example.com', recordType: 'TXT', recordTTL: 300, targets: [OWNERSHIP] },
    ];
    await provider.apply(zone, changes({ create: created }), signal);

    const records = await provider.records(zone, signal);
    for (const e of created) expect(find(records, e.dnsName, e.recordType)).toEqual({ ...e, targets: [...e.targets].sort() });
    expect(find(records, 'keep.example.com', 'A')).toEqual({ dnsName: 'keep.example.com', recordType: 'A', recordTTL: 300, targets: ['198.51.100.7'] });
    expect(find(records, 'keep.example.com', 'TXT')?.targets).toEqual(['not written by kfed']);
    expect(records.some((r) => r.recordType === 'NS' && r.dnsName === 'example.com')).toBe(false);

    expect(await digShort(t, bind, 'go-app.example.com', 'A')).toEqual(['192.0.2.10', '198.51.100.10']);
    expect(await digShort(t, bind, 'go-app.example.com', 'AAAA')).toEqual(['2001:db8:0:1::10', '2001:db8::10']);
    expect(await digShort(t, bind, 'go.example.com', 'CNAME')).toEqual(['go-app.example.com.']);
    expect(await digShort(t, bind, 'a-go-app.example.com', 'TXT')).toEqual([`"${OWNERSHIP}"`]);
    const after = await digZone(t, bind, 'example.com');
    expect(after.filter((l) => !/^(go-app|go|a-go-app)\.example\.com\./.test(l))).toEqual(before);
  });

  it('updates and deletes exactly the record sets it read', async () => {
    const records = await provider.records(zone, signal);
    const oldA = find(records, 'go-app.example.com', 'A') as Endpoint;
    const oldTxt = find(records, 'a-go-app.example.com', 'TXT') as Endpoint;
    const oldCname = find(records, 'go.example.com', 'CNAME') as Endpoint;
    const newA: Endpoint = { dnsName: 'go-app.example.com', recordType: 'A', recordTTL: 30, targets: ['203.0.113.10'] };
    const newCname: Endpoint = { dnsName: 'go.example.com', recordType: 'CNAME', recordTTL: 120, targets: ['keep.example.com'] };
    await provider.apply(zone, changes({ updateOld: [oldA, oldCname], updateNew: [newA, newCname], delete: [oldTxt] }), signal);

    const now = await provider.records(zone, signal);
    expect(find(now, 'go-app.example.com', 'A')).toEqual(newA);
    expect(find(now, 'go.example.com', 'CNAME')).toEqual(newCname);
    expect(find(now, 'a-go-app.example.com', 'TXT')).toBeUndefined();
    expect(await digShort(t, bind, 'go-app.example.com', 'A')).toEqual(['203.0.113.10']);
    expect(await digShort(t, bind, 'a-go-app.example.com', 'TXT')).toEqual([]);
    expect(await digShort(t, bind, 'keep.example.com', 'A')).toEqual(['198.51.100.7']);
  });

  it('replaces a CNAME by an A record in one batch (delete and create of one name)', async () => {
    const cname = find(await provider.records(zone, signal), 'go.example.com', 'CNAME') as Endpoint;
    await provider.apply(zone, changes({ delete: [cname], create: [{ dnsName: 'go.example.com', recordType: 'A', recordTTL: 60, targets: ['192.0.2.20'] }] }), signal);
    expect(await digShort(t, bind, 'go.example.com', 'CNAME')).toEqual([]);
    expect(await digShort(t, bind, 'go.example.com', 'A')).toEqual(['192.0.2.20']);
  });

  it('with a wrong TSIG secret fails with auth and changes nothing', async () => {
    const wrong = providerFor(bind, () => Buffer.alloc(32, 7).toString('base64'));
    const before = await digZone(t, bind, 'example.com');
    const err = await failure(wrong.apply(zone, changes({ create: [{ dnsName: 'intruder.example.com', recordType: 'A', targets: ['192.0.2.66'] }] }), signal));
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(/BADSIG/);
    expect((await failure(wrong.records(zone, signal))).kind).toBe('auth');
    expect((await failure(wrong.zones(['example.com'], signal))).kind).toBe('auth');
    expect(await digZone(t, bind, 'example.com')).toEqual(before);
  });

  it('reports a clock off by more than the fudge as auth (BADTIME)', async () => {
    const key = tsigKey(bind.tsig.name, bind.tsig.algorithm, bind.tsig.secret);
    const client = new DNSClient({ server: parseServer(bind.server), key, timeoutMs: 5000, now: () => Math.floor(Date.now() / 1000) - 3600 });
    const err = await failure(client.transfer('example.com', signal));
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(/BADTIME/);
  });

  it('fails with conflict and changes nothing when another writer changed a record since it was read', async () => {
    const stale = find(await provider.records(zone, signal), 'go-app.example.com', 'A') as Endpoint;
    await nsupdate(t, bind, ['update add go-app.example.com 30 A 203.0.113.99']);
    const before = await digZone(t, bind, 'example.com');

    const update = changes({ updateOld: [stale], updateNew: [{ ...stale, targets: ['192.0.2.30'] }], create: [{ dnsName: 'fresh.example.com', recordType: 'A', targets: ['192.0.2.31'] }] });
    expect((await failure(provider.apply(zone, update, signal))).kind).toBe('conflict');
    expect((await failure(provider.apply(zone, changes({ delete: [stale] }), signal))).kind).toBe('conflict');
    // A create where the other writer already put a record set of that name and type.
    expect((await failure(provider.apply(zone, changes({ create: [{ dnsName: 'keep.example.com', recordType: 'A', targets: ['192.0.2.32'] }] }), signal))).kind).toBe('conflict');
    // A create of a CNAME where other data lives (BIND would silently ignore the addition).
    expect((await failure(provider.apply(zone, changes({ create: [{ dnsName: 'keep.example.com', recordType: 'CNAME', targets: ['go-app.example.com'] }] }), signal))).kind).toBe('conflict');
    expect(await digZone(t, bind, 'example.com')).toEqual(before);

    // After a re-read the same change goes through.
    const fresh = find(await provider.records(zone, signal), 'go-app.example.com', 'A') as Endpoint;
    expect(fresh.targets).toEqual(['203.0.113.10', '203.0.113.99']);
    await provider.apply(zone, changes({ updateOld: [fresh], updateNew: [{ ...fresh, targets: ['192.0.2.30'] }] }), signal);
    expect(await digShort(t, bind, 'go-app.example.com', 'A')).toEqual(['192.0.2.30']);
  });

  it('rejects a batch with one bad record as a whole and changes nothing', async () => {
    const before = await digZone(t, bind, 'example.com');
    const good: Endpoint = { dnsName: 'good.example.com', recordType: 'A', targets: ['192.0.2.40'] };
    const outside: Endpoint = { dnsName: 'www.example.org', recordType: 'A', targets: ['192.0.2.41'] };
    const server = await failure(provider.apply(zone, changes({ create: [good, outside] }), signal));
    expect(server.kind).toBe('rejected');
    expect(server.message).toMatch(/NOTZONE/);

    const malformed: Endpoint = { dnsName: 'bad.example.com', recordType: 'A', targets: ['192.0.2.300'] };
    const local = await failure(provider.apply(zone, changes({ create: [good, malformed] }), signal));
    expect(local.kind).toBe('rejected');
    expect(local.rejected).toEqual([malformed]);
    expect(await digZone(t, bind, 'example.com')).toEqual(before);
  });

  it('keeps long and multi-string TXT records intact', async () => {
    const long = 'x'.repeat(300);
    await provider.apply(zone, changes({ create: [{ dnsName: 'long.example.com', recordType: 'TXT', targets: [long] }] }), signal);
    const [read] = (await provider.records(zone, signal)).filter((r) => r.dnsName === 'long.example.com');
    expect(read?.targets).toEqual([long]);
    expect(await digShort(t, bind, 'long.example.com', 'TXT')).toEqual([`"${'x'.repeat(255)}" "${'x'.repeat(45)}"`]);

    // Another writer split its text differently: kfed reads it joined and still deletes it exactly.
    await nsupdate(t, bind, ['update add split.example.com 300 TXT "ab" "cd"']);
    const split = find(await provider.records(zone, signal), 'split.example.com', 'TXT') as Endpoint;
    expect(split.targets).toEqual(['abcd']);
    await provider.apply(zone, changes({ delete: [split] }), signal);
    expect(await digShort(t, bind, 'split.example.com', 'TXT')).toEqual([]);
  });

  it('is unavailable when no server listens', async () => {
    const port = bind.port;
    const gone = createRFC2136Provider({ server: `127.0.0.1:${port === 1 ? 2 : 1}` }, bindContext(() => ''), { timeoutMs: 2000 });
    expect((await failure(gone.records(zone, signal))).kind).toBe('unavailable');
  });
});

describe.skipIf(!tools).each(['hmac-sha1', 'hmac-sha384', 'hmac-sha512'] as const)('RFC2136 provider with %s keys', (algorithm) => {
  it('writes and reads a record', async () => {
    const bind = await startTestBind(tools as NonNullable<typeof tools>, [{ name: 'example.net' }], { algorithm });
    try {
      const p = providerFor(bind);
      const [z] = (await p.zones(['example.net'], signal)) as [ProviderZone];
      await p.apply(z, changes({ create: [{ dnsName: 'www.example.net', recordType: 'A', recordTTL: 60, targets: ['192.0.2.5'] }] }), signal);
      expect((await p.records(z, signal)).find((r) => r.dnsName === 'www.example.net')).toEqual({ dnsName: 'www.example.net', recordType: 'A', recordTTL: 60, targets: ['192.0.2.5'] });
    } finally {
      await bind.stop();
    }
  });
});

describe.skipIf(!tools)('RFC2136 provider with a zone of thousands of records', () => {
  it('publishes in batches that fit one UPDATE each and reads the zone back over a multi-message AXFR', async () => {
    const t = tools as NonNullable<typeof tools>;
    const bind = await startTestBind(t, [{ name: 'big.example' }]);
    try {
      const p = providerFor(bind);
      const [z] = (await p.zones(['big.example'], signal)) as [ProviderZone];
      const wanted: Endpoint[] = Array.from({ length: 3000 }, (_, i) => ({ dnsName: `svc-${i}.big.example`, recordType: 'A', recordTTL: 60, targets: [`192.0.2.${i % 250}`, `198.51.100.${i % 250}`] }));
      // Greedy packing as the pipeline does it.
      let messages = 0;
      let batch: Endpoint[] = [];
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        await p.apply(z, changes({ create: batch }), signal);
        messages++;
        batch = [];
      };
      for (const e of wanted) {
        if (!p.limits.fits(changes({ create: [...batch, e] }))) await flush();
        batch.push(e);
      }
      await flush();
      expect(messages).toBeGreaterThan(1);
      expect(messages).toBeLessThanOrEqual(Math.ceil(wanted.length / 200));

      const read = (await p.records(z, signal)).filter((r) => r.dnsName.startsWith('svc-'));
      expect(read).toHaveLength(wanted.length);
      expect(read.find((r) => r.dnsName === 'svc-2999.big.example')).toEqual({ ...wanted[2999], targets: ['192.0.2.249', '198.51.100.249'] });
      const { stdout } = await promisify(execFile)(t.dig, [`@${bind.host}`, '-p', String(bind.port), '-y', `${bind.tsig.algorithm}:${bind.tsig.name}:${bind.tsig.secret}`, 'big.example', 'AXFR']);
      const xfr = /XFR size: (\d+) records \(messages (\d+)/.exec(stdout);
      expect(Number(xfr?.[2])).toBeGreaterThan(1); // BIND split the transfer; each message was verified
    } finally {
      await bind.stop();
    }
  }, 60_000);
});
