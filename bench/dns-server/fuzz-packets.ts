// Packet fuzzer for the DNS server: random bytes and mutations of valid queries, sent
// over UDP and TCP; every reply must decode (dns-packet) and echo the query ID. Seeded,
// so a failure reproduces.
import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';

export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0 || 1; }
  next(): number {
    // xorshift32
    let x = this.s;
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    this.s = x;
    return x;
  }
  int(n: number): number { return this.next() % n; }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)] as T; }
}

const NAMES = ['www.example.com', 'example.com', 'go-app.go-app.myfed.svc.example.com', 'alias.example.com', 'x.wild.example.com', 'big.example.com', 'nope.example.com', 'WWW.EXAMPLE.COM', 'other.org', '.'];
const TYPES: dnsPacket.RecordType[] = ['A', 'AAAA', 'CNAME', 'TXT', 'NS', 'SOA', 'MX', 'SRV', 'CAA', 'PTR', 'AXFR' as dnsPacket.RecordType, 'OPT'];

/** Valid queries to mutate: plain, EDNS, ECS (v4/v6), DO bit, odd sizes. */
export function seedCorpus(): Buffer[] {
  const out: Buffer[] = [];
  let id = 1;
  for (const name of NAMES) {
    for (const type of TYPES) {
      out.push(dnsPacket.encode({ type: 'query', id: id++, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] }));
      const opt = (options: unknown[], size = 1232): dnsPacket.Answer => ({ type: 'OPT', name: '.', udpPayloadSize: size, flags: dnsPacket.DNSSEC_OK, options } as unknown as dnsPacket.Answer);
      out.push(dnsPacket.encode({ type: 'query', id: id++, questions: [{ type, name }], additionals: [opt([{ code: 8, ip: '81.2.69.0', sourcePrefixLength: 24, scopePrefixLength: 0 }])] }));
      out.push(dnsPacket.encode({ type: 'query', id: id++, questions: [{ type, name }], additionals: [opt([{ code: 8, ip: '2a00:1450::', sourcePrefixLength: 32, scopePrefixLength: 0 }], 512)] }));
      out.push(dnsPacket.encode({ type: 'query', id: id++, questions: [{ type, name }], additionals: [opt([{ code: 10, data: Buffer.alloc(8, 7) }], 4096)] }));
    }
  }
  return out;
}

const INTERESTING = [0, 1, 0x3f, 0x40, 0x7f, 0x80, 0xc0, 0xc0, 0xff, 12, 41, 8];

export function mutate(rng: Rng, seed: Buffer): Buffer {
  let b = Buffer.from(seed);
  const n = 1 + rng.int(8);
  for (let i = 0; i < n; i++) {
    const op = rng.int(9);
    const at = b.length > 0 ? rng.int(b.length) : 0;
    if (op <= 1 && b.length > 0) b[at] = (b[at] ?? 0) ^ (1 << rng.int(8));
    else if (op === 2 && b.length > 0) b[at] = rng.int(256);
    else if (op === 3 && b.length > 0) b[at] = rng.pick(INTERESTING);
    else if (op === 4) b = b.subarray(0, rng.int(b.length + 1));
    else if (op === 5) b = Buffer.concat([b, randomBytes(rng, rng.int(64))]);
    else if (op === 6 && b.length >= 12) b.writeUInt16BE(rng.pick([0, 1, 2, 3, 255, 65535]), 4 + 2 * rng.int(4));
    else if (op === 7 && b.length > 4) { const from = rng.int(b.length - 2); b = Buffer.concat([b.subarray(0, at), b.subarray(from, from + rng.int(16)), b.subarray(at)]); }
    else if (op === 8 && b.length > 14) { b[at] = 0xc0 | rng.int(4); if (at + 1 < b.length) b[at + 1] = rng.int(256); }
  }
  return b;
}

function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(256);
  return b;
}

/** One fuzz packet: mostly mutations, some pure noise, some noise behind a plausible header. */
export function fuzzPacket(rng: Rng, corpus: readonly Buffer[]): Buffer {
  const k = rng.int(10);
  if (k < 7) return mutate(rng, rng.pick(corpus));
  if (k < 9) return randomBytes(rng, rng.int(k === 7 ? 12 : 600));
  const b = randomBytes(rng, 12 + rng.int(300));
  b[2] = (b[2] ?? 0) & 0x7f;
  b.writeUInt16BE(1, 4);
  return b;
}

export interface FuzzStats {
  sent: number;
  replies: number;
  undecodable: number;
  idMismatch: number;
  firstBad?: string;
}

