// Bodies that are not what they claim: a malformed one answers 400, one the sandbox does not
// decode 415, each with a message naming the problem; never an exception of another kind.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../src/sandbox/server/api-error.js';
import { decodeBody } from '../../../../src/sandbox/server/http-io.js';
import { decodeProtobuf } from '../../../../src/sandbox/server/protobuf/decode.js';

// A few bytes of wire format by hand: tag = field << 3 | wire type.
const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  return [...out, n];
};
const bytesField = (no: number, payload: number[] | Buffer): number[] => [...varint((no << 3) | 2), ...varint(payload.length), ...payload];
const stringField = (no: number, s: string): number[] => bytesField(no, Buffer.from(s));
const varintField = (no: number, n: number): number[] => [...varint(no << 3), ...varint(n)];

function body(apiVersion: string, kind: string, raw: number[], extra: number[] = []): Buffer {
  return Buffer.from([0x6b, 0x38, 0x73, 0x00, ...bytesField(1, [...stringField(1, apiVersion), ...stringField(2, kind)]), ...bytesField(2, raw), ...extra]);
}

function refusal(b: Buffer): ApiError {
  try {
    decodeProtobuf(b);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('decoded');
}

const meta = bytesField(1, stringField(1, 'cm'));

describe('decodeProtobuf', () => {
  it('decodes a hand-made ConfigMap, fields in any order, last one of a scalar wins', () => {
    const raw = [...bytesField(2, [...stringField(1, 'k'), ...stringField(2, 'v')]), ...meta, ...varintField(4, 0), ...varintField(4, 1)];
    expect(decodeProtobuf(body('v1', 'ConfigMap', raw))).toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm' }, data: { k: 'v' }, immutable: true });
  });

  it('keeps a map key "__proto__" as an own property, as JSON.parse does', () => {
    const labels = bytesField(11, [...stringField(1, '__proto__'), ...stringField(2, 'x')]);
    const obj = decodeProtobuf(body('v1', 'ConfigMap', bytesField(1, [...stringField(1, 'cm'), ...labels]))) as { metadata: { labels: object } };
    expect(obj.metadata.labels).toEqual(JSON.parse('{"__proto__":"x"}'));
    expect(Object.getPrototypeOf(obj.metadata.labels)).toBe(Object.prototype);
    expect(Object.keys(obj.metadata.labels)).toEqual(['__proto__']);
  });

  it('gives negative int32 and int64 from their 10-byte varints', () => {
    const minus1 = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    const rawMeta = bytesField(1, [...stringField(1, 'd'), ...varint(7 << 3), ...minus1]);
    const status = bytesField(3, [...varint(2 << 3), ...minus1]);
    expect(decodeProtobuf(body('apps/v1', 'Deployment', [...rawMeta, ...status]))).toMatchObject({ metadata: { name: 'd', generation: -1 }, status: { replicas: -1 } });
  });

  it.each([
    ['no magic', Buffer.from('{"kind":"ConfigMap"}'), /does not start with the Kubernetes protobuf prefix/],
    ['a truncated envelope', Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x20, 0x0a]), /error decoding protobuf request body: field 1: length 32 runs past the end/],
    ['a varint without end', body('v1', 'ConfigMap', [...meta, 0x20, 0xff, 0xff]), /truncated varint/],
    ['an over-long varint', body('v1', 'ConfigMap', [...meta, 0x20, ...new Array<number>(11).fill(0xff), 0x01]), /varint longer than 10 bytes/],
    ['a group wire type', body('v1', 'ConfigMap', [...meta, 0x0b]), /unsupported wire type 3/],
    ['field number 0', body('v1', 'ConfigMap', [0x02, 0x00]), /bad field number 0/],
    ['a varint where a message belongs', body('v1', 'ConfigMap', varintField(1, 5)), /ConfigMap\.metadata: wire type 0 where a length-delimited field belongs/],
    ['a string that is not UTF-8', body('v1', 'ConfigMap', bytesField(1, bytesField(1, [0xc3, 0x28]))), /not valid UTF-8/],
    ['a Time out of range', body('v1', 'Namespace', bytesField(1, bytesField(8, varintField(1, 2 ** 52)))), /Time.seconds \d+ is out of range/],
    ['a Time past year 9999', body('v1', 'Namespace', bytesField(1, bytesField(8, varintField(1, 253402300800)))), /Time.seconds 253402300800 is out of range/],
    ['an IntOrString of type 2', body('v1', 'Service', bytesField(2, bytesField(1, bytesField(4, varintField(1, 2))))), /IntOrString type 2/],
  ])('answers 400 BadRequest for %s', (_, b, why) => {
    const err = refusal(b);
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
    expect(err.message).toMatch(why);
  });

  it.each([
    ['a kind without a table', body('v1', 'Pod', meta), /does not decode protobuf bodies of kind Pod in v1: send it as application\/json/],
    ['a known kind in another version', body('apps/v1beta2', 'Deployment', meta), /kind Deployment in apps\/v1beta2/],
    ['no type meta', Buffer.from([0x6b, 0x38, 0x73, 0x00]), /kind \(none\) in \(no apiVersion\)/],
    ['a gzip content encoding', body('v1', 'ConfigMap', meta, stringField(3, 'gzip')), /content encoding "gzip"/],
    ['raw JSON inside the envelope', body('v1', 'ConfigMap', [...Buffer.from('{}')], stringField(4, 'application/json')), /raw content type "application\/json"/],
    ['a non-zero field the tables leave out', body('v1', 'ConfigMap', [...meta, ...varintField(99, 1)]), /ConfigMap: field 99 of ConfigMap is not decoded by the sandbox/],
  ])('answers 415 UnsupportedMediaType for %s', (_, b, why) => {
    const err = refusal(b);
    expect(err.code).toBe(415);
    expect(err.reason).toBe('UnsupportedMediaType');
    expect(err.message).toMatch(why);
  });

  it('skips zero values of fields the tables leave out, as gogo-protobuf writes every non-pointer field', () => {
    const raw = [...meta, ...varintField(99, 0), ...bytesField(98, []), ...varint((97 << 3) | 5), 0, 0, 0, 0, ...varint((96 << 3) | 1), 0, 0, 0, 0, 0, 0, 0, 0];
    expect(decodeProtobuf(body('v1', 'ConfigMap', raw))).toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm' } });
  });
});

describe('decodeBody by content type', () => {
  const cm = body('v1', 'ConfigMap', meta);

  it('decodes protobuf, with or without parameters', () => {
    expect(decodeBody(cm, 'application/vnd.kubernetes.protobuf')).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'cm' } });
    expect(decodeBody(cm, 'application/vnd.kubernetes.protobuf; charset=binary')).toMatchObject({ kind: 'ConfigMap' });
  });

  it('takes an empty protobuf body as no body', () => {
    expect(decodeBody(Buffer.alloc(0), 'application/vnd.kubernetes.protobuf')).toBeUndefined();
  });

  it('still refuses CBOR with 415 and decodes JSON and YAML as before', () => {
    expect(() => decodeBody(Buffer.from([0xa0]), 'application/cbor')).toThrow(expect.objectContaining({ code: 415 }) as Error);
    expect(decodeBody(Buffer.from('{"a":1}'), 'application/json')).toEqual({ a: 1 });
    expect(decodeBody(Buffer.from('a: 1\n'), 'application/apply-patch+yaml')).toEqual({ a: 1 });
  });
});
