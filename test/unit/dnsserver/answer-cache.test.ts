// The UDP answer cache replays an answer only when it depends on nothing but the
// query's bytes and the snapshot; these tests pin each case where it must not.
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../../src/dnsserver/snapshot.js';
import { ask, ASIA, data, EU, plain, query, rcodeOf, responder, routed, US } from './fixtures.js';

const name = 'app.example.com';
const latency = [
  routed(name, 'eu', ['192.0.2.10'], { policy: 'latency', region: 'eu-west-1' }),
  routed(name, 'us', ['198.51.100.10'], { policy: 'latency', region: 'us-east-1' }),
  routed(name, 'ap', ['203.0.113.10'], { policy: 'latency', region: 'ap-northeast-1' }),
];
const locations = { '81.2.69.0': EU, '81.2.69.1': EU, '8.8.8.0': US, '8.8.8.8': US, '1.0.16.0': ASIA, '1.0.16.1': ASIA };
// Other subnets in the same places (each its own database network, so its own ECS scope).
const more = { ...locations, '81.2.70.0': { ...EU, prefixLength: 22 }, '8.8.9.0': { ...US, prefixLength: 23 }, '1.0.17.0': { ...ASIA, prefixLength: 19 } };

type Ecs = { ip: string; prefix: number };
function ecsOf(p: ReturnType<typeof ask>): { ip?: string; sourcePrefixLength?: number; scopePrefixLength?: number } | undefined {
  const opt = p.additionals?.find((a) => a.type === 'OPT') as { options?: { code: number; ip?: string; sourcePrefixLength?: number; scopePrefixLength?: number }[] } | undefined;
  return opt?.options?.find((o) => o.code === 8);
}

