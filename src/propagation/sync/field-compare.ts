// "Does the observed value hold every field the desired value sets?" — the comparison
// behind drift detection. The member API server adds defaults (strategy, protocol,
// terminationMessagePath, ...) and drops zero values (omitempty), so a plain deep-equal
// would report drift forever; fields kfed does not set are not kfed's business.
// Arrays are positional and must have the same length (an extra container is drift).

const QUANTITY_PARENTS = new Set(['limits', 'requests', 'hard', 'capacity', 'allocatable']);
const QUANTITY = /^([+-]?\d+(?:\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|e[+-]?\d+)?$/;
const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Numeric value of a Kubernetes quantity string (`500m`, `1Gi`), or undefined. */
export function parseQuantity(q: string): number | undefined {
  const m = QUANTITY.exec(q);
  if (!m) return undefined;
  const suffix = m[2] ?? '';
  const mult = suffix.startsWith('e') ? 10 ** Number(suffix.slice(1)) : SUFFIX[suffix];
  return mult === undefined ? undefined : Number(m[1]) * mult;
}

function isZero(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * True when `observed` contains every field of `desired` with an equal value. A desired
 * zero value (false, 0, "", {}, [], null) also matches an absent field. `parentKey` enables
 * quantity-aware comparison under resources.limits/requests and similar maps.
 */
export function fieldsEqual(desired: unknown, observed: unknown, parentKey = ''): boolean {
  if (observed === undefined || observed === null) return isZero(desired);
  if (Array.isArray(desired)) {
    if (!Array.isArray(observed) || observed.length !== desired.length) return false;
    return desired.every((d, i) => fieldsEqual(d, observed[i], parentKey));
  }
  if (isRecord(desired)) {
    if (!isRecord(observed)) return false;
    const inQuantities = QUANTITY_PARENTS.has(parentKey);
    return Object.entries(desired).every(([k, v]) => fieldsEqual(v, observed[k], inQuantities ? parentKey : k));
  }
  if (desired === observed) return true;
  if (QUANTITY_PARENTS.has(parentKey) && (typeof desired === 'string' || typeof desired === 'number') && (typeof observed === 'string' || typeof observed === 'number')) {
    const a = typeof desired === 'number' ? desired : parseQuantity(desired);
    const b = typeof observed === 'number' ? observed : parseQuantity(observed);
    return a !== undefined && b !== undefined && Math.abs(a - b) <= Math.abs(a) * 1e-12;
  }
  return false;
}
