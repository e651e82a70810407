// The OpenAPI v2 document in gnostic's protobuf form (openapi_v2.Document, the field numbers of
// github.com/google/gnostic-models/openapiv2/OpenAPIv2.proto), which client-go's OpenAPISchema()
// asks /openapi/v2 for. Only the parts of the document the sandbox writes are encoded; values
// of `default`, `enum`, `example` and vendor extensions travel as YAML text, as gnostic keeps them.
import { stringify } from 'yaml';

type Obj = Record<string, any>;

class Writer {
  private readonly parts: Buffer[] = [];

  private varint(n: number): void {
    const bytes: number[] = [];
    let v = BigInt.asUintN(64, BigInt(Math.trunc(n)));
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) b |= 0x80;
      bytes.push(b);
    } while (v > 0n);
    this.parts.push(Buffer.from(bytes));
  }

  bytes(field: number, b: Buffer): void {
    this.varint((field << 3) | 2);
    this.varint(b.length);
    this.parts.push(b);
  }

  str(field: number, s: unknown): void {
    if (typeof s === 'string' && s !== '') this.bytes(field, Buffer.from(s, 'utf8'));
  }

  strs(field: number, list: unknown): void {
    if (Array.isArray(list)) for (const s of list) if (typeof s === 'string') this.bytes(field, Buffer.from(s, 'utf8'));
  }

  bool(field: number, v: unknown): void {
    if (v === true) {
      this.varint(field << 3);
      this.varint(1);
    }
  }

  int(field: number, v: unknown): void {
    if (typeof v === 'number' && v !== 0) {
      this.varint(field << 3);
      this.varint(v);
    }
  }

  double(field: number, v: unknown): void {
    if (typeof v !== 'number' || v === 0) return;
    this.varint((field << 3) | 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.parts.push(b);
  }

  msg(field: number, build: (w: Writer) => void): void {
    const w = new Writer();
    build(w);
    this.bytes(field, w.done());
  }

  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** gnostic's Any: the value as YAML text. */
function any(w: Writer, field: number, v: unknown): void {
  w.msg(field, (a) => a.str(2, stringify(v).replace(/\n$/, '')));
}

function extensions(w: Writer, field: number, o: Obj): void {
  for (const [k, v] of Object.entries(o)) {
    if (!k.startsWith('x-')) continue;
    w.msg(field, (n) => {
      n.str(1, k);
      any(n, 2, v);
    });
  }
}

function schema(w: Writer, s: Obj): void {
  w.str(1, s.$ref);
  w.str(2, s.format);
  w.str(3, s.title);
  w.str(4, s.description);
  if (s.default !== undefined) any(w, 5, s.default);
  w.double(6, s.multipleOf);
  w.double(7, s.maximum);
  w.bool(8, s.exclusiveMaximum);
  w.double(9, s.minimum);
  w.bool(10, s.exclusiveMinimum);
  w.int(11, s.maxLength);
  w.int(12, s.minLength);
  w.str(13, s.pattern);
  w.int(14, s.maxItems);
  w.int(15, s.minItems);
  w.bool(16, s.uniqueItems);
  w.int(17, s.maxProperties);
  w.int(18, s.minProperties);
  w.strs(19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) any(w, 20, e);
  if (s.additionalProperties !== undefined) {
    w.msg(21, (a) => (typeof s.additionalProperties === 'boolean' ? a.bool(2, s.additionalProperties) : a.msg(1, (x) => schema(x, s.additionalProperties as Obj))));
  }
  if (typeof s.type === 'string') w.msg(22, (t) => t.str(1, s.type));
  if (s.items && typeof s.items === 'object') w.msg(23, (i) => (Array.isArray(s.items) ? s.items : [s.items]).forEach((x: Obj) => i.msg(1, (y) => schema(y, x))));
  if (Array.isArray(s.allOf)) for (const x of s.allOf) w.msg(24, (y) => schema(y, x as Obj));
  if (s.properties && typeof s.properties === 'object') {
    w.msg(25, (p) => {
      for (const [name, ps] of Object.entries(s.properties as Obj)) p.msg(1, (n) => {
        n.str(1, name);
        n.msg(2, (x) => schema(x, ps as Obj));
      });
    });
  }
  w.bool(27, s.readOnly);
  if (s.example !== undefined) any(w, 30, s.example);
  extensions(w, 31, s);
}

function parameter(w: Writer, p: Obj): void {
  w.msg(1, (param) => {
    if (p.in === 'body') {
      param.msg(1, (b) => {
        b.str(1, p.description);
        b.str(2, p.name);
        b.str(3, p.in);
        b.bool(4, p.required);
        if (p.schema) b.msg(5, (x) => schema(x, p.schema as Obj));
      });
      return;
    }
    // NonBodyParameter: query 3, path 4; their sub-schemas number the common fields alike but for `type`
    const isPath = p.in === 'path';
    param.msg(2, (nb) => nb.msg(isPath ? 4 : 3, (q) => {
      q.bool(1, p.required);
      q.str(2, p.in);
      q.str(3, p.description);
      q.str(4, p.name);
      q.str(isPath ? 5 : 6, p.type);
      q.bool(isPath ? 19 : 20, p.uniqueItems);
    }));
  });
}

function operation(w: Writer, op: Obj): void {
  w.strs(1, op.tags);
  w.str(3, op.description);
  w.str(5, op.operationId);
  w.strs(6, op.produces);
  w.strs(7, op.consumes);
  for (const p of (op.parameters ?? []) as Obj[]) w.msg(8, (x) => parameter(x, p));
  w.msg(9, (rs) => {
    for (const [code, r] of Object.entries((op.responses ?? {}) as Obj)) rs.msg(1, (n) => {
      n.str(1, code);
      n.msg(2, (rv) => rv.msg(1, (resp) => {
        resp.str(1, (r as Obj).description);
        if ((r as Obj).schema) resp.msg(2, (si) => si.msg(1, (x) => schema(x, (r as Obj).schema as Obj)));
      }));
    });
  });
  w.strs(10, op.schemes);
  extensions(w, 13, op);
}

const METHODS: [string, number][] = [['get', 2], ['put', 3], ['post', 4], ['delete', 5], ['options', 6], ['head', 7], ['patch', 8]];

/** Encode an OpenAPI v2 (swagger 2.0) JSON document as gnostic's openapi_v2.Document. */
export function encodeOpenApiV2(doc: Obj): Buffer {
  const w = new Writer();
  w.str(1, doc.swagger);
  w.msg(2, (i) => {
    i.str(1, doc.info?.title);
    i.str(2, doc.info?.version);
  });
  w.msg(8, (paths) => {
    for (const [path, item] of Object.entries((doc.paths ?? {}) as Obj)) paths.msg(2, (n) => {
      n.str(1, path);
      n.msg(2, (pi) => {
        for (const [m, f] of METHODS) if ((item as Obj)[m]) pi.msg(f, (x) => operation(x, (item as Obj)[m] as Obj));
        for (const p of ((item as Obj).parameters ?? []) as Obj[]) pi.msg(9, (x) => parameter(x, p));
      });
    });
  });
  w.msg(9, (defs) => {
    for (const [name, s] of Object.entries((doc.definitions ?? {}) as Obj)) defs.msg(1, (n) => {
      n.str(1, name);
      n.msg(2, (x) => schema(x, s as Obj));
    });
  });
  for (const req of (doc.security ?? []) as Obj[]) w.msg(12, (sr) => {
    for (const [name, scopes] of Object.entries(req)) sr.msg(1, (n) => {
      n.str(1, name);
      n.msg(2, (a) => a.strs(1, scopes));
    });
  });
  w.msg(13, (sd) => {
    for (const [name, d] of Object.entries((doc.securityDefinitions ?? {}) as Obj)) sd.msg(1, (n) => {
      n.str(1, name);
      n.msg(2, (item) => item.msg(2, (k) => {
        k.str(1, (d as Obj).type);
        k.str(2, (d as Obj).name);
        k.str(3, (d as Obj).in);
        k.str(4, (d as Obj).description);
      }));
    });
  });
  return w.done();
}
