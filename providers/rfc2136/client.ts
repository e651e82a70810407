// The narrow client: one signed request and its verified answer(s) over TCP. It knows
// DNS and TSIG, not endpoints; failures leave it already classified as ProviderErrors.
import dnsPacket from 'dns-packet';
import { ProviderError, type ProviderErrorKind } from '../../src/dns/publish/provider.js';
import { classifyFailure, queryRcodeKind, rcodeHint, rcodeName, type Operation } from './errors.js';
import { exchange, type ServerAddress } from './tcp.js';
import { TSIGError, TSIGVerifier, readTSIG, signMessage, type TSIGKey } from './tsig.js';
import { randomId } from './wire.js';

export type Answer = dnsPacket.Answer;

export interface ClientOptions {
  server: ServerAddress;
  /** Undefined: unsigned messages (a server that authorizes updates by address). */
  key: TSIGKey | undefined;
  timeoutMs: number;
  /** Unix seconds; tests skew it to see BADTIME. */
  now?: () => number;
}

/** The failure kind of an error rcode; undefined accepts the answer (e.g. NXDOMAIN to a SOA lookup). */
export type RcodeKind = (rcode: number) => ProviderErrorKind | undefined;

function rcodeOf(message: Buffer): number {
  return message.readUInt16BE(2) & 0xf;
}

function describeServer(s: ServerAddress): string {
  return `${s.host}:${s.port}`;
}

export class DNSClient {
  constructor(private readonly opts: ClientOptions) {}

  get server(): string {
    return describeServer(this.opts.server);
  }

  private sign(message: Buffer): { wire: Buffer; verifier: TSIGVerifier | undefined } {
    if (!this.opts.key) return { wire: message, verifier: undefined };
    const now = this.opts.now ?? (() => Math.floor(Date.now() / 1000));
    const signed = signMessage(message, this.opts.key, { nowSeconds: now() });
    return { wire: signed.message, verifier: new TSIGVerifier(this.opts.key, signed.mac, now) };
  }

  /**
   * Checks an answer's signature, then its rcode. A server that cannot check our
   * signature (BADKEY, BADSIG, BADTIME) answers NOTAUTH with an unsigned TSIG: that is
   * `auth`. An unsigned error answer (FORMERR to a message it could not parse) is
   * classified by its rcode; an unsigned success is never trusted.
   */
  private check(what: string, answer: Buffer, verifier: TSIGVerifier | undefined, kindOf: RcodeKind, op: Operation): void {
    const rcode = rcodeOf(answer);
    if (verifier) {
      try {
        verifier.verify(answer);
      } catch (err) {
        const unsignedError = err instanceof TSIGError && err.failure === 'UNSIGNED' && rcode !== 0 && readTSIG(answer) === undefined;
        if (!unsignedError) throw classifyFailure(`${what} at ${this.server}`, err);
      }
    }
    const kind = rcode === 0 ? undefined : kindOf(rcode);
    if (kind) {
      const hint = rcodeHint(op, rcode, this.opts.key?.name);
      throw new ProviderError(kind, `${what} at ${this.server}: the server answered ${rcodeName(rcode)}${hint ? ` (${hint})` : ''}`);
    }
  }

  /** Sends one message (it gets an id and a signature here) and returns its checked answer. */
  async request(what: string, message: Buffer, signal: AbortSignal, kindOf: RcodeKind = queryRcodeKind, op: Operation = 'query'): Promise<dnsPacket.DecodedPacket> {
    const id = randomId();
    const m = Buffer.from(message);
    m.writeUInt16BE(id, 0);
    const { wire, verifier } = this.sign(m);
    let answer: Buffer | undefined;
    try {
      await exchange(this.opts.server, wire, {
        signal,
        timeoutMs: this.opts.timeoutMs,
        onMessage: (msg) => {
          if (msg.length < 12 || msg.readUInt16BE(0) !== id) return false; // not ours: keep reading
          answer = Buffer.from(msg);
          return true;
        },
      });
    } catch (err) {
      throw classifyFailure(`${what} at ${this.server}`, err);
    }
    if (!answer) throw new ProviderError('unavailable', `${what} at ${this.server}: no answer`);
    this.check(what, answer, verifier, kindOf, op);
    return decode(what, answer);
  }

  /** Every record of a zone by AXFR (RFC 5936): the SOA first and last, many messages, each verified. */
  async transfer(zone: string, signal: AbortSignal): Promise<Answer[]> {
    const what = `zone transfer of ${zone}`;
    const query = dnsPacket.encode({ type: 'query', id: 0, flags: 0, questions: [{ type: 'AXFR', name: zone, class: 'IN' }] });
    const id = randomId();
    query.writeUInt16BE(id, 0);
    const { wire, verifier } = this.sign(query);
    const records: Answer[] = [];
    let soaSeen = 0;
    try {
      await exchange(this.opts.server, wire, {
        signal,
        timeoutMs: this.opts.timeoutMs,
        onMessage: (msg) => {
          if (msg.length < 12 || msg.readUInt16BE(0) !== id) return false;
          this.check(what, msg, verifier, queryRcodeKind, 'transfer');
          const packet = decode(what, msg);
          for (const a of packet.answers ?? []) {
            if (a.type === 'SOA') {
              soaSeen++;
              if (soaSeen === 2) return true;
            } else if (soaSeen === 0) {
              throw new ProviderError('rejected', `${what} at ${this.server}: the transfer did not start with the SOA`);
            }
            records.push(a);
          }
          if (soaSeen === 0) throw new ProviderError('config', `${what} at ${this.server}: empty transfer (is the zone served there?)`);
          return false;
        },
      });
      verifier?.finish();
    } catch (err) {
      throw classifyFailure(`${what} at ${this.server}`, err);
    }
    return records;
  }
}

function decode(what: string, message: Buffer): dnsPacket.DecodedPacket {
  try {
    return dnsPacket.decode(message);
  } catch (err) {
    throw new ProviderError('unavailable', `${what}: malformed answer: ${(err as Error).message}`, { cause: err });
  }
}
