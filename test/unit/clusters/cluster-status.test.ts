import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/api/meta.js';
import { conditionsFor, desiredStatus, kubeTime, locationFromNodes, statusEqual } from '../../../src/clusters/cluster-status.js';

const node = (labels: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', labels } });

describe('locationFromNodes', () => {
  it('reads topology labels, falls back to failure-domain labels, sorts zones', () => {
    const loc = locationFromNodes([
      node({ 'topology.kubernetes.io/region': 'eu-west-1', 'topology.kubernetes.io/zone': 'eu-west-1b' }),
      node({ 'failure-domain.beta.kubernetes.io/region': 'eu-west-1', 'failure-domain.beta.kubernetes.io/zone': 'eu-west-1a' }),
      node({}),
    ]);
    expect(loc).toEqual({ region: 'eu-west-1', zones: ['eu-west-1a', 'eu-west-1b'] });
  });

  it('takes the region most nodes carry, independent of order', () => {
    const a = node({ 'topology.kubernetes.io/region': 'a' });
    const b = node({ 'topology.kubernetes.io/region': 'b' });
    expect(locationFromNodes([a, b, b]).region).toBe('b');
    expect(locationFromNodes([b, b, a]).region).toBe('b');
    expect(locationFromNodes([b, a]).region).toBe('a');
    expect(locationFromNodes([a, b]).region).toBe('a');
  });

  it('is empty when nodes carry no labels', () => {
    expect(locationFromNodes([node({})])).toEqual({ region: undefined, zones: [] });
  });
});

describe('desiredStatus', () => {
  const at = Date.parse('2026-03-01T10:00:00.700Z');

  it('writes Kubefed condition shapes', () => {
    expect(conditionsFor('Ready', '', at)).toEqual([{ type: 'Ready', status: 'True', reason: 'ClusterReady', message: '/healthz responded with ok', lastProbeTime: '2026-03-01T10:00:00Z', lastTransitionTime: '2026-03-01T10:00:00Z' }]);
    const off = conditionsFor('Offline', 'connect ECONNREFUSED 127.0.0.1:1', at);
    expect(off.map((c) => [c.type, c.status, c.reason])).toEqual([['Ready', 'False', 'ClusterNotReachable'], ['Offline', 'True', 'ClusterNotReachable']]);
    expect(off[1]?.message).toBe('cluster is not reachable: connect ECONNREFUSED 127.0.0.1:1');
    expect(conditionsFor('NotReady', '', at).map((c) => [c.type, c.status, c.reason])).toEqual([['Ready', 'False', 'ClusterNotReady'], ['Offline', 'False', 'ClusterReachable']]);
  });

  it('keeps hand-set region and zones when nodes carry none, and condition times when unchanged', () => {
    const current = { conditions: conditionsFor('Ready', '', at - 60_000), region: 'manual', zones: ['z1'], kubernetesVersion: 'v1' };
    const next = desiredStatus({ current, health: { state: 'Ready', message: '', since: at }, location: { region: undefined, zones: [] }, kubernetesVersion: 'v1' });
    expect(next.region).toBe('manual');
    expect(next.zones).toEqual(['z1']);
    expect(next.conditions[0]?.lastTransitionTime).toBe(kubeTime(at - 60_000));
    expect(statusEqual(current, next)).toBe(true);
  });

  it('differs when readiness, location or version change', () => {
    const current = { conditions: conditionsFor('Ready', '', at), region: 'r', zones: ['a'], kubernetesVersion: 'v1' };
    const base = { current, health: { state: 'Ready' as const, message: '', since: at }, location: { region: 'r', zones: ['a'] }, kubernetesVersion: 'v1' };
    expect(statusEqual(current, desiredStatus(base))).toBe(true);
    expect(statusEqual(current, desiredStatus({ ...base, health: { state: 'Offline', message: 'x', since: at + 1000 } }))).toBe(false);
    expect(statusEqual(current, desiredStatus({ ...base, location: { region: 'r', zones: ['a', 'b'] } }))).toBe(false);
    expect(statusEqual(current, desiredStatus({ ...base, kubernetesVersion: 'v2' }))).toBe(false);
  });
});
