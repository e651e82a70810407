import { createHmac } from 'node:crypto';
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { TSIGError, TSIGVerifier, readTSIG, signMessage, tsigKey, verifyRequest, type TSIGKey } from '../../../../providers/rfc2136/tsig.js';

const SECRET = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const key = tsigKey('kfed-key', 'hmac-sha256', SECRET.toString('base64'));
const NOW = 1_700_000_000; // 0x6553f100

function query(id = 0x1234): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: 0, questions: [{ type: 'SOA', name: 'example.com', class: 'IN' }] });
}

function response(id: number, ip = '192.0.2.1'): Buffer {
  return dnsPacket.encode({ type: 'response', id, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [{ type: 'A', name: 'www.example.com', class: 'IN' }], answers: [{ type: 'A', name: 'www.example.com', ttl: 60, data: ip }] });
}

/** A TSIG record assembled by hand (not by the code under test), appended to a message. */
function appendTsig(message: Buffer, k: TSIGKey, mac: Buffer, time: number, error = 0): Buffer {
  const alg = Buffer.from(`\x0b${k.algorithm}\x00`, 'latin1');
  const rdata = Buffer.concat([alg, Buffer.from([0, 0, ...u32(time), 0x01, 0x2c]), u16(mac.length), mac, message.subarray(0, 2), u16(error), u16(0)]);
  const rr = Buffer.concat([Buffer.from(`\x08${k.name}\x00`, 'latin1'), Buffer.from([0, 250, 0, 255, 0, 0, 0, 0]), u16(rdata.length), rdata]);
  const out = Buffer.concat([message, rr]);
  out.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return out;
}

function u16(n: number): Buffer {
  return Buffer.from([n >> 8, n & 0xff]);
}
function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** RFC 8945 4.3.3 variables for kfed-key / hmac-sha256, fudge 300, no error, written out octet by octet. */
function variablesByHand(time: number): Buffer {
  return Buffer.concat([Buffer.from('\x08kfed-key\x00', 'latin1'), Buffer.from([0, 255, 0, 0, 0, 0]), Buffer.from('\x0bhmac-sha256\x00', 'latin1'), Buffer.from([0, 0, ...u32(time), 0x01, 0x2c, 0, 0, 0, 0])]);
}

describe('TSIG signing', () => {
  it('signs a request with the MAC over the message and the TSIG variables, as RFC 8945 spells them', () => {
    const msg = query();
    const signed = signMessage(msg, key, { nowSeconds: NOW });
    const expected = createHmac('sha256', SECRET).update(msg).update(variablesByHand(NOW)).digest();
    expect(signed.mac).toEqual(expected);
    expect(signed.message.readUInt16BE(10)).toBe(1);
    const decoded = dnsPacket.decode(signed.message);
    expect(decoded.additionals?.[0]).toMatchObject({ type: 'TSIG', name: 'kfed-key', class: 'ANY', ttl: 0 });
    expect(signed.message.subarray(0, msg.length).subarray(12)).toEqual(msg.subarray(12));
    const t = readTSIG(signed.message);
    expect(t).toMatchObject({ keyName: 'kfed-key', algorithm: 'hmac-sha256', timeSigned: NOW, fudge: 300, originalId: 0x1234, error: 0 });
    expect(t?.mac).toEqual(expected);
  });

  it('checks a request signed by hand, and refuses it with another secret or after tampering', () => {
    const msg = query();
    const mac = createHmac('sha256', SECRET).update(msg).update(variablesByHand(NOW)).digest();
    const signed = appendTsig(msg, key, mac, NOW);
    expect(verifyRequest(signed, key, NOW)).toEqual(mac);
    const other = tsigKey('kfed-key', 'hmac-sha256', Buffer.alloc(32, 1).toString('base64'));
    expect(() => verifyRequest(signed, other, NOW)).toThrow(/does not verify/);
    const tampered = Buffer.from(signed);
    tampered[14] = (tampered[14] ?? 0) ^ 0x20; // a letter of the question name
    expect(() => verifyRequest(tampered, key, NOW)).toThrow(TSIGError);
    expect(() => verifyRequest(signed, key, NOW + 301)).toThrow(/fudge/);
  });

  it.each(['hmac-sha1', 'hmac-sha384', 'hmac-sha512'] as const)('uses the digest of %s', (algorithm) => {
    const k = tsigKey('kfed-key', algorithm, SECRET.toString('base64'));
    const signed = signMessage(query(), k, { nowSeconds: NOW });
    expect(signed.mac.length).toBe({ 'hmac-sha1': 20, 'hmac-sha384': 48, 'hmac-sha512': 64 }[algorithm]);
    expect(verifyRequest(signed.message, k, NOW)).toEqual(signed.mac);
  });

  it('refuses keys that are not base64 or algorithms it does not know', () => {
    expect(() => tsigKey('k', 'hmac-sha256', 'not base64!')).toThrow(/base64/);
    expect(() => tsigKey('k', 'hmac-md5' as never, 'AAAA')).toThrow(/not supported/);
  });
});

