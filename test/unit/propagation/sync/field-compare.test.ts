import { describe, expect, it } from 'vitest';
import { fieldsEqual, parseQuantity } from '../../../../src/propagation/sync/field-compare.js';

describe('fieldsEqual (desired subset of observed)', () => {
  const cases: [string, unknown, unknown, boolean, string?][] = [
    ['equal scalars', 1, 1, true],
    ['different scalars', 1, 2, false],
    ['extra observed fields are fine', { a: 1 }, { a: 1, b: 2 }, true],
    ['missing desired field is drift', { a: 1, b: 2 }, { a: 1 }, false],
    ['zero values match absent', { a: false, b: 0, c: '', d: {}, e: [], f: null }, {}, true],
    ['non-zero value vs absent', { a: true }, {}, false],
    ['arrays positional, same length', [{ n: 1 }, { n: 2 }], [{ n: 1, x: 0 }, { n: 2 }], true],
    ['array length differs', [1], [1, 2], false],
    ['array order differs', [1, 2], [2, 1], false],
    ['object vs array', { a: 1 }, [1], false],
    ['string vs number', '1', 1, false],
    ['cpu 1000m vs 1 under limits', { limits: { cpu: '1000m' } }, { limits: { cpu: '1' } }, true],
    ['memory 1024Mi vs 1Gi under requests', { requests: { memory: '1024Mi' } }, { requests: { memory: '1Gi' } }, true],
    ['quantities differ', { limits: { cpu: '500m' } }, { limits: { cpu: '1' } }, false],
    ['no quantity semantics elsewhere', { env: '1000m' }, { env: '1' }, false],
  ];
  for (const [name, desired, observed, want] of cases) it(name, () => expect(fieldsEqual(desired, observed)).toBe(want));
  it('parses quantities', () => {
    expect(parseQuantity('250m')).toBe(0.25);
    expect(parseQuantity('2Ki')).toBe(2048);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('abc')).toBeUndefined();
  });
});
