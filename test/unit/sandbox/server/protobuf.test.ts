// Protobuf request bodies as kubectl 1.37 sends them (captured from its requests), decoded to
// the JSON the sandbox works on.
import { describe, expect, it } from 'vitest';
import { decodeProtobuf } from '../../../../src/sandbox/server/protobuf.js';
import { ApiError } from '../../../../src/sandbox/server/api-error.js';

const body = (hex: string): Buffer => Buffer.from(hex, 'hex');

describe('decodeProtobuf', () => {
  it('kubectl create configmap --from-literal a=b --from-literal c=d', () => {
    expect(decodeProtobuf(body('6b3873000a0f0a0276311209436f6e6669674d617012280a160a03636d3112001a036e733122002a0032003800420012060a016112016212060a01631201641a002200'))).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1', namespace: 'ns1' }, data: { a: 'b', c: 'd' } });
  });

  it('kubectl create namespace', () => {
    expect(decodeProtobuf(body('6b3873000a0f0a02763112094e616d657370616365121b0a130a036e733212001a0022002a0032003800420012001a020a001a002200'))).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns2' }, spec: {} });
  });

  it('kubectl create rolebinding with a user and a service account', () => {
    expect(decodeProtobuf(body('6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b526f6c6542696e64696e671293010a150a02726212001a036e733122002a00320038004200122a0a04557365721219726261632e617574686f72697a6174696f6e2e6b38732e696f1a05616c6963652200121e0a0e536572766963654163636f756e7412001a05726f626f7422036e73311a2e0a19726261632e617574686f72697a6174696f6e2e6b38732e696f120b436c7573746572526f6c651a04766965771a002200'))).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'ns1' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }, { kind: 'ServiceAccount', name: 'robot', namespace: 'ns1' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    });
  });

  it('kubectl auth can-i list secrets -n ns1', () => {
    expect(decodeProtobuf(body('6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577123c0a100a0012001a0022002a00320038004200121e0a1c0a036e733112046c6973741a0022002a077365637265747332003a001a08080012001a0020001a002200'))).toEqual({
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {},
      spec: { resourceAttributes: { namespace: 'ns1', verb: 'list', resource: 'secrets' } },
    });
  });

  it('kubectl create token --duration=1h', () => {
    expect(decodeProtobuf(body('6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e52657175657374121d0a100a0012001a0022002a00320038004200120320901c1a040a0012001a002200'))).toEqual({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { expirationSeconds: 3600 } });
  });

  it('kubectl create secret generic: data stays base64', () => {
    expect(decodeProtobuf(body('6b3873000a0c0a027631120653656372657412210a150a02733112001a036e733122002a0032003800420012060a016b1201761a001a002200'))).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1', namespace: 'ns1' }, data: { k: 'dg==' } });
  });

  it('refuses a body without the magic (400) and a kind it has no schema for (415)', () => {
    const code = (b: Buffer): number | undefined => {
      try {
        decodeProtobuf(b);
      } catch (err) {
        return err instanceof ApiError ? err.code : undefined;
      }
      return 0;
    };
    expect(code(Buffer.from('{"kind":"ConfigMap"}'))).toBe(400);
    // an Unknown naming kind Pod, raw empty
    const pod = Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x09, 0x0a, 0x02]), Buffer.from('v1'), Buffer.from([0x12, 0x03]), Buffer.from('Pod')]);
    expect(code(pod)).toBe(415);
  });
});
