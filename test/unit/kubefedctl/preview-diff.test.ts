import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import { lineDiff, memberDiff, projectOnto, withContext } from '../../../src/kubefedctl/preview-diff.js';

describe('preview diff', () => {
  it('projects the member object onto the fields kfed writes', () => {
    expect(projectOnto({ a: 1, b: { c: 2, d: 3 }, e: [{ f: 1, g: 2 }], status: {} }, { a: 0, b: { c: 0 }, e: [{ f: 0 }] })).toEqual({ a: 1, b: { c: 2 }, e: [{ f: 1 }] });
  });
  it('aligns lines by their longest common subsequence, removals first', () => {
    expect(lineDiff(['a', 'b', 'c'], ['a', 'x', 'c', 'd'])).toEqual(['  a', '- b', '+ x', '  c', '+ d']);
  });
  it('keeps 3 lines of context around changes', () => {
    const diff = ['  1', '  2', '  3', '  4', '  5', '- 6', '+ 7', '  8', '  9', '  10', '  11'];
    expect(withContext(diff)).toEqual(['  ...', '  3', '  4', '  5', '- 6', '+ 7', '  8', '  9', '  10', '  ...']);
  });
  it('is empty when nothing kfed writes differs, and whole for a new object', () => {
    const want = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: '1' } } as KubeObject;
    expect(memberDiff({ ...want, metadata: { name: 'x', uid: 'u', resourceVersion: '5' } } as KubeObject, want)).toEqual([]);
    expect(memberDiff(undefined, want).every((l) => l.startsWith('+ '))).toBe(true);
  });
});
