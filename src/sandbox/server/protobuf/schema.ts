// Declarative field tables of Kubernetes' protobuf messages, and how each field appears in the JSON
// that Go's encoding/json makes of the same Go struct (which is what kubectl sends as JSON):
// field numbers from Kubernetes' published generated.proto files, JSON presence from the Go types.

/** Scalars and the apimachinery types that have a JSON form of their own. */
export type ScalarType = 'string' | 'bytes' | 'int32' | 'int64' | 'bool' | 'time' | 'quantity' | 'intstr';

/** A message type, given lazily so that tables may refer to ones defined later. */
export type MessageRef = () => MessageSchema;

export type FieldType = ScalarType | MessageRef;

/**
 * How the Go field shows in JSON:
 * - `omit`: a value with `omitempty`: absent, or the zero value, leaves it out.
 * - `keep`: a value without `omitempty`, or a struct value (which omitempty never drops):
 *   absent gives the zero value (`""`, `0`, `false`, `{}` decoded from nothing, `null` for a Time).
 * - `ptr`: a pointer with `omitempty`: absent leaves it out, present is kept even when zero.
 * - `null`: a pointer, slice or map without `omitempty`: absent gives `null`.
 * - `inline`: an embedded struct (`json:",inline"`): its fields sit in the parent object.
 */
export type Presence = 'omit' | 'keep' | 'ptr' | 'null' | 'inline';

export interface FieldSpec {
  json: string;
  type: FieldType;
  shape: 'single' | 'repeated' | 'map';
  presence: Presence;
}

export interface MessageSchema {
  name: string;
  fields: ReadonlyMap<number, FieldSpec>;
  /** A Go named slice (`type ExtraValue []string`) wrapped in a message: its JSON is that one field's value. */
  unwrap?: string;
}

export function message(name: string, fields: Record<number, FieldSpec>, unwrap?: string): MessageSchema {
  const m = new Map(Object.entries(fields).map(([no, f]) => [Number(no), f]));
  return unwrap === undefined ? { name, fields: m } : { name, fields: m, unwrap };
}

/** Memoize a table so that a thunk hands out one schema object. */
export function lazy(build: () => MessageSchema): MessageRef {
  let built: MessageSchema | undefined;
  return () => (built ??= build());
}

/** A single scalar field; `omit` unless told. */
export function scalar(json: string, type: ScalarType, presence: Presence = 'omit'): FieldSpec {
  return { json, type, shape: 'single', presence };
}

export const str = (json: string, presence: Presence = 'omit'): FieldSpec => scalar(json, 'string', presence);
export const int32 = (json: string, presence: Presence = 'omit'): FieldSpec => scalar(json, 'int32', presence);
export const int64 = (json: string, presence: Presence = 'omit'): FieldSpec => scalar(json, 'int64', presence);
export const bool = (json: string, presence: Presence = 'omit'): FieldSpec => scalar(json, 'bool', presence);

/** A struct value (always in the JSON). */
export function obj(json: string, type: MessageRef): FieldSpec {
  return { json, type, shape: 'single', presence: 'keep' };
}

/** A pointer to a struct, left out when absent (or `null` when its JSON tag has no omitempty). */
export function ref(json: string, type: MessageRef, presence: 'ptr' | 'null' = 'ptr'): FieldSpec {
  return { json, type, shape: 'single', presence };
}

/** An embedded struct whose fields are inlined into the parent's JSON object. */
export function inline(type: MessageRef): FieldSpec {
  return { json: '', type, shape: 'single', presence: 'inline' };
}

/** A repeated field; `omit` (absent or empty leaves it out) unless told, `null` for a slice without omitempty. */
export function list(json: string, type: FieldType, presence: 'omit' | 'null' = 'omit'): FieldSpec {
  return { json, type, shape: 'repeated', presence };
}

/** `map<string, V>`, on the wire as repeated entry messages {key = 1, value = 2}. */
export function map(json: string, type: FieldType, presence: 'omit' | 'null' = 'omit'): FieldSpec {
  return { json, type, shape: 'map', presence };
}
