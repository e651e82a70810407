// OpenAPI v2 definitions from v3 component schemas, as kube-openapi builds the two documents from
// the same Go types: references are direct (no allOf wrapper) and point into #/definitions/,
// defaults are left out, and a oneOf of types is a string.
// scripts/gen-builtin-openapi.ts checks this against a real server's /openapi/v2.

type Obj = Record<string, any>;

const V3_PREFIX = '#/components/schemas/';

function refV2(ref: string): string {
  return ref.startsWith(V3_PREFIX) ? `#/definitions/${ref.slice(V3_PREFIX.length)}` : ref;
}

function convertMap(m: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(m)) out[k] = v2Definition(v as Obj);
  return out;
}

/** One v3 schema as the v2 document carries it. */
export function v2Definition(s: Obj): Obj {
  const out: Obj = {};
  const single = Array.isArray(s.allOf) && s.allOf.length === 1 && typeof s.allOf[0]?.$ref === 'string' ? (s.allOf[0].$ref as string) : undefined;
  // v2 has no oneOf: IntOrString (integer or string) and Quantity (string or number) are strings there
  if (Array.isArray(s.oneOf) && s.type === undefined) out.type = 'string';
  for (const [k, v] of Object.entries(s)) {
    if (k === 'default' || k === 'oneOf' && out.type !== undefined) continue;
    if (k === 'allOf' && single) out.$ref = refV2(single);
    else if (k === '$ref' && typeof v === 'string') out.$ref = refV2(v);
    else if ((k === 'properties' || k === 'patternProperties') && v && typeof v === 'object') out[k] = convertMap(v as Obj);
    else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object' && !Array.isArray(v)) out[k] = v2Definition(v as Obj);
    else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) out[k] = v.map((x: Obj) => v2Definition(x));
    else out[k] = v;
  }
  return out;
}
