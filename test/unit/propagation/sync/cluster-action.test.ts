import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../src/api/meta.js';
import { deletionDecision, placedClusterAction, removalAction, type PlacedClusterInput } from '../../../../src/propagation/sync/cluster-action.js';
import { nextVersionRecord, type DesiredHashes } from '../../../../src/propagation/sync/version.js';

const desired: KubeObject = {
  apiVersion: 'v1', kind: 'ConfigMap',
  metadata: { name: 'cfg', namespace: 'ns', labels: { 'kubefed.io/managed': 'true' } },
  data: { a: '1' },
};
const member = (edit: (o: KubeObject) => void = () => {}): KubeObject => {
  const o: KubeObject = { ...structuredClone(desired), metadata: { ...structuredClone(desired.metadata), resourceVersion: '10', uid: 'm' } };
  edit(o);
  return o;
};
const hashes: DesiredHashes = { templateVersion: 't1', overridesVersion: 'o1', clusterOverrides: { c1: 'x' } };
const record = nextVersionRecord(undefined, hashes, ['c1'], { c1: 'rv:10' });
const input = (over: Partial<PlacedClusterInput>): PlacedClusterInput => ({
  clusterName: 'c1', desired: { ok: true, value: desired }, observed: member(), record, hashes, adoptResources: true, retain: {}, ...over,
});

describe('placedClusterAction', () => {
  it('creates a missing object', () => {
    expect(placedClusterAction(input({ observed: undefined }))).toEqual({ action: 'create', object: desired });
  });
  it('does nothing for an up-to-date member (restart, second reconcile)', () => {
    expect(placedClusterAction(input({}))).toEqual({ action: 'none' });
  });
  it('reports a failed override without writing', () => {
    expect(placedClusterAction(input({ desired: { ok: false, reason: 'ApplyOverridesFailed', message: 'bad' } }))).toEqual({ action: 'skip', status: 'ApplyOverridesFailed', message: 'bad' });
  });
  it('updates drift made in the member', () => {
    const out = placedClusterAction(input({ observed: member((o) => { o.data = { a: 'edited' }; o.metadata.resourceVersion = '11'; }) }));
    expect(out).toMatchObject({ action: 'update', adopt: false, object: { data: { a: '1' }, metadata: { resourceVersion: '11' } } });
  });
  it('only records the new version when the member moved without drifting (status, member annotations)', () => {
    const out = placedClusterAction(input({ observed: member((o) => { o.metadata.annotations = { x: 'y' }; o.metadata.resourceVersion = '12'; }) }));
    expect(out).toEqual({ action: 'record', version: 'rv:12' });
  });
  it('writes after a template change even if every set field matches (a field may have been removed)', () => {
    expect(placedClusterAction(input({ hashes: { ...hashes, templateVersion: 't2' } }))).toMatchObject({ action: 'update' });
  });
  it('without any record compares instead of writing blindly', () => {
    expect(placedClusterAction(input({ record: undefined }))).toEqual({ action: 'record', version: 'rv:10' });
  });
  it('adopts an unmanaged object when adoptResources is Enabled', () => {
    const out = placedClusterAction(input({ observed: member((o) => { o.metadata.labels = {}; }) }));
    expect(out).toMatchObject({ action: 'update', adopt: true, object: { metadata: { labels: { 'kubefed.io/managed': 'true' } } } });
  });
  it('reports AlreadyExists for an unmanaged object when adoption is Disabled', () => {
    expect(placedClusterAction(input({ adoptResources: false, observed: member((o) => { o.metadata.labels = {}; }) }))).toMatchObject({ action: 'skip', status: 'AlreadyExists' });
  });
  it('leaves an object labelled managed=false alone', () => {
    expect(placedClusterAction(input({ observed: member((o) => { o.metadata.labels = { 'kubefed.io/managed': 'false' }; }) }))).toMatchObject({ action: 'skip', status: 'ManagedLabelFalse' });
  });
  it('waits for a member object being deleted', () => {
    expect(placedClusterAction(input({ observed: member((o) => { o.metadata.deletionTimestamp = '2026-01-01T00:00:00Z'; }) }))).toMatchObject({ action: 'skip', status: 'WaitingForRemoval' });
  });
});

describe('removalAction', () => {
  it('deletes a managed object', () => {
    expect(removalAction({ observed: member(), orphan: false })).toEqual({ action: 'delete' });
  });
  it('never touches unmanaged or absent objects', () => {
    expect(removalAction({ observed: undefined, orphan: false })).toEqual({ action: 'none' });
    expect(removalAction({ observed: member((o) => { o.metadata.labels = {}; }), orphan: false })).toEqual({ action: 'none' });
    expect(removalAction({ observed: member((o) => { o.metadata.labels = { 'kubefed.io/managed': 'false' }; }), orphan: false })).toEqual({ action: 'none' });
  });
  it('orphaning strips the managed label and keeps the object', () => {
    const out = removalAction({ observed: member((o) => { o.metadata.labels = { 'kubefed.io/managed': 'true', app: 'x' }; }), orphan: true });
    expect(out).toMatchObject({ action: 'unlabel', object: { metadata: { labels: { app: 'x' }, resourceVersion: '10' } } });
  });
  it('protects the host namespace by unlabelling instead of deleting', () => {
    expect(removalAction({ observed: member(), orphan: false, protect: true })).toMatchObject({ action: 'unlabel' });
  });
  it('reports WaitingForRemoval while the member deletes', () => {
    expect(removalAction({ observed: member((o) => { o.metadata.deletionTimestamp = 'x'; }), orphan: false })).toMatchObject({ action: 'skip', status: 'WaitingForRemoval' });
  });
});

describe('deletionDecision', () => {
  const base = { deletionTimestamp: '2026-01-01T00:00:00Z', timeoutMs: 60_000 };
  it('removes the finalizer when nothing is pending', () => {
    expect(deletionDecision({ ...base, pending: [], unreachable: [], now: new Date('2026-01-01T00:00:01Z') })).toEqual({ removeFinalizer: true, leftBehind: [] });
  });
  it('waits for reachable clusters however long it takes', () => {
    const d = deletionDecision({ ...base, pending: ['c1', 'c3'], unreachable: ['c3'], now: new Date('2026-01-01T01:00:00Z') });
    expect(d).toEqual({ removeFinalizer: false, leftBehind: [], message: 'deleting from c1' });
  });
  it('waits for an unreachable cluster until the timeout, then gives up and says what was left', () => {
    expect(deletionDecision({ ...base, pending: ['c3'], unreachable: ['c3'], now: new Date('2026-01-01T00:00:30Z') })).toMatchObject({ removeFinalizer: false });
    expect(deletionDecision({ ...base, pending: ['c3', 'c2'], unreachable: ['c2', 'c3'], now: new Date('2026-01-01T00:01:00Z') })).toEqual({
      removeFinalizer: true, leftBehind: ['c2', 'c3'], message: 'gave up after 60s waiting for unreachable clusters; member objects may remain in: c2, c3',
    });
  });
});