function check(stats: FuzzStats, query: Buffer | undefined, reply: Buffer): void {
  stats.replies++;
  try {
    const p = dnsPacket.decode(reply);
    if (query && query.length >= 2 && p.id !== query.readUInt16BE(0)) {
      stats.idMismatch++;
      stats.firstBad ??= `id mismatch: query ${query.toString('hex')} reply ${reply.toString('hex')}`;
    }
  } catch (err) {
    stats.undecodable++;
    stats.firstBad ??= `undecodable reply ${reply.toString('hex')} to ${query?.toString('hex')}: ${(err as Error).message}`;
  }
}

const SENTINEL_ID = 0xffff;

/**
 * Sends `count` fuzz datagrams in batches; each batch ends with a valid sentinel query
 * whose reply (the server answers in order on one socket) says the batch was processed.
 */
export async function fuzzUdp(port: number, count: number, seed: number, batch = 64): Promise<FuzzStats & { sentinelTimeouts: number }> {
  const rng = new Rng(seed);
  const corpus = seedCorpus();
  const stats = { sent: 0, replies: 0, undecodable: 0, idMismatch: 0, sentinelTimeouts: 0 } as FuzzStats & { sentinelTimeouts: number };
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const sentinel = dnsPacket.encode({ type: 'query', id: SENTINEL_ID, questions: [{ type: 'A', name: 'www.example.com' }] });
  const pending = new Map<number, Buffer>();
  let wake: (() => void) | undefined;
  sock.on('message', (m) => {
    const id = m.length >= 2 ? m.readUInt16BE(0) : -1;
    if (id === SENTINEL_ID) { check(stats, sentinel, m); stats.replies--; wake?.(); return; }
    check(stats, pending.get(id), m);
  });
  while (stats.sent < count) {
    pending.clear();
    for (let i = 0; i < batch && stats.sent < count; i++, stats.sent++) {
      let p = fuzzPacket(rng, corpus);
      if (p.length >= 2) { p = Buffer.from(p); p.writeUInt16BE(i, 0); pending.set(i, p); }
      sock.send(p, port, '127.0.0.1');
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => { stats.sentinelTimeouts++; resolve(); }, 1000);
      wake = () => { clearTimeout(t); resolve(); };
      sock.send(sentinel, port, '127.0.0.1');
    });
  }
  sock.close();
  return stats;
}

/** Opens connections and sends framed fuzz packets (several per connection, sometimes split or garbled). */
export async function fuzzTcp(port: number, count: number, seed: number, perConnection = 50): Promise<FuzzStats> {
  const rng = new Rng(seed);
  const corpus = seedCorpus();
  const stats: FuzzStats = { sent: 0, replies: 0, undecodable: 0, idMismatch: 0 };
  const parallel = 8;
  const one = async (): Promise<void> => {
    while (stats.sent < count) {
      const packets: Buffer[] = [];
      for (let i = 0; i < perConnection && stats.sent < count; i++, stats.sent++) {
        const p = fuzzPacket(rng, corpus);
        // A frame shorter than a header ends the connection; keep most frames longer so
        // one connection exercises many messages.
        packets.push(p.length < 12 && rng.int(10) > 0 ? Buffer.concat([p, randomBytes(rng, 12 - p.length)]) : p);
      }
      const garble = rng.int(20) === 0;
      await new Promise<void>((resolve) => {
        const sock = net.connect(port, '127.0.0.1');
        let buf = Buffer.alloc(0);
        const done = (): void => { sock.destroy(); resolve(); };
        const timer = setTimeout(done, 2000);
        sock.on('error', () => { clearTimeout(timer); done(); });
        sock.on('close', () => { clearTimeout(timer); resolve(); });
        sock.on('data', (d: Buffer) => {
          buf = Buffer.concat([buf, d]);
          while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
            const len = buf.readUInt16BE(0);
            check(stats, undefined, buf.subarray(2, 2 + len));
            buf = buf.subarray(2 + len);
          }
        });
        sock.on('connect', () => {
          const frames = packets.map((p) => { const f = Buffer.alloc(p.length + 2); f.writeUInt16BE(garble ? rng.int(65536) : p.length, 0); p.copy(f, 2); return f; });
          const all = Buffer.concat(frames);
          // Split at a random point to exercise reassembly.
          const cut = rng.int(all.length + 1);
          sock.write(all.subarray(0, cut));
          setImmediate(() => { if (!sock.destroyed) sock.end(all.subarray(cut)); });
        });
      });
    }
  };
  await Promise.all(Array.from({ length: parallel }, one));
  return stats;
}
