// The native batched UDP socket (native/udp-batch) against real datagrams on loopback.
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { sharedPortFor } from '../../../src/runtime/shared-port.js';
import { BatchUdpSocket, META, META_STRIDE, slotAddress, udpBatchBinding, udpBatchUnavailable } from '../../../src/dnsserver/udp-batch.js';

const available = udpBatchBinding() !== undefined;
if (!available && process.env['KFED_E2E_REQUIRED']) {
  throw new Error(`native udp-batch is required under CI but unavailable: ${udpBatchUnavailable()}`);
}

/** A meta slot holding an IPv6 address as the addon writes it (network-order bytes in little-endian words). */
function metaFor(bytes: number[], family: 4 | 6): Int32Array {
  const m = new Int32Array(META_STRIDE);
  m[META.FAMILY] = family;
  const b = Buffer.alloc(16);
  Buffer.from(bytes).copy(b);
  for (let i = 0; i < 4; i++) m[META.ADDR + i] = b.readInt32LE(i * 4);
  return m;
}

describe('slotAddress', () => {
  it('formats IPv4 and IPv6 (RFC 5952) sources as node:dgram does', () => {
    expect(slotAddress(metaFor([192, 0, 2, 200], 4), 0)).toBe('192.0.2.200');
    expect(slotAddress(metaFor([255, 255, 255, 255], 4), 0)).toBe('255.255.255.255');
    const v6 = (s: string): number[] => {
      const [h = '', t = ''] = s.split('::');
      const hs = h ? h.split(':') : [];
      const ts = t ? t.split(':') : [];
      const groups = s.includes('::') ? [...hs, ...Array<string>(8 - hs.length - ts.length).fill('0'), ...ts] : hs;
      return groups.flatMap((g) => { const n = parseInt(g, 16); return [n >> 8, n & 0xff]; });
    };
    for (const a of ['::1', '2001:db8::1', '1:2:3:4:5:6:7:8', '2001:db8::1:0:0:1', '2001:0:0:1::1', 'fe80::']) {
      expect(slotAddress(metaFor(v6(a), 6), 0)).toBe(a);
    }
    expect(slotAddress(metaFor([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7], 6), 0)).toBe('::ffff:192.0.2.7');
  });
});

describe.skipIf(!available)('BatchUdpSocket', () => {
  async function roundTrip(address: '127.0.0.1' | '::1'): Promise<void> {
    const sock = BatchUdpSocket.open({ address, port: 0, ipv6: isIPv6(address), reusePort: false, maxReply: 1232, recvBufferSize: 0 });
    // Echo each datagram back with the source address and port the addon reported appended.
    sock.start((n) => {
      for (let i = 0; i < n; i++) {
        const base = i * META_STRIDE;
        const len = sock.meta[base + META.LEN] ?? 0;
        const tag = Buffer.from(` from ${slotAddress(sock.meta, base)} ${sock.meta[base + META.PORT]}`);
        sock.input.copy(sock.output, i * sock.outSlot, i * sock.inSlot, i * sock.inSlot + len);
        tag.copy(sock.output, i * sock.outSlot + len);
        sock.meta[base + META.REPLY_LEN] = len + tag.length;
      }
    });
    const client = dgram.createSocket(isIPv6(address) ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((r) => client.bind(0, address, () => r()));
      const replies: string[] = [];
      const got = new Promise<void>((resolve) => client.on('message', (m) => { replies.push(m.toString()); if (replies.length === 200) resolve(); }));
      // A burst larger than one batch (64), so several recvmmsg rounds run.
      for (let i = 0; i < 200; i++) client.send(`q${i}`, sock.port, address);
      await got;
      const me = `${address} ${client.address().port}`;
      expect(new Set(replies)).toEqual(new Set(Array.from({ length: 200 }, (_, i) => `q${i} from ${me}`)));
    } finally {
      client.close();
      sock.close();
    }
  }

  it('receives and answers bursts over IPv4 with the real source address', () => roundTrip('127.0.0.1'));
  it('receives and answers over IPv6', () => roundTrip('::1'));

  it('shares a port only with SO_REUSEPORT, and frees it on close', async () => {
    // Not port 0: with SO_REUSEPORT that may join another process's group (a dig socket's, say),
    // which would then hold the port after these close (shared-port.ts).
    const a = BatchUdpSocket.open({ address: '127.0.0.1', port: await sharedPortFor('127.0.0.1'), ipv6: false, reusePort: true, maxReply: 512, recvBufferSize: 0 });
    const b = BatchUdpSocket.open({ address: '127.0.0.1', port: a.port, ipv6: false, reusePort: true, maxReply: 512, recvBufferSize: 0 });
    expect(b.port).toBe(a.port);
    let err: NodeJS.ErrnoException | undefined;
    try {
      BatchUdpSocket.open({ address: '127.0.0.1', port: a.port, ipv6: false, reusePort: false, maxReply: 512, recvBufferSize: 0 }).close();
    } catch (e) {
      err = e as NodeJS.ErrnoException;
    }
    expect(err?.code).toBe('EADDRINUSE');
    a.close();
    b.close();
    const c = BatchUdpSocket.open({ address: '127.0.0.1', port: a.port, ipv6: false, reusePort: false, maxReply: 512, recvBufferSize: 0 });
    c.close();
  });

  it('refuses bad arguments with clear errors instead of crashing', () => {
    expect(() => BatchUdpSocket.open({ address: 'localhost', port: 0, ipv6: false, reusePort: false, maxReply: 512, recvBufferSize: 0 })).toThrow(/not an IPv4 address/);
    expect(() => BatchUdpSocket.open({ address: '127.0.0.1', port: 70000, ipv6: false, reusePort: false, maxReply: 512, recvBufferSize: 0 })).toThrow(/out of range/);
    const s = BatchUdpSocket.open({ address: '127.0.0.1', port: 0, ipv6: false, reusePort: false, maxReply: 512, recvBufferSize: 0 });
    s.close();
    expect(() => s.start(() => {})).toThrow(/closed/);
  });
});
