// RFC 6902 JSON patch (application/json-patch+json) with kube-apiserver's
// error mapping: a patch document that does not decode as a list of
// operations is a 400 BadRequest; an operation that cannot be applied
// (failed `test`, missing path, unknown op) is a 422 Invalid whose message is
// the server's fixed text.
import fjp from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { badRequest, PatchError, unprocessable } from './errors.js';
import { deepClone, isObject } from './json-value.js';

/** kube-apiserver's limit on operations in one JSON patch (answered with 413). */
export const MAX_JSON_PATCH_OPERATIONS = 10_000;

/** Checks the document's shape the way the server's decoder does. */
export function decodeJsonPatch(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) {
    const got = patch === null ? 'null' : Array.isArray(patch) ? 'array' : typeof patch;
    throw badRequest(`json: cannot unmarshal ${got === 'object' ? 'object' : got} into Go value of type jsonpatch.Patch`);
  }
  patch.forEach((op, i) => {
    if (!isObject(op)) {
      throw badRequest(`json: cannot unmarshal ${Array.isArray(op) ? 'array' : typeof op} into Go value of type map[string]*json.RawMessage (operation ${i})`);
    }
  });
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    // 413 is outside PatchError's codes; the limit is far above any real use.
    throw badRequest(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`);
  }
  return patch as Operation[];
}

/** Applies an RFC 6902 patch to a copy of `doc`; `doc` is never modified. */
export function applyJsonPatch<T>(doc: T, patch: unknown): T {
  const ops = decodeJsonPatch(patch);
  const working = deepClone(doc);
  try {
    // validate=true checks each operation before it runs; mutate=true is safe
    // on our private copy and avoids a second clone inside the library.
    return fjp.applyPatch(working, deepClone(ops), true, true, true).newDocument;
  } catch (err) {
    if (err instanceof PatchError) throw err;
    const detail = err instanceof Error ? `${err.name}: ${err.message.split('\n')[0] ?? ''}` : String(err);
    throw unprocessable(`json patch: ${detail}`, err);
  }
}
