// How the provider classifies what a server answers, against a wire-level fake server
// on loopback: every rcode an UPDATE can get, TSIG errors, silence and hang-ups.
import dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { createRFC2136Provider } from '../../../../providers/rfc2136/index.js';
import { signMessage, tsigKey, verifyRequest } from '../../../../providers/rfc2136/tsig.js';
import { ProviderError, type ProviderContext, type ZoneChanges } from '../../../../src/dns/publish/provider.js';
import { formatStall, measureStalls } from '../../../support/stall-meter.js';
import { startFakeDns, type FakeDns, type Handler } from './fake-server.js';

const SECRET = Buffer.alloc(32, 0x11).toString('base64');
const key = tsigKey('kfed-key', 'hmac-sha256', SECRET);
const zone = { id: 'example.com', name: 'example.com' };
const batch: ZoneChanges = { create: [{ dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1'] }], updateOld: [], updateNew: [], delete: [] };
const silent = { debug: () => {}, info: () => {}, warn: () => {} };

function context(data: Record<string, string> = { secret: SECRET }): ProviderContext {
  return { providerName: 'fake', ownerId: 'o', logger: silent, readSecret: (name) => (name === 'tsig' ? Promise.resolve(data) : Promise.reject(new ProviderError('config', `Secret ${name} not found`))) };
}

/** The answer to an UPDATE: its id and zone section (dns-packet cannot decode the UPDATE's class NONE records). */
function answer(req: Buffer, rcode: number): Buffer {
  return dnsPacket.encode({ type: 'response', id: req.readUInt16BE(0), flags: (5 << 11) | rcode, questions: [{ type: 'SOA', name: 'example.com', class: 'IN' }] });
}

/** Answers every request with `rcode`, signed over the request's MAC as a server does. */
const signed = (rcode: number): Handler => (req) => [signMessage(answer(req, rcode), key, { requestMac: verifyRequest(req, key) }).message];

/** What BIND sends when it cannot check a signature: a TSIG record with no MAC and the error code. */
function withTsigError(message: Buffer, error: number): Buffer {
  const rdata = Buffer.concat([Buffer.from('\x0bhmac-sha256\x00', 'latin1'), Buffer.alloc(6), Buffer.from([1, 44, 0, 0]), message.subarray(0, 2), Buffer.from([error >> 8, error & 0xff, 0, 0])]);
  const rr = Buffer.concat([Buffer.from('\x08kfed-key\x00', 'latin1'), Buffer.from([0, 250, 0, 255, 0, 0, 0, 0, rdata.length >> 8, rdata.length & 0xff]), rdata]);
  const out = Buffer.concat([message, rr]);
  out.writeUInt16BE(1, 10);
  return out;
}

let server: FakeDns | undefined;
afterEach(async () => server?.close());

async function applyAgainst(handler: Handler, timeoutMs = 2000, ctx = context()): Promise<ProviderError | undefined> {
  server = await startFakeDns(handler);
  const p = createRFC2136Provider({ server: `127.0.0.1:${server.port}`, tsigKeyName: 'kfed-key', tsigSecretRef: { name: 'tsig' } }, ctx, { timeoutMs });
  return p.apply(zone, batch, new AbortController().signal).then(
    () => undefined,
    (e: unknown) => {
      expect(e).toBeInstanceOf(ProviderError);
      return e as ProviderError;
    },
  );
}

describe('RFC2136 error classification', () => {
  it.each([
    [0, undefined],
    [3, 'conflict'],
    [6, 'conflict'],
    [7, 'conflict'],
    [8, 'conflict'],
    [5, 'auth'],
    [9, 'auth'],
    [1, 'rejected'],
    [10, 'rejected'],
    [2, 'unavailable'],
    [4, 'config'],
  ] as const)('rcode %i of a signed answer -> %s', async (rcode, kind) => {
    expect((await applyAgainst(signed(rcode)))?.kind).toBe(kind);
    expect(server?.requests).toHaveLength(1);
  });

  it('says what in the server\'s configuration an error rcode points at', async () => {
    expect((await applyAgainst(signed(5)))?.message).toMatch(/REFUSED \(does the zone's update-policy grant key kfed-key these names and types\?/);
    expect((await applyAgainst(signed(8)))?.message).toMatch(/NXRRSET \(another writer changed these record sets since they were read\)/);
    expect((await applyAgainst(signed(10)))?.message).toMatch(/NOTZONE \(a name is outside the zone\)/);
  });

  it('reports the TSIG error of an unsigned NOTAUTH answer (BADSIG) as auth', async () => {
    const badsig: Handler = (req) => [withTsigError(answer(req, 9), 16)];
    const err = await applyAgainst(badsig);
    expect(err?.kind).toBe('auth');
    expect(err?.message).toMatch(/BADSIG/);
  });

  it('never trusts an unsigned success, and classifies an unsigned error by its rcode', async () => {
    expect((await applyAgainst((req) => [answer(req, 0)]))?.kind).toBe('auth');
    expect((await applyAgainst((req) => [answer(req, 1)]))?.kind).toBe('rejected');
  });

  it('is unavailable when the server is silent or hangs up', async () => {
    // Gives up after its 300 ms timeout: well within 2 s of the time this process could run
    // (the fake server runs in it too; stalls of a loaded machine excluded, stall-meter.ts).
    let kind: string | undefined;
    const took = await measureStalls(async () => {
      kind = (await applyAgainst(() => [], 300))?.kind;
    });
    expect(kind).toBe('unavailable');
    expect(took.activeMs, formatStall(took)).toBeLessThan(2000);
    expect((await applyAgainst((_req, socket) => (socket.destroy(), [])))?.kind).toBe('unavailable');
  });

  it('is a configuration error when the Secret or its key is missing, and unavailable when it cannot be read', async () => {
    expect((await applyAgainst(signed(0), 2000, context({ other: SECRET })))?.kind).toBe('config');
    expect((await applyAgainst(signed(0), 2000, context({ secret: 'not base64 !' })))?.kind).toBe('config');
    const apiDown: ProviderContext = { ...context(), readSecret: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6443')) };
    const err = await applyAgainst(signed(0), 2000, apiDown);
    expect(err?.kind).toBe('unavailable');
    expect(err?.message).toMatch(/read Secret tsig: connect ECONNREFUSED/);
    expect(server?.requests).toHaveLength(0);
  });
});
