import { describe, expect, it } from 'vitest';
import { applyMergePatch } from '../../../../src/sandbox/patch/json-merge-patch.js';

// The examples of RFC 7386 appendix A.
const RFC_CASES: [unknown, unknown, unknown][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

describe('applyMergePatch (RFC 7386)', () => {
  it.each(RFC_CASES)('%j + %j', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it('replaces lists wholesale, as kubectl patch --type merge does for containers', () => {
    const live = { spec: { template: { spec: { containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] } } } };
    const out = applyMergePatch(live, { spec: { template: { spec: { containers: [{ name: 'a', image: 'a:2' }] } } } });
    expect(out).toEqual({ spec: { template: { spec: { containers: [{ name: 'a', image: 'a:2' }] } } } });
  });

  it('never modifies its inputs and shares no structure with them', () => {
    const target = { metadata: { labels: { a: '1' } }, spec: { x: { y: 1 } } };
    const patch = { metadata: { labels: { b: '2' } }, spec: { z: { w: 1 } } };
    const before = structuredClone({ target, patch });
    const out = applyMergePatch(target, patch) as { spec: { x: { y: number }; z: { w: number } } };
    expect({ target, patch }).toEqual(before);
    out.spec.x.y = 99;
    out.spec.z.w = 99;
    expect(target.spec.x.y).toBe(1);
    expect(patch.spec.z.w).toBe(1);
  });
});
