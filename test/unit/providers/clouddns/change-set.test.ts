import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import { encodeRouting } from '../../../../src/dns/routing.js';
import { groupChanges, guessState, keyChange, rebase, StaleRecordError, type KeyState } from '../../../../providers/clouddns/change-set.js';
import { foldEndpoints } from '../../../../providers/clouddns/fold.js';

const w = (cluster: string, ip: string, weight = 1): Endpoint => ({
  dnsName: 'go.example.com',
  recordType: 'A',
  recordTTL: 60,
  targets: [ip],
  setIdentifier: cluster,
  providerSpecific: encodeRouting({ policy: 'weighted', cluster, weight }) ?? [],
});
const none = { create: [], updateOld: [], updateNew: [], delete: [] };

function known(endpoints: Endpoint[]): KeyState {
  const f = foldEndpoints(endpoints);
  return { rrset: f.rrset, ...(f.companion ? { companion: f.companion } : {}), endpoints, known: true };
}

describe('change set', () => {
  it('groups by record set; a rename is a delete in one and a create in the other', () => {
    const a = w('c1', '192.0.2.1');
    const b = { ...a, dnsName: 'other.example.com' };
    const g = groupChanges({ ...none, create: [w('c2', '192.0.2.2')], updateOld: [a], updateNew: [b] });
    expect([...g.keys()]).toEqual(['go.example.com\u0000A', 'other.example.com\u0000A']);
    expect(g.get('go.example.com\u0000A')?.delete).toEqual([a]);
    expect(g.get('other.example.com\u0000A')?.create).toEqual([b]);
  });

  it('rebase keeps the sets it was not asked about, and is idempotent', () => {
    const s = known([w('c1', '192.0.2.1'), w('other-owner', '192.0.2.9')]);
    const out = rebase(s, { ...none, create: [w('c2', '192.0.2.2')], delete: [w('c1', '192.0.2.1')] });
    expect(out.map((e) => e.setIdentifier)).toEqual(['other-owner', 'c2']);
    const again = rebase({ ...s, endpoints: out }, { ...none, create: [w('c2', '192.0.2.2')], delete: [w('c1', '192.0.2.1')] });
    expect(again).toEqual(out);
  });

  it('rebase refuses when the held record differs from the one to change', () => {
    const s = known([w('c1', '192.0.2.1')]);
    expect(() => rebase(s, { ...none, delete: [w('c1', '192.0.2.7')] })).toThrow(StaleRecordError);
    expect(() => rebase(s, { ...none, create: [w('c1', '192.0.2.8')] })).toThrow(StaleRecordError);
    // A guess is not checked: the exact deletion at Cloud DNS is.
    expect(rebase({ ...s, known: false }, { ...none, delete: [w('c1', '192.0.2.7')] })).toEqual([]);
  });

  it('keyChange: no change when equal; the companion changes with a property alone', () => {
    const s = known([w('c1', '192.0.2.1', 2)]);
    expect(keyChange('k', s, [w('c1', '192.0.2.1', 2)])).toMatchObject({ deletions: [], additions: [] });
    const c = keyChange('k', s, [w('c1', '192.0.2.1', 3)]);
    expect(c.deletions).toEqual([s.rrset, s.companion]);
    expect(c.additions.map((r) => r.name)).toEqual(['go.example.com.', '_kfed-a.go.example.com.']);
  });

  it('guessState folds the plan old records', () => {
    const g = guessState({ ...none, updateOld: [w('c1', '192.0.2.1')], updateNew: [w('c1', '192.0.2.2')] });
    expect(g.known).toBe(false);
    expect(g.rrset?.routingPolicy?.wrr?.items).toEqual([{ weight: 1, rrdatas: ['192.0.2.1'] }]);
  });
});
