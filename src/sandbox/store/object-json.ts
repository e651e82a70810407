// The JSON text of a stored object, computed once. Stored objects are never mutated (every
// write stores a new object), so the text can be cached by identity and shared by every
// list response and every watcher that sends the same object.
import type { KubeObject } from '../../api/meta.js';

const cache = new WeakMap<KubeObject, string>();

export function objectJson(obj: KubeObject): string {
  let text = cache.get(obj);
  if (text === undefined) {
    text = JSON.stringify(obj);
    cache.set(obj, text);
  }
  return text;
}
