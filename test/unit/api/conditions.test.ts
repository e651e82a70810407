import { describe, expect, it } from 'vitest';
import { conditionsEqual, kubeTime, setCondition } from '../../../src/api/conditions.js';
import type { Condition } from '../../../src/api/meta.js';

describe('conditions', () => {
  it('one timestamp format: whole seconds, floored, from a Date or milliseconds', () => {
    expect(kubeTime(new Date('2026-01-01T00:00:00.999Z'))).toBe('2026-01-01T00:00:00Z');
    expect(kubeTime(Date.parse('2026-01-01T00:00:01.000Z'))).toBe('2026-01-01T00:00:01Z');
  });

  it('setCondition keeps lastTransitionTime while the status holds, moves it on a flip, keeps other types', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const t1 = new Date('2026-01-01T00:01:00.5Z');
    const other: Condition = { type: 'Accepted', status: 'True', lastTransitionTime: 'x' };
    const a = setCondition<Condition>([other], { type: 'Ready', status: 'True', reason: 'A' }, t0);
    expect(a).toEqual([other, { type: 'Ready', status: 'True', reason: 'A', lastTransitionTime: '2026-01-01T00:00:00Z' }]);
    const b = setCondition(a, { type: 'Ready', status: 'True', reason: 'B', message: 'm' }, t1);
    expect(b[1]).toEqual({ type: 'Ready', status: 'True', reason: 'B', message: 'm', lastTransitionTime: '2026-01-01T00:00:00Z' });
    const c = setCondition(b, { type: 'Ready', status: 'False', reason: 'C' }, t1);
    expect(c[1]?.lastTransitionTime).toBe('2026-01-01T00:01:00Z');
  });

  it('conditionsEqual ignores order, and timestamps only when asked', () => {
    const x: Condition = { type: 'A', status: 'True', reason: 'r', lastTransitionTime: '1' };
    const y: Condition = { type: 'B', status: 'False', observedGeneration: 2 };
    expect(conditionsEqual([x, y], [y, x])).toBe(true);
    expect(conditionsEqual([x], [{ ...x, lastTransitionTime: '2' }])).toBe(false);
    expect(conditionsEqual([x], [{ ...x, lastTransitionTime: '2' }], { ignoreTime: true })).toBe(true);
    expect(conditionsEqual([y], [{ ...y, observedGeneration: 3 }], { ignoreTime: true })).toBe(false);
    expect(conditionsEqual(undefined, [])).toBe(true);
  });
});
