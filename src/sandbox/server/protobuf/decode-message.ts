// Decode one protobuf message by its field table into the JSON object Go's encoding/json would
// make of the same struct.
import type { FieldSpec, FieldType, MessageSchema, ScalarType } from './schema.js';
import { MalformedProtobufError, utf8String, WireReader, type WireField } from './wire.js';

/** A field the tables do not know, carrying a value: answered with 415 rather than silently dropped. */
export class UnsupportedProtobufError extends Error {}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export function decodeMessage(bytes: Uint8Array, schema: MessageSchema, path: string): JsonObject {
  const out: JsonObject = {};
  const seen = new Set<FieldSpec>();
  const r = new WireReader(bytes);
  while (!r.done()) {
    const w = r.next();
    const f = schema.fields.get(w.no);
    if (!f) {
      // gogo-protobuf writes every non-pointer field, zero or not; a zero value of a field the
      // tables leave out is what the JSON would omit. Anything else would be lost: refuse it.
      if (isZeroWire(w)) continue;
      throw new UnsupportedProtobufError(`${path}: field ${w.no} of ${schema.name} is not decoded by the sandbox`);
    }
    seen.add(f);
    const at = f.json ? `${path}.${f.json}` : path;
    if (f.shape === 'map') {
      const [k, v] = mapEntry(w, f.type, at);
      const m = (out[f.json] ??= {}) as JsonObject;
      // An own property even for a key such as "__proto__", as JSON.parse makes it.
      Object.defineProperty(m, k, { value: v, enumerable: true, writable: true, configurable: true });
    } else if (f.shape === 'repeated') {
      // No table has a repeated number (which could come packed): every element is a field of its own.
      const arr = (out[f.json] ??= []) as Json[];
      arr.push(value(w, f.type, `${at}[${arr.length}]`));
    } else if (f.presence === 'inline') {
      Object.assign(out, decodeMessage(expectBytes(w, at), (f.type as () => MessageSchema)(), at));
    } else {
      out[f.json] = value(w, f.type, at);
    }
  }
  for (const f of schema.fields.values()) {
    if (f.presence === 'inline') {
      if (!seen.has(f)) Object.assign(out, decodeMessage(new Uint8Array(0), (f.type as () => MessageSchema)(), path));
      continue;
    }
    if (!seen.has(f)) {
      if (f.presence === 'null') out[f.json] = null;
      else if (f.presence === 'keep') out[f.json] = zeroOf(f, `${path}.${f.json}`);
    } else if (f.presence === 'omit' && isEmpty(out[f.json])) {
      delete out[f.json];
    }
  }
  return out;
}

function messageValue(bytes: Uint8Array, schema: MessageSchema, path: string): Json {
  const obj = decodeMessage(bytes, schema, path);
  return schema.unwrap === undefined ? obj : (obj[schema.unwrap] ?? null);
}

function zeroOf(f: FieldSpec, path: string): Json {
  if (f.shape !== 'single') return null;
  switch (f.type) {
    case 'string': case 'bytes': return '';
    case 'int32': case 'int64': case 'intstr': return 0;
    case 'bool': return false;
    case 'time': return null;
    case 'quantity': return '0';
    default: return messageValue(new Uint8Array(0), f.type(), path);
  }
}

function isEmpty(v: Json | undefined): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

function isZeroWire(w: WireField): boolean {
  if (w.wire === 0) return w.varint === 0n;
  return w.bytes.every((b) => b === 0);
}

function varintValue(v: bigint, t: ScalarType): Json {
  if (t === 'bool') return v !== 0n;
  if (t === 'int32') return Number(BigInt.asIntN(32, v));
  return Number(BigInt.asIntN(64, v));
}

function expectBytes(w: WireField, path: string): Uint8Array {
  if (w.wire !== 2) throw new MalformedProtobufError(`${path}: wire type ${w.wire} where a length-delimited field belongs`);
  return w.bytes;
}

function value(w: WireField, t: FieldType, path: string): Json {
  if (typeof t === 'function') return messageValue(expectBytes(w, path), t(), path);
  switch (t) {
    case 'string': return utf8String(expectBytes(w, path));
    case 'bytes': return Buffer.from(expectBytes(w, path)).toString('base64');
    case 'time': return time(expectBytes(w, path), path);
    case 'quantity': return quantity(expectBytes(w, path), path);
    case 'intstr': return intOrString(expectBytes(w, path), path);
    default:
      if (w.wire !== 0) throw new MalformedProtobufError(`${path}: wire type ${w.wire} where a varint belongs`);
      return varintValue(w.varint, t);
  }
}

function mapEntry(w: WireField, t: FieldType, path: string): [string, Json] {
  let key = '';
  let val: WireField | undefined;
  const r = new WireReader(expectBytes(w, path));
  while (!r.done()) {
    const e = r.next();
    if (e.no === 1) key = utf8String(expectBytes(e, path));
    else if (e.no === 2) val = e;
  }
  const at = `${path}[${JSON.stringify(key)}]`;
  if (val) return [key, value(val, t, at)];
  return [key, zeroOf({ json: key, type: t, shape: 'single', presence: 'keep' }, at)];
}

/** metav1.Time {seconds = 1, nanos = 2}: RFC 3339 in UTC to the second, as its MarshalJSON; zero is null. */
function time(bytes: Uint8Array, path: string): Json {
  let seconds = 0n;
  const r = new WireReader(bytes);
  while (!r.done()) {
    const f = r.next();
    if (f.no === 1) {
      if (f.wire !== 0) throw new MalformedProtobufError(`${path}: Time.seconds is not a varint`);
      seconds = BigInt.asIntN(64, f.varint);
    }
  }
  // Go's zero time.Time is year 1, which Time's protobuf form writes as no bytes at all.
  if (bytes.length === 0) return null;
  const d = new Date(Number(seconds) * 1000);
  // Go's Time.MarshalJSON refuses years outside [0, 9999] too.
  const year = d.getUTCFullYear();
  if (Number.isNaN(year) || year < 0 || year > 9999) throw new MalformedProtobufError(`${path}: Time.seconds ${seconds} is out of range`);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** resource.Quantity {string = 1}: its canonical string. */
function quantity(bytes: Uint8Array, path: string): Json {
  let s = '';
  const r = new WireReader(bytes);
  while (!r.done()) {
    const f = r.next();
    if (f.no === 1) s = utf8String(expectBytes(f, path));
  }
  return s === '' ? '0' : s;
}

/** intstr.IntOrString {type = 1 (0 int, 1 string), intVal = 2, strVal = 3}. */
function intOrString(bytes: Uint8Array, path: string): Json {
  let type = 0n;
  let intVal = 0;
  let strVal = '';
  const r = new WireReader(bytes);
  while (!r.done()) {
    const f = r.next();
    if (f.no === 1 && f.wire === 0) type = f.varint;
    else if (f.no === 2 && f.wire === 0) intVal = Number(BigInt.asIntN(32, f.varint));
    else if (f.no === 3) strVal = utf8String(expectBytes(f, path));
  }
  if (type === 0n) return intVal;
  if (type === 1n) return strVal;
  throw new MalformedProtobufError(`${path}: IntOrString type ${type} is neither 0 (int) nor 1 (string)`);
}
