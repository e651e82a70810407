// Left-behind cleanup with fakes: what it deletes, what it only unlabels, when it keeps the record.
import { describe, expect, it } from 'vitest';
import type { PropagatedVersion } from '../../../../src/api/core.js';
import type { KubeObject } from '../../../../src/api/meta.js';
import { silentLogger } from '../../../../src/observability/logger.js';
import { cleanLeftovers, leftBehindClusters, leftBehindKeys, type LeftoverContext } from '../../../../src/propagation/sync/leftovers.js';
import { NAMESPACES } from '../../../../src/api/kubernetes.js';

function context(name: string, opts: { ready: boolean; protect: boolean }): { ctx: LeftoverContext; calls: string[] } {
  const calls: string[] = [];
  const dynamic = {
    delete: async (ref: { resource: string }, n: string) => void calls.push(`delete ${ref.resource} ${n}`),
    patch: async (ref: { resource: string }, n: string, body: unknown) => {
      calls.push(`patch ${ref.resource} ${n} ${JSON.stringify(body)}`);
      return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } };
    },
  };
  const client = { dynamic } as never;
  const record: PropagatedVersion = { apiVersion: 'core.kubefed.io/v1alpha1', kind: 'PropagatedVersion', metadata: { name: `namespace-${name}`, namespace: name, annotations: { 'kfed.io/left-behind': 'cluster-3' } }, status: { templateVersion: '', overridesVersion: '' } };
  const observed: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubefed.io/managed': 'true' } } };
  const ctx: LeftoverContext = {
    host: client,
    clusters: { get: () => ({ name: 'cluster-3', ready: opts.ready, client, labels: {} }) } as never,
    settings: { clusterTimeoutMs: 15_000 },
    targetRef: NAMESPACES,
    scope: { targetNamespaced: false },
    log: silentLogger(),
    members: { synced: () => true, client: () => client },
    record: () => record,
    observed: () => observed,
    memberKey: () => name,
    protectsNamespace: () => opts.protect,
  };
  return { ctx, calls };
}

describe('cleanLeftovers', () => {
  it('finds the vanished objects of one kind left behind in a cluster, from their records', () => {
    const rec = (name: string, namespace: string | undefined, clusters: string | undefined): PropagatedVersion => ({
      apiVersion: 'core.kubefed.io/v1alpha1', kind: namespace ? 'PropagatedVersion' : 'ClusterPropagatedVersion',
      metadata: { name, ...(namespace ? { namespace } : {}), ...(clusters ? { annotations: { 'kfed.io/left-behind': clusters } } : {}) },
      status: { templateVersion: '', overridesVersion: '' },
    });
    const records = [
      rec('configmap-a', 'ns1', 'cluster-2,cluster-3'), rec('configmap-b', 'ns1', 'cluster-2'), rec('configmap-c', 'ns2', undefined),
      rec('configmapx-d', 'ns1', 'cluster-3'), rec('secret-e', 'ns1', 'cluster-3'), rec('configmap-f-g', 'ns2', 'cluster-3'),
    ];
    expect(leftBehindKeys(records, 'ConfigMap', 'cluster-3')).toEqual(['ns1/a', 'ns2/f-g']);
    expect(leftBehindKeys(records, 'ConfigMap', 'cluster-2')).toEqual(['ns1/a', 'ns1/b']);
    expect(leftBehindKeys([rec('clusterrole-admin-x', undefined, 'cluster-3')], 'ClusterRole', 'cluster-3')).toEqual(['admin-x']);
  });

  it('parses the annotation', () => {
    expect(leftBehindClusters({ metadata: { annotations: { 'kfed.io/left-behind': 'a,b' } } } as never)).toEqual(['a', 'b']);
    expect(leftBehindClusters(undefined)).toEqual([]);
  });

  it('deletes a leftover Namespace in a member that is back', async () => {
    const { ctx, calls } = context('team-a', { ready: true, protect: false });
    await cleanLeftovers(ctx, 'team-a/team-a', new AbortController().signal);
    expect(calls[0]).toBe('delete namespaces team-a');
  });

  it('only unlabels a protected Namespace', async () => {
    const { ctx, calls } = context('kube-public', { ready: true, protect: true });
    await cleanLeftovers(ctx, 'kube-public/kube-public', new AbortController().signal);
    expect(calls[0]).toBe('patch namespaces kube-public {"metadata":{"labels":{"kubefed.io/managed":null}}}');
    expect(calls.some((c) => c === 'delete namespaces kube-public')).toBe(false);
  });

  it('waits, without a requeue and keeping the record, while the member is away', async () => {
    const { ctx, calls } = context('team-a', { ready: false, protect: false });
    expect(await cleanLeftovers(ctx, 'team-a/team-a', new AbortController().signal)).toBeUndefined();
    expect(calls).toEqual([]);
  });
});
