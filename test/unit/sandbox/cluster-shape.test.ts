// `kfed sandbox --cluster-names` and `--pod-capacity`: names checked before anything starts,
// capacity spread over a cluster's nodes.
import { describe, expect, it } from 'vitest';
import { nodeObjects } from '../../../src/sandbox/bootstrap.js';
import { checkClusterNames, startSandbox } from '../../../src/sandbox/sandbox.js';
import { defaultTopology } from '../../../src/sandbox/topology.js';

describe('sandbox cluster names and capacity', () => {
  it('accepts distinct DNS-1123 labels and refuses the rest with a clear message', () => {
    expect(checkClusterNames(['cluster1', 'cluster2'])).toEqual(['cluster1', 'cluster2']);
    expect(() => checkClusterNames([])).toThrow(/at least one name/);
    expect(() => checkClusterNames(['Cluster1'])).toThrow(/"Cluster1" is not a DNS-1123 label/);
    expect(() => checkClusterNames(['a', 'a'])).toThrow(/"a" is given twice/);
  });

  it('refuses a capacity for a cluster it does not have, before starting anything', async () => {
    await expect(startSandbox({ clusterNames: ['cluster1'], podCapacity: { 'cluster-2': 3 } })).rejects.toThrow(/"cluster-2", which is not one of the clusters/);
    await expect(startSandbox({ podCapacity: { 'cluster-1': -1 } })).rejects.toThrow(/non-negative integer/);
  });

  it('spreads a cluster\'s pod capacity over its nodes', () => {
    const pods = (t: ReturnType<typeof defaultTopology>): string[] => nodeObjects(t).map((n) => (n['status'] as { allocatable: { pods: string } }).allocatable.pods);
    expect(pods(defaultTopology(0))).toEqual(['100', '100']);
    expect(pods({ ...defaultTopology(0), podCapacity: 5 })).toEqual(['3', '2']);
    expect(pods({ ...defaultTopology(1), podCapacity: 0 })).toEqual(['0']);
  });
});
