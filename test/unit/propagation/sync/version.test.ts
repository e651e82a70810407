import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../src/api/meta.js';
import type { FederatedObject } from '../../../../src/api/federation.js';
import type { PropagatedVersionStatus } from '../../../../src/api/core.js';
import {
  canonicalJson, clusterOverridesVersion, isUpToDate, memberIsCurrent, nextVersionRecord, objectVersion,
  overridesVersion, propagatedVersionFor, templateVersion, versionRecordsEqual, type DesiredHashes,
} from '../../../../src/propagation/sync/version.js';

const fed = (template: Record<string, unknown> | undefined, replicas2 = 4): FederatedObject => ({
  apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment',
  metadata: { name: 'go-app', namespace: 'go-app', uid: 'uid-1' },
  spec: {
    ...(template ? { template } : {}),
    overrides: [{ clusterName: 'cluster-2', clusterOverrides: [{ path: '/spec/replicas', value: replicas2 }] }],
  },
});

describe('hashes', () => {
  it('canonical JSON sorts keys at every level (Go encoding/json order)', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
  });
  it('templateVersion is md5 of the canonical template, independent of key order, "" without template', () => {
    const a = templateVersion(fed({ spec: { replicas: 2 }, metadata: { labels: { app: 'x' } } }));
    const b = templateVersion(fed({ metadata: { labels: { app: 'x' } }, spec: { replicas: 2 } }));
    expect(a).toBe(b);
    expect(a).toBe(createHash('md5').update('{"metadata":{"labels":{"app":"x"}},"spec":{"replicas":2}}').digest('hex'));
    expect(templateVersion(fed(undefined))).toBe('');
  });
  it('overridesVersion hashes {"overrides": ...} as Kubefed, and folds in policy overrides', () => {
    const f = fed({});
    expect(overridesVersion(f)).toBe(createHash('md5').update('{"overrides":[{"clusterName":"cluster-2","clusterOverrides":[{"path":"/spec/replicas","value":4}]}]}').digest('hex'));
    expect(overridesVersion(f, {})).toBe(overridesVersion(f));
    expect(overridesVersion(f, { 'cluster-1': [{ path: '/spec/replicas', value: 1 }] })).not.toBe(overridesVersion(f));
    expect(overridesVersion(fed({}, 5))).not.toBe(overridesVersion(f));
  });
  it('objectVersion prefers the generation', () => {
    const m = (generation?: number): KubeObject => ({ apiVersion: 'v1', kind: 'X', metadata: { resourceVersion: '42', ...(generation !== undefined ? { generation } : {}) } });
    expect(objectVersion(m(3))).toBe('gen:3');
    expect(objectVersion(m())).toBe('rv:42');
    expect(objectVersion(m(0))).toBe('rv:42');
  });
});

