import { describe, expect, it } from 'vitest';
import type { Condition } from '../../../../src/api/meta.js';
import type { DNSRecordStatus } from '../../../../src/api/multiclusterdns.js';
import { mergeCondition, recordStatusEqual } from '../../../../src/dns/records/record-status.js';

const t1 = new Date('2026-01-01T00:00:00Z');
const t2 = new Date('2026-01-01T00:05:00Z');
const valid = (status: Condition['status'], reason: string): Condition => ({ type: 'Valid', status, reason, message: reason });

describe('mergeCondition', () => {
  it('keeps lastTransitionTime while the status holds and moves it on a flip', () => {
    const first = mergeCondition(undefined, valid('True', 'SpecValid'), () => t1);
    expect(first[0]?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    const same = mergeCondition(first, { ...valid('True', 'SpecValid'), message: 'warnings: x' }, () => t2);
    expect(same[0]?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    expect(same[0]?.message).toBe('warnings: x');
    const flipped = mergeCondition(same, valid('False', 'InvalidSpec'), () => t2);
    expect(flipped[0]?.lastTransitionTime).toBe('2026-01-01T00:05:00Z');
  });

  it('leaves other condition types alone, sorted by type', () => {
    const prev: Condition[] = [{ type: 'Published', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }];
    const out = mergeCondition(prev, valid('True', 'SpecValid'), () => t1);
    expect(out.map((c) => c.type)).toEqual(['Published', 'Valid']);
    expect(out[0]).toEqual(prev[0]);
  });
});

describe('recordStatusEqual', () => {
  const base: DNSRecordStatus = {
    observedGeneration: 2,
    domain: 'example.com',
    dns: [{ cluster: 'c1', region: 'r', zones: ['a'], loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } }],
    conditions: [{ ...valid('True', 'SpecValid'), lastTransitionTime: '2026-01-01T00:00:00Z' }],
  };
  it('ignores dns order and ingress order, sees every written field', () => {
    const reordered: DNSRecordStatus = { ...base, dns: [{ cluster: 'c1', zones: ['a'], region: 'r', loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } }] };
    expect(recordStatusEqual(base, reordered)).toBe(true);
    expect(recordStatusEqual(base, { ...base, observedGeneration: 3 })).toBe(false);
    expect(recordStatusEqual(base, { ...base, domain: 'example.org' })).toBe(false);
    expect(recordStatusEqual(base, { ...base, dns: [{ cluster: 'c1', region: 'r', zones: ['a'], loadBalancer: {} }] })).toBe(false);
    expect(recordStatusEqual(base, { ...base, conditions: [valid('False', 'InvalidSpec')] })).toBe(false);
    expect(recordStatusEqual(undefined, {})).toBe(true);
  });
});