describe('TSIG verification of answers', () => {
  const requestMac = Buffer.alloc(32, 0xab);

  function signedAnswer(id: number, body = response(id), time = NOW): { message: Buffer; mac: Buffer } {
    const mac = createHmac('sha256', SECRET).update(u16(requestMac.length)).update(requestMac).update(body).update(variablesByHand(time)).digest();
    return { message: appendTsig(body, key, mac, time), mac };
  }

  it('accepts an answer signed over the request MAC, the answer and the variables', () => {
    const v = new TSIGVerifier(key, requestMac, () => NOW);
    expect(() => v.verify(signedAnswer(7).message)).not.toThrow();
    expect(() => v.finish()).not.toThrow();
  });

  it('refuses an unsigned answer, a changed answer, a stale time, and reports the server\'s TSIG errors', () => {
    expect(() => new TSIGVerifier(key, requestMac, () => NOW).verify(response(7))).toThrow(expect.objectContaining({ failure: 'UNSIGNED' }));
    const { message } = signedAnswer(7);
    const changed = Buffer.from(message);
    changed.write('\x0b', message.indexOf(Buffer.from([192, 0, 2, 1])) + 3, 'latin1');
    expect(() => new TSIGVerifier(key, requestMac, () => NOW).verify(changed)).toThrow(expect.objectContaining({ failure: 'BADSIG' }));
    expect(() => new TSIGVerifier(key, Buffer.alloc(32), () => NOW).verify(message)).toThrow(expect.objectContaining({ failure: 'BADSIG' }));
    expect(() => new TSIGVerifier(key, requestMac, () => NOW + 1000).verify(message)).toThrow(expect.objectContaining({ failure: 'BADTIME' }));
    // What BIND sends for an unknown key: NOTAUTH with an empty MAC and error BADKEY.
    const badKey = appendTsig(response(7), key, Buffer.alloc(0), NOW, 17);
    expect(() => new TSIGVerifier(key, requestMac, () => NOW).verify(badKey)).toThrow(expect.objectContaining({ failure: 'BADKEY' }));
  });

  it('follows a multi-message transfer: previous MAC, unsigned messages in between, timers only', () => {
    const first = signedAnswer(9);
    const middle = response(9, '192.0.2.2');
    const lastBody = response(9, '192.0.2.3');
    const timers = Buffer.from([0, 0, ...u32(NOW), 0x01, 0x2c]);
    const lastMac = createHmac('sha256', SECRET).update(u16(first.mac.length)).update(first.mac).update(middle).update(lastBody).update(timers).digest();
    const last = appendTsig(lastBody, key, lastMac, NOW);

    const v = new TSIGVerifier(key, requestMac, () => NOW);
    v.verify(first.message);
    v.verify(middle);
    expect(() => v.finish()).toThrow(/not signed/);
    v.verify(last);
    expect(() => v.finish()).not.toThrow();

    const skipping = new TSIGVerifier(key, requestMac, () => NOW);
    skipping.verify(first.message);
    expect(() => skipping.verify(last)).toThrow(expect.objectContaining({ failure: 'BADSIG' }));
  });
});