describe('isUpToDate / nextVersionRecord', () => {
  const ops1 = clusterOverridesVersion([]);
  const ops2 = clusterOverridesVersion([{ path: '/spec/replicas', value: 4 }]);
  const hashes: DesiredHashes = { templateVersion: 't1', overridesVersion: 'o1', clusterOverrides: { 'cluster-1': ops1, 'cluster-2': ops2, 'cluster-3': ops1 } };
  const written = nextVersionRecord(undefined, hashes, ['cluster-1', 'cluster-2', 'cluster-3'], { 'cluster-2': 'gen:1', 'cluster-1': 'gen:1', 'cluster-3': 'rv:9' });

  it('records every written cluster, sorted, with its override hash', () => {
    expect(written).toEqual({
      templateVersion: 't1', overridesVersion: 'o1',
      clusterVersions: [
        { clusterName: 'cluster-1', version: 'gen:1', overridesVersion: ops1 },
        { clusterName: 'cluster-2', version: 'gen:1', overridesVersion: ops2 },
        { clusterName: 'cluster-3', version: 'rv:9', overridesVersion: ops1 },
      ],
    });
  });

  it('an unchanged world after a restart is up to date everywhere (zero writes)', () => {
    const reloaded = JSON.parse(JSON.stringify(written)) as PropagatedVersionStatus;
    expect(isUpToDate(reloaded, hashes, 'cluster-1', 'gen:1')).toBe(true);
    expect(isUpToDate(reloaded, hashes, 'cluster-3', 'rv:9')).toBe(true);
    expect(nextVersionRecord(reloaded, hashes, ['cluster-1', 'cluster-2', 'cluster-3'], {})).toEqual(written);
    expect(versionRecordsEqual(nextVersionRecord(reloaded, hashes, ['cluster-1', 'cluster-2', 'cluster-3'], {}), reloaded)).toBe(true);
  });

  const stale: { name: string; h: DesiredHashes; cluster: string; version: string }[] = [
    { name: 'member changed (drift)', h: hashes, cluster: 'cluster-1', version: 'gen:2' },
    { name: 'template changed', h: { ...hashes, templateVersion: 't2' }, cluster: 'cluster-1', version: 'gen:1' },
    { name: 'this cluster\'s overrides changed', h: { ...hashes, overridesVersion: 'o2', clusterOverrides: { ...hashes.clusterOverrides, 'cluster-2': 'x' } }, cluster: 'cluster-2', version: 'gen:1' },
    { name: 'no record for the cluster', h: hashes, cluster: 'cluster-9', version: 'gen:1' },
  ];
  for (const s of stale) {
    it(`is not up to date when ${s.name}`, () => {
      expect(isUpToDate(written, s.h, s.cluster, s.version)).toBe(false);
    });
  }
  it('is not up to date without a record', () => {
    expect(isUpToDate(undefined, hashes, 'cluster-1', 'gen:1')).toBe(false);
  });

  it('an override edit for cluster-2 keeps the records of cluster-1 and cluster-3 valid', () => {
    const h2: DesiredHashes = { ...hashes, overridesVersion: 'o2', clusterOverrides: { ...hashes.clusterOverrides, 'cluster-2': 'new' } };
    expect(isUpToDate(written, h2, 'cluster-1', 'gen:1')).toBe(true);
    const next = nextVersionRecord(written, h2, ['cluster-1', 'cluster-2', 'cluster-3'], { 'cluster-2': 'gen:2' });
    expect(next.overridesVersion).toBe('o2');
    expect(next.clusterVersions).toEqual([
      { clusterName: 'cluster-1', version: 'gen:1', overridesVersion: ops1 },
      { clusterName: 'cluster-2', version: 'gen:2', overridesVersion: 'new' },
      { clusterName: 'cluster-3', version: 'rv:9', overridesVersion: ops1 },
    ]);
  });

  it('a Kubefed record without per-cluster hashes falls back to the object-wide overridesVersion', () => {
    const kubefed: PropagatedVersionStatus = { templateVersion: 't1', overridesVersion: 'o1', clusterVersions: [{ clusterName: 'cluster-1', version: 'gen:1' }] };
    expect(isUpToDate(kubefed, hashes, 'cluster-1', 'gen:1')).toBe(true);
    expect(isUpToDate(kubefed, { ...hashes, overridesVersion: 'o2' }, 'cluster-1', 'gen:1')).toBe(false);
  });

  it('drops clusters known clean: deleted there, or removed from an unplaced cluster', () => {
    expect(nextVersionRecord(written, hashes, ['cluster-1', 'cluster-2'], { 'cluster-2': '' }, { cleared: ['cluster-3'] }).clusterVersions).toEqual([
      { clusterName: 'cluster-1', version: 'gen:1', overridesVersion: ops1 },
    ]);
  });

  // Regression (found by the fault soak): the record is where a deletion learns which
  // members kfed wrote to. Dropping these entries made a later deletion, while that member
  // was unreachable, skip it and leave its managed object behind for good.
  it('keeps, never up to date, where kfed may have written but could not confirm clean', () => {
    const templateChanged = { ...hashes, templateVersion: 't2' };
    // cluster-2 and cluster-3 not Ready while the template changed: not written this time.
    const next = nextVersionRecord(written, templateChanged, ['cluster-1', 'cluster-2', 'cluster-3'], { 'cluster-1': 'gen:2' });
    expect(next.clusterVersions).toEqual([
      { clusterName: 'cluster-1', version: 'gen:2', overridesVersion: ops1 },
      { clusterName: 'cluster-2', version: '' },
      { clusterName: 'cluster-3', version: '' },
    ]);
    expect(isUpToDate(next, templateChanged, 'cluster-2', 'gen:1')).toBe(false);
    // cluster-3 left the placement while not Ready: kept until its removal is confirmed.
    const moved = nextVersionRecord(written, hashes, ['cluster-1', 'cluster-2'], {});
    expect(moved.clusterVersions?.map((v) => `${v.clusterName}:${v.version}`)).toEqual(['cluster-1:gen:1', 'cluster-2:gen:1', 'cluster-3:']);
    expect(nextVersionRecord(moved, hashes, ['cluster-1', 'cluster-2'], {}, { cleared: ['cluster-3'] }).clusterVersions?.map((v) => v.clusterName)).toEqual(['cluster-1', 'cluster-2']);
    // A failed create may have applied (its answer lost in a partition): recorded too.
    const failed = nextVersionRecord(undefined, hashes, ['cluster-1', 'cluster-2'], { 'cluster-1': 'gen:1' }, { attempted: ['cluster-2'] });
    expect(failed.clusterVersions?.map((v) => `${v.clusterName}:${v.version}`)).toEqual(['cluster-1:gen:1', 'cluster-2:']);
    // Once written, the entry is a normal one again.
    expect(nextVersionRecord(failed, hashes, ['cluster-1', 'cluster-2'], { 'cluster-2': 'gen:1' }).clusterVersions?.[1]).toEqual({ clusterName: 'cluster-2', version: 'gen:1', overridesVersion: ops2 });
  });

  it('memberIsCurrent also catches metadata drift that does not move the generation', () => {
    const desired: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'go-app', labels: { app: 'go-app', 'kubefed.io/managed': 'true' } } };
    const member: KubeObject = { ...structuredClone(desired), metadata: { ...structuredClone(desired.metadata), generation: 1, resourceVersion: '5' } };
    expect(memberIsCurrent(written, hashes, 'cluster-1', desired, member)).toBe(true);
    member.metadata.labels = { app: 'go-app' };
    expect(memberIsCurrent(written, hashes, 'cluster-1', desired, member)).toBe(false);
  });
});

describe('propagatedVersionFor', () => {
  it('names the record <target-kind>-<name>, owned by the federated object', () => {
    const pv = propagatedVersionFor(fed({}), 'Deployment', { templateVersion: 't', overridesVersion: 'o' });
    expect(pv).toEqual({
      apiVersion: 'core.kubefed.io/v1alpha1', kind: 'PropagatedVersion',
      metadata: { name: 'deployment-go-app', namespace: 'go-app', ownerReferences: [{ apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment', name: 'go-app', uid: 'uid-1' }] },
      status: { templateVersion: 't', overridesVersion: 'o' },
    });
  });
  it('uses ClusterPropagatedVersion for cluster-scoped federated objects', () => {
    const f: FederatedObject = { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedClusterRole', metadata: { name: 'reader', uid: 'u' }, spec: {} };
    const pv = propagatedVersionFor(f, 'ClusterRole', { templateVersion: '', overridesVersion: '' });
    expect(pv.kind).toBe('ClusterPropagatedVersion');
    expect(pv.metadata.name).toBe('clusterrole-reader');
    expect(pv.metadata.namespace).toBeUndefined();
  });
});
