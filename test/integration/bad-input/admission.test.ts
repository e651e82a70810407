// Bad input refused at admission (README "Bad input", rows A1..A39): each malformed object is
// created on a sandbox host with kfed's CRDs and must be refused (422) with a message naming
// the field and the reason. Nothing of it is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installCrds } from '../../../src/app/host-setup.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../../src/kube/cluster-client.js';
import { KubeApiError } from '../../../src/kube/errors.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import { ADMISSION_ROWS, rowObject } from './admission-rows.js';

const NS = 'default';
let sb: Sandbox;
let host: ClusterClient;

beforeAll(async () => {
  sb = await startSandbox({ clusters: 1 });
  host = await clusterClientFromKubeconfig({ kubeconfigYaml: sb.kubeconfigYaml, context: 'cluster-1', timeoutMs: 5000 });
  await installCrds(host);
}, 60_000);

afterAll(async () => {
  host?.close();
  await sb?.close();
});

describe('malformed objects are refused by the API server', () => {
  it('has at least 39 rows with unique ids', () => {
    expect(ADMISSION_ROWS.length).toBeGreaterThanOrEqual(39);
    expect(new Set(ADMISSION_ROWS.map((r) => r.id)).size).toBe(ADMISSION_ROWS.length);
  });

  it.each(ADMISSION_ROWS.map((r) => [r.id, r.input, r] as const))('%s %s', async (_id, _input, row) => {
    const obj = rowObject(row, NS);
    const err = await host.dynamic.create(row.ref, obj).then(() => undefined, (e: unknown) => e);
    expect(err, 'created instead of refused').toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).code).toBe(422);
    for (const part of row.error) expect((err as Error).message).toContain(part);
    expect(await host.dynamic.getIfExists(row.ref, obj.metadata.name ?? '', row.ref.namespaced ? { namespace: NS } : {})).toBeUndefined();
  });
});
