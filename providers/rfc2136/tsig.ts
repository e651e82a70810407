// TSIG (RFC 8945): HMAC-signed DNS messages with a shared secret. A request is signed
// over the message plus the TSIG variables; the server's answer is signed over the
// request's MAC, the answer and its variables; every further message of a zone
// transfer over the previous MAC, the messages since then and the timers only.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TSIGAlgorithm } from '../../src/api/dns-provider.js';
import { CLASS, TYPE, encodeName, lastRecordOffset, readPlainName } from './wire.js';

export interface TSIGKey {
  /** Key name as configured in the server (`key "kfed-key" { ... }`). */
  name: string;
  algorithm: TSIGAlgorithm;
  secret: Buffer;
}

const DIGEST: Record<TSIGAlgorithm, string> = { 'hmac-sha1': 'sha1', 'hmac-sha256': 'sha256', 'hmac-sha384': 'sha384', 'hmac-sha512': 'sha512' };

/** Seconds of clock difference tolerated, both ways (BIND and RFC 8945 recommend 300). */
export const DEFAULT_FUDGE = 300;

/** TSIG error codes (in the TSIG record; the header carries NOTAUTH). */
export const TSIG_ERRORS: Record<number, string> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };

export type TSIGFailure = 'BADSIG' | 'BADKEY' | 'BADTIME' | 'UNSIGNED' | 'MALFORMED';

export class TSIGError extends Error {
  readonly failure: TSIGFailure;
  constructor(failure: TSIGFailure, message: string) {
    super(message);
    this.name = 'TSIGError';
    this.failure = failure;
  }
}

