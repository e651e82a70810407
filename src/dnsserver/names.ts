// Domain-name helpers shared by the snapshot builder and the wire path. Names are kept
// as lower-case strings without the trailing dot; that is also the key format the query
// parser produces, so a lookup is a single Map.get.

/** Lower-cased, trailing-dot-free form of a presentation-format name ('' is the root). */
export function normalizeName(name: string): string {
  let n = name.trim().toLowerCase();
  while (n.endsWith('.')) n = n.slice(0, -1);
  return n;
}

/** True when `name` equals `apex` or lies below it. Both normalized. */
export function inZone(name: string, apex: string): boolean {
  if (apex === '') return true;
  return name === apex || (name.length > apex.length && name.endsWith(apex) && name.charCodeAt(name.length - apex.length - 1) === 46);
}

/** Validates a normalized name for use as an owner or target; returns a reason or undefined. */
export function nameProblem(name: string): string | undefined {
  if (name.length > 253) return 'name longer than 253 characters';
  if (name === '') return undefined;
  for (const label of name.split('.')) {
    if (label.length === 0) return 'empty label';
    if (label.length > 63) return `label "${label.slice(0, 16)}..." longer than 63 characters`;
    if (/[^\x21-\x7e]/.test(label)) return `label "${label}" has characters outside printable ASCII`;
  }
  return undefined;
}

/** Uncompressed wire form of a normalized name. */
export function encodeName(name: string): Buffer {
  if (name === '') return Buffer.from([0]);
  const labels = name.split('.');
  const out = Buffer.alloc(name.length + 2);
  let o = 0;
  for (const label of labels) {
    out[o++] = label.length;
    o += out.write(label, o, 'latin1');
  }
  out[o++] = 0;
  return out.subarray(0, o);
}

/** The parent of a normalized name ('' for a single label). */
export function parentName(name: string): string {
  const i = name.indexOf('.');
  return i < 0 ? '' : name.slice(i + 1);
}
