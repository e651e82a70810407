// Objects with the fields kubectl's `create` leaves empty (owner references, finalizers, times,
// quantities, IntOrString, pointers to zero values, volumes, env sources, status), encoded by
// Kubernetes' own protobuf serializer and by Go's encoding/json (scripts/tools/protobuf-vectors):
// the decoder gives the same JSON; a kind or a field it does not know is refused with 415.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../src/sandbox/server/api-error.js';
import { decodeProtobuf } from '../../../../src/sandbox/server/protobuf/decode.js';

interface Vector {
  name: string;
  body: string;
  json: Record<string, unknown>;
}

const vectors = JSON.parse(readFileSync(new URL('./gogo-vectors.json', import.meta.url), 'utf8')) as Vector[];
const refused = new Map([
  ['Pod: a kind the sandbox does not decode', /does not decode protobuf bodies of kind Pod in v1/],
  ['Deployment: a pod security context, a field the tables leave out', /Deployment\.spec\.template\.spec: field 14 of PodSpec is not decoded/],
]);

function apiError(body: Buffer): ApiError {
  try {
    decodeProtobuf(body);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('decoded');
}

describe('protobuf vectors from k8s.io/apimachinery', () => {
  it('has them all', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(14);
  });

  for (const v of vectors) {
    const why = refused.get(v.name);
    if (why) {
      it(`refuses ${v.name} with 415`, () => {
        const err = apiError(Buffer.from(v.body, 'hex'));
        expect(err.code).toBe(415);
        expect(err.reason).toBe('UnsupportedMediaType');
        expect(err.message).toMatch(why);
      });
    } else {
      it(v.name, () => {
        expect(decodeProtobuf(Buffer.from(v.body, 'hex'))).toEqual(v.json);
      });
    }
  }
});