/** Decodes and checks a key; the secret is base64 as `tsig-keygen` prints it. */
export function tsigKey(name: string, algorithm: TSIGAlgorithm, secretBase64: string): TSIGKey {
  if (!(algorithm in DIGEST)) throw new Error(`TSIG algorithm "${algorithm}" is not supported`);
  const text = secretBase64.trim();
  if (text === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new Error(`TSIG secret of key "${name}" is not base64`);
  encodeName(name); // throws on a malformed key name
  return { name, algorithm, secret: Buffer.from(text, 'base64') };
}

function u48(seconds: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntBE(seconds, 0, 6);
  return b;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}

function hmac(key: TSIGKey, parts: readonly Buffer[]): Buffer {
  const h = createHmac(DIGEST[key.algorithm], key.secret);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** TSIG variables after the time fields are added: all of them (RFC 8945 4.3.3). */
function variables(key: TSIGKey, timeSigned: number, fudge: number, error: number, other: Buffer): Buffer {
  const cls = Buffer.alloc(6);
  cls.writeUInt16BE(CLASS.ANY, 0); // TTL 0 in the other four bytes
  return Buffer.concat([encodeName(key.name, true), cls, encodeName(key.algorithm, true), u48(timeSigned), u16(fudge), u16(error), u16(other.length), other]);
}

export interface SignedMessage {
  message: Buffer;
  mac: Buffer;
}

export interface SignOptions {
  nowSeconds?: number;
  fudge?: number;
  /** Signing an answer: the MAC of the request it answers (RFC 8945 4.3.1). */
  requestMac?: Buffer;
}

/** Appends a TSIG record to `message` (which must not carry one) and bumps ARCOUNT. */
export function signMessage(message: Buffer, key: TSIGKey, opts: SignOptions = {}): SignedMessage {
  const nowSeconds = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  const fudge = opts.fudge ?? DEFAULT_FUDGE;
  const prefix = opts.requestMac ? [u16(opts.requestMac.length), opts.requestMac] : [];
  const mac = hmac(key, [...prefix, message, variables(key, nowSeconds, fudge, 0, Buffer.alloc(0))]);
  const originalId = message.readUInt16BE(0);
  const rdata = Buffer.concat([encodeName(key.algorithm), u48(nowSeconds), u16(fudge), u16(mac.length), mac, u16(originalId), u16(0), u16(0)]);
  const head = Buffer.alloc(10);
  head.writeUInt16BE(TYPE.TSIG, 0);
  head.writeUInt16BE(CLASS.ANY, 2);
  head.writeUInt32BE(0, 4);
  head.writeUInt16BE(rdata.length, 8);
  const out = Buffer.concat([message, encodeName(key.name), head, rdata]);
  out.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return { message: out, mac };
}

export interface TSIGRecord {
  keyName: string;
  algorithm: string;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  other: Buffer;
  /** Where the TSIG record starts in the message. */
  offset: number;
}

/** The TSIG record at the end of a message, or undefined when the message is unsigned. */
export function readTSIG(message: Buffer): TSIGRecord | undefined {
  const offset = lastRecordOffset(message);
  if (offset === undefined || message.readUInt16BE(10) === 0) return undefined;
  const owner = readPlainNameOrUndefined(message, offset);
  if (!owner || message.readUInt16BE(owner.next) !== TYPE.TSIG) return undefined;
  let o = owner.next + 10;
  const alg = readPlainName(message, o);
  o = alg.next;
  const timeSigned = message.readUIntBE(o, 6);
  const fudge = message.readUInt16BE(o + 6);
  const macSize = message.readUInt16BE(o + 8);
  o += 10;
  const mac = message.subarray(o, o + macSize);
  o += macSize;
  const originalId = message.readUInt16BE(o);
  const error = message.readUInt16BE(o + 2);
  const otherLen = message.readUInt16BE(o + 4);
  const other = message.subarray(o + 6, o + 6 + otherLen);
  return { keyName: owner.name, algorithm: alg.name, timeSigned, fudge, mac, originalId, error, other, offset };
}

function readPlainNameOrUndefined(buf: Buffer, offset: number): { name: string; next: number } | undefined {
  try {
    return readPlainName(buf, offset);
  } catch {
    return undefined; // a compressed owner name: not a TSIG record kfed can check
  }
}

/** The message as it was before the signer added its TSIG: record cut, ARCOUNT - 1, original id. */
function unsignedPart(message: Buffer, t: TSIGRecord): Buffer {
  const m = Buffer.from(message.subarray(0, t.offset));
  m.writeUInt16BE(t.originalId, 0);
  m.writeUInt16BE(message.readUInt16BE(10) - 1, 10);
  return m;
}

function macMatches(expected: Buffer, got: Buffer): boolean {
  // RFC 8945 5.2.2.1: a truncated MAC is accepted down to half the digest (and 10 octets).
  if (got.length > expected.length || got.length < Math.max(10, expected.length / 2)) return false;
  return timingSafeEqual(expected.subarray(0, got.length), got);
}

/**
 * Checks a signed request (what a server does); returns its MAC, which signs the
 * answer. Used by tests that stand in for a server, and to read other tools' requests.
 */
export function verifyRequest(message: Buffer, key: TSIGKey, nowSeconds = Math.floor(Date.now() / 1000)): Buffer {
  const t = readTSIG(message);
  if (!t) throw new TSIGError('UNSIGNED', 'the request carries no TSIG record');
  if (t.keyName.toLowerCase() !== key.name.toLowerCase().replace(/\.$/, '') || t.algorithm.toLowerCase() !== key.algorithm) throw new TSIGError('BADKEY', `request signed with key "${t.keyName}" (${t.algorithm})`);
  const expected = hmac(key, [unsignedPart(message, t), variables(key, t.timeSigned, t.fudge, t.error, t.other)]);
  if (!macMatches(expected, t.mac)) throw new TSIGError('BADSIG', 'the request\'s TSIG signature does not verify');
  if (Math.abs(nowSeconds - t.timeSigned) > t.fudge) throw new TSIGError('BADTIME', 'the request was signed outside the fudge window');
  return Buffer.from(t.mac);
}

/**
 * Verifies the answers to one signed request, in order: one message for a query or
 * UPDATE, many for a zone transfer (where up to 99 unsigned messages may sit between
 * signed ones). Throws TSIGError; `finish` checks that the last message was signed.
 */
export class TSIGVerifier {
  private previousMac: Buffer;
  private pending: Buffer[] = [];
  private first = true;

  constructor(
    private readonly key: TSIGKey,
    requestMac: Buffer,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.previousMac = requestMac;
  }

  /** Checks one message. A TSIG error the server reports (BADSIG, BADKEY, BADTIME) is thrown as such. */
  verify(message: Buffer): void {
    const t = readTSIG(message);
    if (!t) {
      if (this.first) throw new TSIGError('UNSIGNED', 'the server answered without a TSIG signature');
      this.pending.push(message);
      if (this.pending.length >= 100) throw new TSIGError('UNSIGNED', 'more than 99 unsigned messages in a row in a zone transfer');
      return;
    }
    if (t.error !== 0) {
      const name = TSIG_ERRORS[t.error] ?? `TSIG error ${t.error}`;
      const failure: TSIGFailure = name === 'BADKEY' || name === 'BADTIME' ? name : 'BADSIG';
      throw new TSIGError(failure, `the server refused the request's signature: ${name} (key "${this.key.name}", ${this.key.algorithm})`);
    }
    if (t.keyName.toLowerCase() !== this.key.name.toLowerCase().replace(/\.$/, '') || t.algorithm.toLowerCase() !== this.key.algorithm) {
      throw new TSIGError('BADKEY', `the answer is signed with key "${t.keyName}" (${t.algorithm}), not "${this.key.name}" (${this.key.algorithm})`);
    }
    const body = unsignedPart(message, t);
    const parts = [u16(this.previousMac.length), this.previousMac, ...this.pending, body];
    if (this.first) parts.push(variables(this.key, t.timeSigned, t.fudge, t.error, t.other));
    else parts.push(u48(t.timeSigned), u16(t.fudge));
    if (!macMatches(hmac(this.key, parts), t.mac)) throw new TSIGError('BADSIG', `the answer's TSIG signature does not verify with key "${this.key.name}"`);
    const skew = Math.abs(this.now() - t.timeSigned);
    if (skew > t.fudge) throw new TSIGError('BADTIME', `the answer was signed ${skew} s away from local time (fudge ${t.fudge} s)`);
    this.previousMac = Buffer.from(t.mac);
    this.pending = [];
    this.first = false;
  }

  finish(): void {
    if (this.pending.length > 0) throw new TSIGError('UNSIGNED', 'the last message of the zone transfer was not signed');
  }
}
