// Typed and strict decoding of built-in kinds, as kube-apiserver's JSON decoder does it into the
// Go types: a value of the wrong JSON type is an error naming the Go struct field and type
// (`json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`);
// a field the type does not have is an unknown field (`spec.template.spec.containers[0].foo`),
// which the caller refuses, warns about or ignores as fieldValidation says. Compiled once per
// schema from the published OpenAPI schemas (builtin-schemas.ts).
import { BUILTIN_SCHEMAS, refName } from './builtin-schemas.js';
import { checkBase64, checkQuantity, checkTime } from './go-values.js';

type Obj = Record<string, any>;

type Node =
  | { t: 'struct'; goName: string; goType: string; props: Map<string, Node> }
  | { t: 'map'; goType: string; elem: Node }
  | { t: 'list'; goType: string; elem: Node }
  | { t: 'prim'; goType: 'string' | 'int32' | 'int64' | 'int' | 'float64' | 'bool' }
  | { t: 'bytes'; goType: '[]uint8' }
  | { t: 'intstr'; goType: 'intstr.IntOrString' }
  | { t: 'quantity'; goType: 'resource.Quantity' }
  | { t: 'time'; goType: 'v1.Time' }
  | { t: 'any'; goType: 'interface {}' };

export interface DecodeResult {
  /** the first error Go's decoder would return (the request fails with it), if any */
  error?: string;
  /** unknown fields, in document order */
  unknown: string[];
  /** where the first wrong type is: the path with map keys and list indices, the Go type, the value */
  mismatch?: { path: string; goType: string; value: unknown };
}

const ANY: Node = { t: 'any', goType: 'interface {}' };
const compiled = new Map<string, Node>();

/** The Go type name of a component: the package's last element and the type (v1.DeploymentSpec). */
function goTypeOf(name: string): string {
  const parts = name.split('.');
  return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
}

function named(name: string): Node {
  const hit = compiled.get(name);
  if (hit) return hit;
  const s = BUILTIN_SCHEMAS[name];
  if (!s) return ANY;
  const short = name.split('.').pop()!;
  if (name === 'io.k8s.apimachinery.pkg.util.intstr.IntOrString') return memo(name, { t: 'intstr', goType: 'intstr.IntOrString' });
  if (name === 'io.k8s.apimachinery.pkg.api.resource.Quantity') return memo(name, { t: 'quantity', goType: 'resource.Quantity' });
  if (short === 'Time' || short === 'MicroTime') return memo(name, { t: 'time', goType: 'v1.Time' });
  if (s.type === 'object' && s.properties) {
    // registered before its fields are compiled: schemas are recursive (JSONSchemaProps)
    const node: Node = { t: 'struct', goName: short, goType: goTypeOf(name), props: new Map() };
    compiled.set(name, node);
    for (const [k, ps] of Object.entries(s.properties as Obj)) node.props.set(k, inline(ps as Obj));
    return node;
  }
  return memo(name, inline(s));
}

function memo(name: string, n: Node): Node {
  compiled.set(name, n);
  return n;
}

function inline(s: Obj): Node {
  const ref = typeof s.$ref === 'string' ? s.$ref : Array.isArray(s.allOf) && s.allOf.length === 1 ? (s.allOf[0]?.$ref as string | undefined) : undefined;
  if (ref) return named(refName(ref));
  switch (s.type) {
    case 'string':
      return s.format === 'byte' ? { t: 'bytes', goType: '[]uint8' } : { t: 'prim', goType: 'string' };
    case 'integer':
      return { t: 'prim', goType: s.format === 'int32' ? 'int32' : s.format === 'int64' ? 'int64' : 'int' };
    case 'number':
      return { t: 'prim', goType: 'float64' };
    case 'boolean':
      return { t: 'prim', goType: 'bool' };
    case 'array': {
      const elem = s.items ? inline(s.items as Obj) : ANY;
      return { t: 'list', goType: `[]${elem.goType}`, elem };
    }
    case 'object':
      if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        const elem = inline(s.additionalProperties as Obj);
        return { t: 'map', goType: `map[string]${elem.goType}`, elem };
      }
      return ANY;
    default:
      return ANY;
  }
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

const INT_RANGE: Record<string, [number, number]> = { int32: [-2147483648, 2147483647], int64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], int: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] };

/**
 * One decoding. Paths are kept as stacks of segments and joined only when a problem is found: most
 * bodies have none, and joining at every field would cost more than the rest of the walk.
 */
