// The native addon (native/udp-batch) at its edges: the serving threads' queue to
// JavaScript overflowing while JavaScript is busy, startThreads failing, a cached answer
// near the 64 KiB limit. Run under AddressSanitizer and ThreadSanitizer by
// scripts/check-native.sh.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import * as dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { sharedPortFor } from '../../../src/runtime/shared-port.js';
import { addonPath, BatchUdpSocket, META, META_STRIDE, udpBatchBinding, udpBatchUnavailable } from '../../../src/dnsserver/udp-batch.js';

const available = udpBatchBinding() !== undefined;
if (!available && process.env['KFED_E2E_REQUIRED']) {
  throw new Error(`native udp-batch is required under CI but unavailable: ${udpBatchUnavailable()}`);
}

// Sends datagrams from 16 source ports (so SO_REUSEPORT spreads them over every socket)
// until told to stop; a worker, so it keeps sending while the test's thread is busy.
const FLOOD = `
const dgram = require('node:dgram');
const { parentPort, workerData } = require('node:worker_threads');
const socks = Array.from({ length: 16 }, () => dgram.createSocket('udp4'));
let stop = false;
parentPort.on('message', () => { stop = true; });
const q = Buffer.from('not cached: JavaScript answers it');
(function burst() {
  if (stop) { for (const s of socks) s.close(); parentPort.postMessage('stopped'); return; }
  for (const s of socks) for (let i = 0; i < 8; i++) s.send(q, workerData.port, '127.0.0.1');
  setImmediate(burst);
})();
`;

function open(reusePort: boolean, port: number, maxReply = 512): BatchUdpSocket {
  return BatchUdpSocket.open({ address: '127.0.0.1', port, ipv6: false, reusePort, maxReply, recvBufferSize: 0 });
}

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Where a fresh process loads the addon from with KFED_NATIVE_ADDON=addon, or why it did not. */
async function loadWith(addon: string): Promise<string> {
  const code = `const m = await import('./src/dnsserver/udp-batch.ts');
    const b = m.udpBatchBinding();
    const maps = (await import('node:fs')).readFileSync('/proc/self/maps', 'utf8');
    console.log(b && maps.includes(m.addonPath()) ? 'loaded ' + m.addonPath() : m.udpBatchUnavailable());`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', code], { cwd: REPO, env: { ...process.env, KFED_NATIVE_ADDON: addon } });
  return stdout.trim();
}

/** A query for big.example.com with an ECS option for subnet/24 (its 3 address bytes last). */
function ecsQuery(id: number, subnet: string): Buffer {
  const opt: dnsPacket.OptAnswer = {
    type: 'OPT', name: '.', udpPayloadSize: 65000, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false,
    options: [{ code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: subnet }],
  };
  return dnsPacket.encode({ type: 'query', id, questions: [{ type: 'A', name: 'big.example.com' }], additionals: [opt] });
}

describe.skipIf(!available)('the native addon at its edges', () => {
  it('loads from KFED_NATIVE_ADDON when set (a sanitizer build), and says so when that file is missing', async () => {
    const built = addonPath();
    expect(await loadWith(built)).toBe(`loaded ${built}`);
    expect(await loadWith('/nonexistent/udp_batch.node')).toBe('KFED_NATIVE_ADDON=/nonexistent/udp_batch.node does not exist');
  });

  it('count the datagrams they drop while JavaScript is busy and the queue to it is full, read as they run', async () => {
    const sock = open(true, await sharedPortFor('127.0.0.1'));
    let calls = 0;
    let seen = 0;
    sock.start(() => {
      // The first batch holds the thread (as a long handler would) while the serving
      // threads keep reading: the queue fills and they drop the rest, counted in dropped.
      if (calls++ > 0) return;
      const until = Date.now() + 10_000;
      while (Date.now() < until && seen === 0) seen = sock.dropped;
    });
    sock.enableCache(16, 1, []);
    sock.startThreads(3);
    const flood = new Worker(FLOOD, { eval: true, workerData: { port: sock.port } });
    try {
      await new Promise((r) => setTimeout(r, 50));
      const deadline = Date.now() + 20_000;
      while (calls === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(calls).toBeGreaterThan(0);
      expect(seen).toBeGreaterThan(0);
      expect(sock.dropped).toBeGreaterThanOrEqual(seen);
    } finally {
      const stopped = new Promise((r) => flood.once('message', r));
      flood.postMessage('stop');
      await stopped;
      await flood.terminate();
      sock.close();
    }
  });

  it('startThreads refuses a second try after a failed one, and the socket still closes', () => {
    // Opened without SO_REUSEPORT: the threads' sockets cannot bind its port.
    const sock = open(false, 0);
    sock.start(() => {});
    sock.enableCache(16, 1, []);
    expect(() => sock.startThreads(2)).toThrow(/serving threads: bind: Address already in use/);
    expect(() => sock.startThreads(2)).toThrow(/once/);
    sock.close();
  });

  it('replays a cached answer of 40,000 bytes with the next client\'s subnet echoed at its offset', async () => {
    const sock = open(false, 0, 65535);
    const ECS_AT = 39_000;
    let handled = 0;
    sock.start((n) => {
      for (let i = 0; i < n; i++) {
        const m = i * META_STRIDE;
        if (sock.meta[m + META.DONE] !== 0) continue;
        handled++;
        const len = sock.meta[m + META.LEN] ?? 0;
        const q = sock.input.subarray(i * sock.inSlot, i * sock.inSlot + len);
        // Not a real answer (the cache does not read it): the query's header, and its
        // subnet echoed where an ECS option's address would be, after a scope byte.
        const out = sock.output.subarray(i * sock.outSlot, i * sock.outSlot + 40_000).fill(0);
        q.copy(out, 0, 0, 12);
        out[ECS_AT - 1] = 24;
        q.copy(out, ECS_AT, len - 3, len);
        sock.meta[m + META.REPLY_LEN] = 40_000;
        sock.meta[m + META.STORE] = 1;
        sock.meta[m + META.STORE_ECS_AT] = ECS_AT;
        sock.meta[m + META.STORE_METRIC] = 0;
      }
    });
    sock.enableCache(16, 1, []);
    const client = dgram.createSocket('udp4');
    try {
      await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
      const ask = (q: Buffer): Promise<Buffer> => new Promise((resolve) => {
        client.once('message', (msg) => resolve(msg));
        client.send(q, sock.port, '127.0.0.1');
      });
      const first = await ask(ecsQuery(1, '192.0.2.0'));
      expect([...first.subarray(ECS_AT, ECS_AT + 3)]).toEqual([192, 0, 2]);
      const second = await ask(ecsQuery(2, '198.51.100.0'));
      expect(handled).toBe(1);
      expect(second.length).toBe(40_000);
      expect(second.readUInt16BE(0)).toBe(2);
      expect([...second.subarray(ECS_AT, ECS_AT + 3)]).toEqual([198, 51, 100]);
    } finally {
      client.close();
      sock.close();
    }
  });
});
