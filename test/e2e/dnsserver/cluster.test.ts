// The multi-process server: workers sharing one UDP socket and TCP listener.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusteredDnsServer } from '../../../src/dnsserver/cluster.js';
import { ephemeralPortRange } from '../../../src/runtime/shared-port.js';
import { buildSnapshot } from '../../../src/dnsserver/snapshot.js';
import { requireTools } from '../../support/tools.js';
import { dig, tool } from './harness.js';

const tools = requireTools('dig');

describe.skipIf(!tools)('ClusteredDnsServer', () => {
  const digBin = tools?.dig ?? 'dig';
  const server = new ClusteredDnsServer({ port: 0, workers: 2, geo: false, rateLimit: false });
  let port = 0;
  const snap = (ip: string, serial: number) => buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: [{ dnsName: 'www.example.com', recordType: 'A', targets: [ip] }], serial });

  beforeAll(async () => {
    port = (await server.start()).udpPort;
    // The workers' SO_REUSEPORT port is below the ephemeral range, where none of dig's sockets
    // (SO_REUSEPORT, port 0) can land on it and read back their own queries (shared-port.ts).
    expect(port).toBeLessThan((await ephemeralPortRange()).low);
    await server.setSnapshot(snap('192.0.2.1', 1));
  }, 30_000);
  afterAll(async () => { await server.close(); });

  it('answers over UDP and TCP from every worker and swaps snapshots in all of them', async () => {
    const out = await tool(digBin, port, ['+short', ...Array.from({ length: 200 }, () => ['www.example.com', 'A']).flat()]);
    expect(new Set(out.trim().split('\n'))).toEqual(new Set(['192.0.2.1']));
    expect((await dig(digBin, port, '+tcp', 'www.example.com', 'A')).answer).toEqual(['www.example.com. 300 IN A 192.0.2.1']);
    await server.setSnapshot(snap('192.0.2.2', 2));
    const after = await tool(digBin, port, ['+short', ...Array.from({ length: 200 }, () => ['www.example.com', 'A']).flat()]);
    expect(new Set(after.trim().split('\n'))).toEqual(new Set(['192.0.2.2']));
  });

  it('sums the workers\' metrics', async () => {
    const text = await server.metrics();
    const m = /kfed_dns_queries_total\{transport="udp",qtype="A",rcode="NOERROR"\} (\d+)/.exec(text);
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(400);
  });
});
