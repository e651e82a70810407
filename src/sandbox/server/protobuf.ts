// Decoding of Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf) into the
// JSON form the rest of the server works on. client-go's generated clients send protobuf for
// built-in kinds by default (kubectl create configmap|namespace|secret|serviceaccount|role|
// rolebinding|token, kubectl auth can-i), and do not fall back to JSON on 415 (they do only for
// CBOR). The envelope is the "k8s\0" magic and a runtime.Unknown; the message schemas below
// cover those kinds (field numbers as the published generated.proto files of k8s.io/api and
// k8s.io/apimachinery define the wire format). Zero values decode as absent, as Go's JSON
// encoding omits them.
import { ApiError } from './api-error.js';

type Scalar = 'string' | 'bytes' | 'int64' | 'bool' | 'time';
interface Field {
  name: string;
  type: Scalar | { msg: string };
  repeated?: boolean;
  /** a map<string, V>: entries are messages of key (1) and value (2) */
  map?: Scalar | { msg: string };
}
type Message = Record<number, Field>;

const s = (name: string): Field => ({ name, type: 'string' });
const ss = (name: string): Field => ({ name, type: 'string', repeated: true });
const m = (name: string, msg: string, repeated = false): Field => ({ name, type: { msg }, ...(repeated ? { repeated } : {}) });
const strMap = (name: string): Field => ({ name, type: 'string', map: 'string' });

