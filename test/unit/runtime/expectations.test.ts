import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import { Expectations } from '../../../src/runtime/expectations.js';

const obj = (rv: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', resourceVersion: rv, ...extra } });

describe('Expectations', () => {
  it('serves the written object until the cache shows that version or a later one', () => {
    const e = new Expectations();
    e.wrote('k', obj('10'));
    expect(e.current('k', obj('9'))?.metadata.resourceVersion).toBe('10');
    e.observe('k', obj('9'));
    expect(e.size).toBe(1);
    e.observe('k', obj('11'));
    expect(e.size).toBe(0);
    expect(e.current('k', obj('11'))?.metadata.resourceVersion).toBe('11');
  });

  it('drops an expectation the cache already passed (event before response)', () => {
    const e = new Expectations();
    e.wrote('k', obj('10'));
    expect(e.current('k', obj('12'))?.metadata.resourceVersion).toBe('12');
    expect(e.size).toBe(0);
  });

  it('compares non-numeric versions by equality only', () => {
    const e = new Expectations();
    e.wrote('k', obj('b'));
    expect(e.current('k', obj('c'))?.metadata.resourceVersion).toBe('b');
    e.observe('k', obj('b'));
    expect(e.size).toBe(0);
  });

  it('shows a deleted object as terminating until the delete is observed', () => {
    const e = new Expectations();
    e.deleted('k');
    expect(e.current('k', obj('5'))?.metadata.deletionTimestamp).toBeDefined();
    expect(e.current('k', undefined)).toBeUndefined();
    e.observe('k', obj('5'), true);
    expect(e.current('k', obj('5'))?.metadata.deletionTimestamp).toBeUndefined();
  });

  it('expires after the ttl', async () => {
    const e = new Expectations(10);
    e.wrote('k', obj('10'));
    await new Promise((r) => setTimeout(r, 20));
    expect(e.current('k', obj('9'))?.metadata.resourceVersion).toBe('9');
  });
});

// The DNS record, DNSEndpoint and Domain controllers use Expectations as their write overlay
// (it replaced dns/record-status.ts's WriteOverlay; these were its tests).
describe('Expectations as a write overlay', () => {
  const obj = (rv: string | undefined, v: string): KubeObject => ({ apiVersion: 'v1', kind: 'X', metadata: { name: 'x', ...(rv ? { resourceVersion: rv } : {}) }, v });
  it('serves our write while the cache still shows the version it replaced', () => {
    const o = new Expectations<KubeObject>();
    o.wrote('k', obj('6', 'ours'));
    expect(o.current('k', obj('5', 'old'))['v']).toBe('ours');
    expect(o.current('k', obj('6', 'cache'))['v']).toBe('cache');
    // dropped once the cache moved on
    expect(o.current('k', obj('5', 'old'))['v']).toBe('old');
  });
  it('serves a created object until the cache has it', () => {
    const o = new Expectations<KubeObject>();
    o.wrote('k', obj('1', 'created'));
    expect(o.current('k', undefined)?.['v']).toBe('created');
    o.forget('k');
    expect(o.current('k', undefined)).toBeUndefined();
  });
});
