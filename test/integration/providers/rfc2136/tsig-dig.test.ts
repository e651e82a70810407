// TSIG checked against an independent implementation: dig (BIND's libdns) signs a
// query that kfed's code verifies, and verifies the answer kfed's code signs.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { signMessage, tsigKey, verifyRequest } from '../../../../providers/rfc2136/tsig.js';
import { requireTools } from '../../../support/tools.js';
import { startFakeDns, type FakeDns } from './fake-server.js';

const tools = requireTools('dig');
const run = promisify(execFile);

describe.skipIf(!tools).each(['hmac-sha256', 'hmac-sha1', 'hmac-sha512'] as const)('TSIG (%s) with dig', (algorithm) => {
  const secret = Buffer.alloc(algorithm === 'hmac-sha512' ? 64 : 32, 0x5a).toString('base64');
  const key = tsigKey('kfed-key', algorithm, secret);
  let server: FakeDns | undefined;
  afterEach(async () => server?.close());

  async function digAgainst(tamper: boolean): Promise<{ out: string; verified: string[] }> {
    const verified: string[] = [];
    server = await startFakeDns((req) => {
      const requestMac = verifyRequest(req, key);
      verified.push(requestMac.toString('hex'));
      const q = dnsPacket.decode(req);
      const answer = dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: q.questions ?? [], answers: [{ type: 'A', name: 'www.example.com', ttl: 60, data: '192.0.2.1' }] });
      const signed = signMessage(answer, key, { requestMac }).message;
      if (tamper) signed[signed.length - 10] = (signed[signed.length - 10] ?? 0) ^ 0xff; // inside the MAC
      return [signed];
    });
    const res = await run((tools as { dig: string }).dig, ['@127.0.0.1', '-p', String(server.port), '+tcp', '+tries=1', '+time=3', '-y', `${algorithm}:kfed-key:${secret}`, 'www.example.com', 'A']).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
    return { out: `${res.stdout}\n${res.stderr}`, verified };
  }

  it('verifies the query dig signed, and dig accepts the answer kfed signed', async () => {
    const { out, verified } = await digAgainst(false);
    expect(verified).toHaveLength(1);
    expect(out).toMatch(/www\.example\.com\.\s+60\s+IN\s+A\s+192\.0\.2\.1/);
    expect(out).not.toMatch(/verify|failure/i);
  });

  it('dig refuses an answer whose MAC was changed (the check above means something)', async () => {
    const { out } = await digAgainst(true);
    expect(out).toMatch(/tsig verify failure|Couldn't verify signature|BADSIG/i);
  });
});