const MESSAGES: Record<string, Message> = {
  Unknown: { 1: m('typeMeta', 'RuntimeTypeMeta'), 2: { name: 'raw', type: 'bytes' }, 3: s('contentEncoding'), 4: s('contentType') },
  RuntimeTypeMeta: { 1: s('apiVersion'), 2: s('kind') },
  ObjectMeta: {
    1: s('name'), 2: s('generateName'), 3: s('namespace'), 4: s('selfLink'), 5: s('uid'), 6: s('resourceVersion'),
    7: { name: 'generation', type: 'int64' }, 8: { name: 'creationTimestamp', type: 'time' }, 9: { name: 'deletionTimestamp', type: 'time' },
    10: { name: 'deletionGracePeriodSeconds', type: 'int64' }, 11: strMap('labels'), 12: strMap('annotations'),
    13: m('ownerReferences', 'OwnerReference', true), 14: ss('finalizers'),
  },
  OwnerReference: { 1: s('kind'), 3: s('name'), 4: s('uid'), 5: s('apiVersion'), 6: { name: 'controller', type: 'bool' }, 7: { name: 'blockOwnerDeletion', type: 'bool' } },
  LabelSelector: { 1: strMap('matchLabels'), 2: m('matchExpressions', 'LabelSelectorRequirement', true) },
  LabelSelectorRequirement: { 1: s('key'), 2: s('operator'), 3: ss('values') },
  DeleteOptions: {
    1: { name: 'gracePeriodSeconds', type: 'int64' }, 2: m('preconditions', 'Preconditions'), 3: { name: 'orphanDependents', type: 'bool' },
    4: s('propagationPolicy'), 5: ss('dryRun'),
  },
  Preconditions: { 1: s('uid'), 2: s('resourceVersion') },
  ConfigMap: { 1: m('metadata', 'ObjectMeta'), 2: strMap('data'), 3: { name: 'binaryData', type: 'string', map: 'bytes' }, 4: { name: 'immutable', type: 'bool' } },
  Secret: { 1: m('metadata', 'ObjectMeta'), 2: { name: 'data', type: 'string', map: 'bytes' }, 3: s('type'), 4: strMap('stringData'), 5: { name: 'immutable', type: 'bool' } },
  Namespace: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'NamespaceSpec'), 3: m('status', 'NamespaceStatus') },
  NamespaceSpec: { 1: ss('finalizers') },
  NamespaceStatus: { 1: s('phase') },
  ServiceAccount: { 1: m('metadata', 'ObjectMeta'), 2: m('secrets', 'ObjectReference', true), 3: m('imagePullSecrets', 'LocalObjectReference', true), 4: { name: 'automountServiceAccountToken', type: 'bool' } },
  ObjectReference: { 1: s('kind'), 2: s('namespace'), 3: s('name'), 4: s('uid'), 5: s('apiVersion'), 6: s('resourceVersion'), 7: s('fieldPath') },
  LocalObjectReference: { 1: s('name') },
  Role: { 1: m('metadata', 'ObjectMeta'), 2: m('rules', 'PolicyRule', true) },
  ClusterRole: { 1: m('metadata', 'ObjectMeta'), 2: m('rules', 'PolicyRule', true), 3: m('aggregationRule', 'AggregationRule') },
  PolicyRule: { 1: ss('verbs'), 2: ss('apiGroups'), 3: ss('resources'), 4: ss('resourceNames'), 5: ss('nonResourceURLs') },
  AggregationRule: { 1: m('clusterRoleSelectors', 'LabelSelector', true) },
  RoleBinding: { 1: m('metadata', 'ObjectMeta'), 2: m('subjects', 'Subject', true), 3: m('roleRef', 'RoleRef') },
  Subject: { 1: s('kind'), 2: s('apiGroup'), 3: s('name'), 4: s('namespace') },
  RoleRef: { 1: s('apiGroup'), 2: s('kind'), 3: s('name') },
  SelfSubjectAccessReview: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'SubjectAccessReviewSpec') },
  SubjectAccessReview: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'SubjectAccessReviewSpec') },
  SubjectAccessReviewSpec: {
    1: m('resourceAttributes', 'ResourceAttributes'), 2: m('nonResourceAttributes', 'NonResourceAttributes'), 3: s('user'), 4: ss('groups'),
    5: { name: 'extra', type: 'string', map: { msg: 'ExtraValue' } }, 6: s('uid'),
  },
  ExtraValue: { 1: ss('items') },
  ResourceAttributes: { 1: s('namespace'), 2: s('verb'), 3: s('group'), 4: s('version'), 5: s('resource'), 6: s('subresource'), 7: s('name') },
  NonResourceAttributes: { 1: s('path'), 2: s('verb') },
  SelfSubjectRulesReview: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'SelfSubjectRulesReviewSpec') },
  SelfSubjectRulesReviewSpec: { 1: s('namespace') },
  SelfSubjectReview: { 1: m('metadata', 'ObjectMeta') },
  TokenRequest: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'TokenRequestSpec') },
  TokenRequestSpec: { 1: ss('audiences'), 3: m('boundObjectRef', 'BoundObjectReference'), 4: { name: 'expirationSeconds', type: 'int64' } },
  BoundObjectReference: { 1: s('kind'), 2: s('apiVersion'), 3: s('name'), 4: s('uid') },
};