class Decoder {
  error: string | undefined;
  /** a custom unmarshaler failed: Go stops decoding at once */
  fatal = false;
  readonly unknown: string[] = [];
  mismatch: DecodeResult['mismatch'];
  /** the value's path for unknown fields and apply errors: keys, map keys and list indices */
  private readonly path: string[] = [];
  /** Go's field stack for type errors: struct field names only */
  private readonly fieldPath: string[] = [];

  private joined(): string {
    let out = '';
    for (const s of this.path) out += s.startsWith('[') || out === '' ? s : `.${s}`;
    return out;
  }

  private typeError(v: unknown, got: string, struct: string, goType: string): void {
    // Go keeps the first type error and goes on decoding
    if (this.error !== undefined) return;
    this.error = `json: cannot unmarshal ${got} into Go struct field ${struct}.${this.fieldPath.join('.')} of type ${goType}`;
    this.mismatch = { path: this.joined(), goType, value: v };
  }

  private fail(message: string): void {
    this.error = message;
    this.fatal = true;
  }

  value(n: Node, v: unknown, struct: string): void {
    if (this.fatal || v === null) return;
    switch (n.t) {
      case 'any':
        return;
      case 'prim': {
        if (n.goType === 'string') {
          if (typeof v !== 'string') this.typeError(v, jsonKind(v), struct, 'string');
        } else if (n.goType === 'bool') {
          if (typeof v !== 'boolean') this.typeError(v, jsonKind(v), struct, 'bool');
        } else if (typeof v !== 'number') {
          this.typeError(v, jsonKind(v), struct, n.goType);
        } else if (n.goType !== 'float64') {
          const [lo, hi] = INT_RANGE[n.goType]!;
          if (!Number.isInteger(v) || v < lo || v > hi) this.typeError(v, `number ${String(v)}`, struct, n.goType);
        }
        return;
      }
      case 'bytes': {
        if (typeof v !== 'string') return this.typeError(v, jsonKind(v), struct, '[]uint8');
        const bad = checkBase64(v);
        if (bad !== undefined) this.fail(`illegal base64 data at input byte ${bad}`);
        return;
      }
      case 'intstr':
        // IntOrString's UnmarshalJSON: a string, else an int32 (its error is returned at once)
        if (typeof v === 'string') return;
        if (typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return;
        this.fail(`json: cannot unmarshal ${typeof v === 'number' ? `number ${String(v)}` : jsonKind(v)} into Go struct field ${struct}.${this.fieldPath.join('.')} of type int32`);
        return;
      case 'quantity': {
        const problem = checkQuantity(v);
        if (problem) this.fail(problem);
        return;
      }
      case 'time': {
        if (typeof v !== 'string') return this.fail(`json: cannot unmarshal ${jsonKind(v)} into Go value of type string`);
        const problem = checkTime(v);
        if (problem) this.fail(problem);
        return;
      }
      case 'list':
        if (!Array.isArray(v)) return this.typeError(v, jsonKind(v), struct, n.goType);
        for (let i = 0; i < v.length && !this.fatal; i++) {
          this.path.push(`[${i}]`);
          this.value(n.elem, v[i], struct);
          this.path.pop();
        }
        return;
      case 'map':
        if (jsonKind(v) !== 'object') return this.typeError(v, jsonKind(v), struct, n.goType);
        for (const k in v as Obj) {
          if (this.fatal) return;
          this.path.push(k);
          this.value(n.elem, (v as Obj)[k], struct);
          this.path.pop();
        }
        return;
      case 'struct':
        if (jsonKind(v) !== 'object') return this.typeError(v, jsonKind(v), struct, n.goType);
        this.fields(n, v as Obj);
        return;
    }
  }

  fields(n: Extract<Node, { t: 'struct' }>, o: Obj): void {
    for (const k in o) {
      if (this.fatal) return;
      const child = n.props.get(k);
      this.path.push(k);
      if (!child) {
        this.unknown.push(this.joined());
      } else {
        this.fieldPath.push(k);
        this.value(child, o[k], n.goName);
        this.fieldPath.pop();
      }
      this.path.pop();
    }
  }
}

/**
 * Decode `obj` as the named built-in schema would be decoded into its Go type. Schemas the data
 * does not have decode as anything (no errors, no unknown fields).
 */
export function decodeTyped(schemaName: string, obj: Obj): DecodeResult {
  const n = named(schemaName);
  if (n.t !== 'struct') return { unknown: [] };
  const d = new Decoder();
  d.fields(n, obj);
  return { ...(d.error !== undefined ? { error: d.error } : {}), unknown: d.unknown, ...(d.mismatch ? { mismatch: d.mismatch } : {}) };
}
