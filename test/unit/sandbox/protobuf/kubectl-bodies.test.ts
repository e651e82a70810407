// The protobuf bodies kubectl v1.37 sends for `kubectl create ...`, `create token` and `auth`
// (captured by capture-fixtures.ts), decoded to the JSON kubectl prints for the same object.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../../../src/sandbox/server/http-io.js';
import { decodeProtobuf } from '../../../../src/sandbox/server/protobuf/decode.js';
import type { KubectlFixture } from './capture-fixtures.js';

const doc = JSON.parse(readFileSync(new URL('./kubectl-bodies.json', import.meta.url), 'utf8')) as { kubectl: string; fixtures: KubectlFixture[] };

describe(`protobuf bodies of kubectl ${doc.kubectl}`, () => {
  it('covers every case, each sent as protobuf', () => {
    expect(doc.fixtures.length).toBeGreaterThanOrEqual(20);
    for (const f of doc.fixtures) expect(f.contentType, f.name).toBe('application/vnd.kubernetes.protobuf');
  });

  for (const f of doc.fixtures) {
    it(`kubectl ${f.args.slice(0, 3).join(' ')}: ${f.name}`, () => {
      expect(decodeProtobuf(Buffer.from(f.body, 'hex'))).toEqual(f.json);
    });
  }

  it('decodeBody takes them by content type, as the resource handler does', () => {
    const f = doc.fixtures.find((x) => x.name === 'create configmap with literals and a binary file')!;
    const obj = decodeBody(Buffer.from(f.body, 'hex'), 'application/vnd.kubernetes.protobuf') as { binaryData: Record<string, string> };
    expect(Buffer.from(obj.binaryData.bin!, 'base64')).toEqual(Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41]));
  });
});