/** Which message a body of `kind` is; ExtraValue's items become the map value's list. */
const KINDS: Record<string, string> = {
  ConfigMap: 'ConfigMap', Secret: 'Secret', Namespace: 'Namespace', ServiceAccount: 'ServiceAccount',
  Role: 'Role', ClusterRole: 'ClusterRole', RoleBinding: 'RoleBinding', ClusterRoleBinding: 'RoleBinding',
  SelfSubjectAccessReview: 'SelfSubjectAccessReview', SubjectAccessReview: 'SubjectAccessReview', SelfSubjectRulesReview: 'SelfSubjectRulesReview',
  SelfSubjectReview: 'SelfSubjectReview', TokenRequest: 'TokenRequest', DeleteOptions: 'DeleteOptions',
};

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  }

  bytes(): Buffer {
    const n = Number(this.varint());
    if (this.pos + n > this.buf.length) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

type Value = string | number | boolean | Record<string, unknown> | undefined;

function scalar(type: Scalar, r: Reader, wire: number): Value {
  switch (type) {
    case 'string': return r.bytes().toString('utf8');
    case 'bytes': return r.bytes().toString('base64');
    case 'int64': return Number(BigInt.asIntN(64, r.varint()));
    case 'bool': return r.varint() !== 0n;
    case 'time': {
      if (wire !== 2) throw new Error('time is not a message');
      const t = decodeMessage({ 1: { name: 'seconds', type: 'int64' }, 2: { name: 'nanos', type: 'int64' } }, r.bytes());
      const seconds = Number(t.seconds ?? 0);
      return seconds === 0 ? undefined : new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
    }
  }
}

function value(type: Scalar | { msg: string }, r: Reader, wire: number): Value {
  if (typeof type === 'string') return scalar(type, r, wire);
  const msg = MESSAGES[type.msg]!;
  const v = decodeMessage(msg, r.bytes());
  // ExtraValue is a list on the wire of JSON
  return type.msg === 'ExtraValue' ? (v.items as unknown as Record<string, unknown>) ?? [] as unknown as Record<string, unknown> : v;
}

function isZero(v: unknown): boolean {
  return v === undefined || v === '' || v === 0 || v === false;
}

export function decodeMessage(msg: Message, buf: Buffer): Record<string, unknown> {
  const r = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (!r.done) {
    const tag = Number(r.varint());
    const no = tag >>> 3;
    const wire = tag & 7;
    const f = msg[no];
    if (!f) {
      r.skip(wire);
      continue;
    }
    if (f.map) {
      const entry = new Reader(r.bytes());
      let key = '';
      let val: Value;
      while (!entry.done) {
        const t = Number(entry.varint());
        if (t >>> 3 === 1) key = entry.bytes().toString('utf8');
        else if (t >>> 3 === 2) val = value(f.map, entry, t & 7);
        else entry.skip(t & 7);
      }
      const map = (out[f.name] ??= {}) as Record<string, unknown>;
      map[key] = val ?? (f.map === 'string' || f.map === 'bytes' ? '' : {});
      continue;
    }
    if (f.repeated && wire === 2 && (f.type === 'int64' || f.type === 'bool')) {
      // packed scalars
      const packed = new Reader(r.bytes());
      const list = (out[f.name] ??= []) as unknown[];
      while (!packed.done) list.push(scalar(f.type, packed, 0));
      continue;
    }
    const v = value(f.type, r, wire);
    if (f.repeated) ((out[f.name] ??= []) as unknown[]).push(v ?? '');
    else if (!isZero(v) && !(typeof v === 'object' && Object.keys(v).length === 0 && f.name !== 'spec')) out[f.name] = v;
    else delete out[f.name];
  }
  return out;
}

/** The JSON form of a protobuf body; 415 for a kind it has no schema for. */
export function decodeProtobuf(buf: Buffer): Record<string, unknown> {
  if (buf.length < 4 || !buf.subarray(0, 4).equals(MAGIC)) throw new ApiError(400, 'BadRequest', 'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  let unknown: Record<string, unknown>;
  try {
    unknown = decodeMessage(MESSAGES.Unknown!, buf.subarray(4));
  } catch (err) {
    throw new ApiError(400, 'BadRequest', `error decoding request body: ${(err as Error).message}`);
  }
  const tm = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const msgName = KINDS[tm.kind ?? ''];
  if (!msgName) {
    throw new ApiError(415, 'UnsupportedMediaType', `the sandbox decodes protobuf bodies of ${Object.keys(KINDS).join(', ')}, not ${tm.kind ?? 'this object'}; send JSON`, {});
  }
  let obj: Record<string, unknown>;
  try {
    obj = decodeMessage(MESSAGES[msgName]!, Buffer.from(String(unknown.raw ?? ''), 'base64'));
  } catch (err) {
    throw new ApiError(400, 'BadRequest', `error decoding request body: ${(err as Error).message}`);
  }
  return { apiVersion: tm.apiVersion, kind: tm.kind, ...obj, metadata: obj.metadata ?? {} };
}
