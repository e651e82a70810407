// RFC 7386 JSON merge patch (application/merge-patch+json).
import { deepClone, isObject } from './json-value.js';

/**
 * Applies `patch` to `target` and returns the result; neither input is
 * modified. An object patch merges key by key (null deletes); any other patch
 * value replaces the target as a whole, as the RFC says.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return deepClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete out[key];
    } else if (isObject(value)) {
      out[key] = applyMergePatch(out[key], value);
    } else {
      out[key] = deepClone(value);
    }
  }
  // Untouched members are shared with `target` above; copy them so callers
  // can mutate the result without reaching into the original.
  for (const key of Object.keys(out)) {
    if (!Object.prototype.hasOwnProperty.call(patch, key)) out[key] = deepClone(out[key]);
  }
  return out;
}
