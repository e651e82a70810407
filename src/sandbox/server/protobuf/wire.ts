// A reader of the protocol buffers wire format (varints, length-delimited and fixed-width fields),
// enough for Kubernetes' proto2 messages: no groups, which Kubernetes never uses.

/** The body is not well-formed protobuf: a truncated varint or field, a bad wire type. Answered with 400. */
export class MalformedProtobufError extends Error {}

export type WireType = 0 | 1 | 2 | 5;

/** One field as it appears on the wire: its number, wire type, and where its payload sits. */
export interface WireField {
  no: number;
  wire: WireType;
  /** The varint (wire type 0) as a bigint, for 64-bit values and signs. */
  varint: bigint;
  /** The payload bytes of a length-delimited field, or the 4/8 bytes of a fixed-width one. */
  bytes: Uint8Array;
}

const EMPTY = new Uint8Array(0);

export class WireReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** The next field, its payload read (a varint's value, or the bytes of any other wire type). */
  next(): WireField {
    const tag = this.varint();
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (no < 1 || no > 0x1fffffff) throw new MalformedProtobufError(`bad field number ${no} at offset ${this.pos}`);
    switch (wire) {
      case 0:
        return { no, wire, varint: this.varint(), bytes: EMPTY };
      case 1:
        return { no, wire, varint: 0n, bytes: this.take(8) };
      case 2: {
        const len = this.varint();
        if (len > BigInt(this.buf.length - this.pos)) throw new MalformedProtobufError(`field ${no}: length ${len} runs past the end of the message`);
        return { no, wire, varint: 0n, bytes: this.take(Number(len)) };
      }
      case 5:
        return { no, wire, varint: 0n, bytes: this.take(4) };
      default:
        throw new MalformedProtobufError(`field ${no}: unsupported wire type ${wire}`);
    }
  }

  /** An unsigned varint of up to 64 bits. */
  varint(): bigint {
    // The common case (values below 2^28, four bytes) without bigint arithmetic per byte.
    let small = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.byte();
      small |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) return BigInt(small >>> 0);
    }
    let value = BigInt(small >>> 0);
    for (let shift = 28n; shift < 70n; shift += 7n) {
      const b = this.byte();
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, value);
    }
    throw new MalformedProtobufError('varint longer than 10 bytes');
  }

  private byte(): number {
    const b = this.buf[this.pos];
    if (b === undefined) throw new MalformedProtobufError('truncated varint');
    this.pos++;
    return b;
  }

  private take(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new MalformedProtobufError(`truncated field: ${n} bytes wanted at offset ${this.pos}`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function utf8String(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new MalformedProtobufError('a string field is not valid UTF-8');
  }
}
