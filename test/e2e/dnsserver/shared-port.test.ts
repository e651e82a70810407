// A DNS server whose UDP sockets use SO_REUSEPORT (serving threads, worker processes) and
// is asked for port 0 listens below the kernel's ephemeral port range. Inside it, a port-0
// bind with SO_REUSEPORT by the same user may be given the server's port: dig does that
// for every query (it sets SO_REUSEPORT, binds 0.0.0.0:0 and connects), and a dig socket on
// the server's port receives its own query instead of the server ("query response not
// set"; cluster.test.ts failed so: its 400 digs each have about 1 chance in 28,000 to land there).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DnsServer } from '../../../src/dnsserver/server.js';
import { buildSnapshot } from '../../../src/dnsserver/snapshot.js';
import { ephemeralPortRange, sharedPortFor } from '../../../src/runtime/shared-port.js';
import { udpBatchBinding } from '../../../src/dnsserver/udp-batch.js';
import { requireTools } from '../../support/tools.js';
import { dig } from './harness.js';

const tools = requireTools('dig');

describe('the port of a DNS server with SO_REUSEPORT sockets', () => {
  it('reads the ephemeral range from the kernel, with Linux\'s default when it cannot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfed-port-range-'));
    writeFileSync(join(dir, 'range'), '20000\t45000\n');
    expect(await ephemeralPortRange(join(dir, 'range'))).toEqual({ low: 20000, high: 45000 });
    writeFileSync(join(dir, 'bad'), 'x y\n');
    expect(await ephemeralPortRange(join(dir, 'bad'))).toEqual({ low: 32768, high: 60999 });
    expect(await ephemeralPortRange(join(dir, 'missing'))).toEqual({ low: 32768, high: 60999 });
  });

  it('picks a port below the ephemeral range that UDP and TCP can both bind', async () => {
    const { low } = await ephemeralPortRange();
    for (let i = 0; i < 5; i++) {
      const port = await sharedPortFor('127.0.0.1');
      expect(port).toBeGreaterThanOrEqual(1024);
      expect(port).toBeLessThan(low);
    }
  });

  it.skipIf(udpBatchBinding() === undefined || !tools)('a server with serving threads asked for port 0 listens below the ephemeral range and answers dig there', async () => {
    const { low } = await ephemeralPortRange();
    const server = new DnsServer({ address: '127.0.0.1', port: 0, udpThreads: 2, rateLimit: false });
    try {
      const { udpPort, tcpPort } = await server.start();
      expect(server.udpMode).toBe('batched');
      expect(udpPort).toBeLessThan(low);
      expect(tcpPort).toBe(udpPort);
      server.setSnapshot(buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: [{ dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1'] }] }));
      expect((await dig(tools!.dig, udpPort, 'www.example.com', 'A')).answer).toEqual(['www.example.com. 300 IN A 192.0.2.1']);
    } finally {
      await server.close();
    }
  });

  it('a server without SO_REUSEPORT asked for port 0 still takes the kernel\'s ephemeral port', async () => {
    const { low, high } = await ephemeralPortRange();
    const server = new DnsServer({ address: '127.0.0.1', port: 0, rateLimit: false });
    try {
      const { udpPort } = await server.start();
      expect(udpPort).toBeGreaterThanOrEqual(low);
      expect(udpPort).toBeLessThanOrEqual(high);
    } finally {
      await server.close();
    }
  });
});