describe('answer cache', () => {
  it('replays an answer byte for byte under the new query id', () => {
    const r = responder(buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: [plain(name, 'A', ['192.0.2.1'])] }));
    const n1 = r.respond(query(name, 'A', { id: 1, edns: true }), '192.0.2.200', false);
    const first = Buffer.from(r.out.subarray(0, n1));
    expect(r.lastCached).toBe(false);
    const n2 = r.respond(query(name, 'A', { id: 2, edns: true }), '192.0.2.200', false);
    expect(r.lastCached).toBe(true);
    const second = Buffer.from(r.out.subarray(0, n2));
    expect(second.readUInt16BE(0)).toBe(2);
    expect(second.subarray(2)).toEqual(first.subarray(2));
    expect(r.lastRcode).toBe(0);
    expect(r.lastQtype).toBe(1);
  });

  it('keys on the exact bytes: the question\'s case is echoed, flags and EDNS size are kept apart', () => {
    const r = responder(buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: [plain(name, 'A', ['192.0.2.1'])] }));
    ask(r, query(name, 'A'));
    const upper = ask(r, query('APP.Example.COM', 'A'));
    expect(r.lastCached).toBe(false);
    expect(upper.questions?.[0]?.name).toBe('APP.Example.COM');
    const noRd = ask(r, query(name, 'A', { rd: false }));
    expect(r.lastCached).toBe(false);
    expect((noRd.flags ?? 0) & 0x0100).toBe(0);
  });

  it('is emptied by a new snapshot', () => {
    const r = responder(buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: [plain(name, 'A', ['192.0.2.1'])] }));
    ask(r, query(name, 'A'));
    ask(r, query(name, 'A'));
    expect(r.lastCached).toBe(true);
    r.snapshot = buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: [plain(name, 'A', ['192.0.2.2'])] });
    expect(data(ask(r, query(name, 'A')))).toEqual([`${name} A 192.0.2.2`]);
    expect(r.lastCached).toBe(false);
  });

  it('keys a located answer on the client subnet it carries', () => {
    const r = responder(buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: latency }), locations);
    for (let i = 0; i < 2; i++) {
      expect(data(ask(r, query(name, 'A', { ecs: { ip: '81.2.69.0', prefix: 24 } })))).toEqual([`${name} A 192.0.2.10`]);
      expect(data(ask(r, query(name, 'A', { ecs: { ip: '8.8.8.0', prefix: 24 } })))).toEqual([`${name} A 198.51.100.10`]);
      expect(data(ask(r, query(name, 'A', { ecs: { ip: '1.0.16.0', prefix: 24 } })))).toEqual([`${name} A 203.0.113.10`]);
    }
    expect(r.lastCached).toBe(true);
  });

  it('never replays an answer located by the source address (not part of the key)', () => {
    const r = responder(buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: latency }), locations);
    const same = query(name, 'A', { edns: true });
    expect(data(ask(r, same, '81.2.69.1'))).toEqual([`${name} A 192.0.2.10`]);
    expect(data(ask(r, same, '8.8.8.8'))).toEqual([`${name} A 198.51.100.10`]);
    expect(data(ask(r, same, '1.0.16.1'))).toEqual([`${name} A 203.0.113.10`]);
    expect(r.lastCached).toBe(false);
  });

  it('never replays a weighted pick or a round-robin rotation', () => {
    const weighted = [
      routed(name, 'a', ['192.0.2.1'], { policy: 'weighted', weight: 1 }),
      routed(name, 'b', ['192.0.2.2'], { policy: 'weighted', weight: 1 }),
    ];
    let coin = 0;
    const r = responder(buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: weighted }), {}, () => (coin++ % 2 === 0 ? 0.1 : 0.9));
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add(data(ask(r, query(name, 'A')))[0] ?? '');
    expect(seen).toEqual(new Set([`${name} A 192.0.2.1`, `${name} A 192.0.2.2`]));

    const rr = responder(buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: [plain(name, 'A', ['192.0.2.1', '192.0.2.2'])] }));
    const firsts = new Set<string>();
    for (let i = 0; i < 4; i++) firsts.add(data(ask(rr, query(name, 'A')))[0] ?? '');
    expect(firsts.size).toBe(2);
    expect(rr.lastCached).toBe(false);
  });

  it('is bypassed over TCP and can be turned off', async () => {
    const r = responder(buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: [plain(name, 'A', ['192.0.2.1'])] }));
    ask(r, query(name, 'A'), '192.0.2.200', true);
    ask(r, query(name, 'A'), '192.0.2.200', true);
    expect(r.lastCached).toBe(false);
    const { Responder } = await import('../../../src/dnsserver/answer.js');
    const { createLatencyTable } = await import('../../../src/dnsserver/regions.js');
    const off = new Responder({ latency: createLatencyTable(), answerCache: 0 });
    off.snapshot = buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: [plain(name, 'A', ['192.0.2.1'])] });
    ask(off, query(name, 'A'));
    ask(off, query(name, 'A'));
    expect(off.lastCached).toBe(false);
  });

  it('replays a located answer to another subnet of the same place, echoing that subnet and its own scope', () => {
    const r = responder(buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: latency }), more);
    const cases: [Ecs, Ecs, string, number][] = [
      [{ ip: '81.2.69.0', prefix: 24 }, { ip: '81.2.70.0', prefix: 24 }, '192.0.2.10', 22],
      [{ ip: '8.8.8.0', prefix: 24 }, { ip: '8.8.9.0', prefix: 24 }, '198.51.100.10', 23],
      [{ ip: '1.0.16.0', prefix: 24 }, { ip: '1.0.17.0', prefix: 24 }, '203.0.113.10', 19],
    ];
    for (const [first, second, address, scope] of cases) {
      ask(r, query(name, 'A', { ecs: first }));
      const p = ask(r, query(name, 'A', { ecs: second, id: 7 }));
      expect(r.lastCached).toBe(true);
      expect(p.id).toBe(7);
      expect(data(p)).toEqual([`${name} A ${address}`]);
      expect(ecsOf(p)).toMatchObject({ ip: second.ip, sourcePrefixLength: 24, scopePrefixLength: scope });
    }
  });

  it('replays an answer that does not depend on the location to every subnet, with scope 0', () => {
    const r = responder(buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: [plain(name, 'A', ['192.0.2.1'])] }), more);
    ask(r, query(name, 'A', { ecs: { ip: '81.2.69.0', prefix: 24 } }));
    const p = ask(r, query(name, 'A', { ecs: { ip: '1.0.17.0', prefix: 24 } }));
    expect(r.lastCached).toBe(true);
    expect(data(p)).toEqual([`${name} A 192.0.2.1`]);
    expect(ecsOf(p)).toMatchObject({ ip: '1.0.17.0', sourcePrefixLength: 24, scopePrefixLength: 0 });
  });

  it('keeps unknown subnets apart from located ones, and answers them with their own prefix as scope', () => {
    const r = responder(buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: latency }), more);
    ask(r, query(name, 'A', { ecs: { ip: '81.2.69.0', prefix: 24 } }));
    const p = ask(r, query(name, 'A', { ecs: { ip: '192.0.2.0', prefix: 24 } }));
    expect(r.lastCached).toBe(false);
    expect(data(p).sort()).toEqual([`${name} A 192.0.2.10`, `${name} A 198.51.100.10`, `${name} A 203.0.113.10`]);
    const again = ask(r, query(name, 'A', { ecs: { ip: '198.51.100.0', prefix: 24 } }));
    expect(r.lastCached).toBe(true);
    expect(data(again)).toHaveLength(3);
    expect(ecsOf(again)).toMatchObject({ ip: '198.51.100.0', scopePrefixLength: 24 });
  });

  it('tells geo classes apart only by what the rules name', () => {
    const geo = [
      routed(name, 'de', ['192.0.2.20'], { policy: 'geo', geo: 'country:DE' }),
      routed(name, 'eu', ['192.0.2.10'], { policy: 'geo', geo: 'continent:EU' }),
      routed(name, 'us', ['198.51.100.10'], { policy: 'geo', geo: '*' }),
    ];
    const places = {
      '81.2.69.0': EU, '81.2.70.0': { ...EU, country: 'FR' }, '81.2.71.0': { ...EU, country: 'IT' }, '8.8.8.0': US,
      '200.0.0.0': { country: 'BR', continent: 'SA' as const, prefixLength: 16 }, '41.0.0.0': { country: 'ZA', continent: 'AF' as const, prefixLength: 16 },
    };
    const r = responder(buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: geo }), places);
    expect(data(ask(r, query(name, 'A', { ecs: { ip: '81.2.69.0', prefix: 24 } })))).toEqual([`${name} A 192.0.2.20`]);
    expect(data(ask(r, query(name, 'A', { ecs: { ip: '81.2.70.0', prefix: 24 } })))).toEqual([`${name} A 192.0.2.10`]);
    expect(r.lastCached).toBe(false);
    // Italy: in Europe, not Germany: France's answer.
    expect(data(ask(r, query(name, 'A', { ecs: { ip: '81.2.71.0', prefix: 24 } })))).toEqual([`${name} A 192.0.2.10`]);
    expect(r.lastCached).toBe(true);
    expect(data(ask(r, query(name, 'A', { ecs: { ip: '8.8.8.0', prefix: 24 } })))).toEqual([`${name} A 198.51.100.10`]);
    // No rule names North or South America or Africa: one class, the `*` answer.
    expect(data(ask(r, query(name, 'A', { ecs: { ip: '200.0.0.0', prefix: 24 } })))).toEqual([`${name} A 198.51.100.10`]);
    expect(r.lastCached).toBe(true);
    expect(data(ask(r, query(name, 'A', { ecs: { ip: '41.0.0.0', prefix: 24 } })))).toEqual([`${name} A 198.51.100.10`]);
    expect(r.lastCached).toBe(true);
  });

  it('still answers FORMERR to a subnet with bits set past its prefix when the question is cached', () => {
    const r = responder(buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: latency }), more);
    ask(r, query(name, 'A', { ecs: { ip: '81.2.69.0', prefix: 20 } }));
    const bad = query(name, 'A', { ecs: { ip: '81.2.69.0', prefix: 20 } });
    bad[bad.length - 1] = 0x45; // 81.2.69: the low nibble is past a /20
    expect(rcodeOf(ask(r, bad))).toBe('FORMERR');
    expect(r.lastCached).toBe(false);
  });

  it('shares a latency answer between clients whose nearest candidate region is the same', () => {
    // Frankfurt and London have different nearest regions overall (eu-central-1, eu-west-2),
    // but the same nearest of this name's candidates (eu-west-1): one class, one answer.
    const r = responder(buildSnapshot({ zones: [{ domain: 'example.com' }], endpoints: latency }), {
      '81.2.69.0': EU, '51.140.0.0': { country: 'GB', continent: 'EU', lat: 51.5, lon: -0.12, prefixLength: 15 },
      '8.8.8.0': US,
    });
    expect(data(ask(r, query(name, 'A', { ecs: { ip: '81.2.69.0', prefix: 24 } })))).toEqual([`${name} A 192.0.2.10`]);
    expect(r.lastCached).toBe(false);
    const london = ask(r, query(name, 'A', { ecs: { ip: '51.140.0.0', prefix: 24 } }));
    expect(r.lastCached).toBe(true);
    expect(data(london)).toEqual([`${name} A 192.0.2.10`]);
    expect(ecsOf(london)).toMatchObject({ ip: '51.140.0.0', scopePrefixLength: 15 });
    expect(data(ask(r, query(name, 'A', { ecs: { ip: '8.8.8.0', prefix: 24 } })))).toEqual([`${name} A 198.51.100.10`]);
    expect(r.lastCached).toBe(false);
  });
});
