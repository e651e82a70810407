// How watch events leave the server: the events of one event-loop turn go out together (one
// chunk per watcher rather than one per event), in resourceVersion order, and a history replay
// larger than one piece arrives whole and in order.
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/sandbox.js';
import type { SandboxCluster } from '../../../src/sandbox/cluster.js';
import { pollUntil } from '../../support/until.js';

let sb: Sandbox;
let cluster: SandboxCluster;

beforeAll(async () => {
  sb = await startSandbox({ clusters: 1 });
  cluster = sb.clusters[0]!;
  const ns = cluster.registry.byKind('', 'Namespace')!;
  cluster.objects.create(ns, 'v1', undefined, { metadata: { name: 'wd' } });
});
afterAll(async () => {
  await sb?.close();
});

interface Stream {
  /** raw chunks as the client's socket delivered them */
  chunks: string[];
  lines(): { type: string; object: { metadata: { name: string; resourceVersion: string } } }[];
  close(): void;
}

/** A raw HTTPS watch, to see how the bytes arrive (client libraries hide the chunking). */
function openWatch(path: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${cluster.url}${path}`, { ca: cluster.caPem, headers: { Authorization: `Bearer ${cluster.adminToken}` } }, (res) => {
      const chunks: string[] = [];
      res.setEncoding('utf8');
      res.on('data', (d: string) => chunks.push(d));
      resolve({
        chunks,
        lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const configMaps = () => cluster.registry.byKind('', 'ConfigMap')!;

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  await pollUntil(cond, ms, 5);
}

describe('watch delivery', () => {
  it('sends the events of one turn as one chunk, in order', async () => {
    // the namespace's kube-root-ca.crt is published asynchronously: let it land before the watch
    await until(() => cluster.get('configmaps', 'wd', 'kube-root-ca.crt') !== undefined);
    const rv = cluster.store.currentRv;
    const w = await openWatch(`/api/v1/namespaces/wd/configmaps?watch=true&resourceVersion=${rv}`);
    try {
      await new Promise((r) => setTimeout(r, 50));
      const before = w.chunks.length;
      // 50 writes within one turn of the event loop
      for (let i = 0; i < 50; i++) cluster.objects.create(configMaps(), 'v1', 'wd', { metadata: { name: `turn-${i}` }, data: { i: String(i) } });
      await until(() => w.lines().length >= 50);
      const events = w.lines();
      expect(events.map((e) => e.object.metadata.name)).toEqual(Array.from({ length: 50 }, (_, i) => `turn-${i}`));
      expect(events.every((e) => e.type === 'ADDED')).toBe(true);
      const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
      expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
      // one HTTP chunk: TLS may still split it into records the client reads separately, but
      // 50 events (about 20 KB) arrive in far fewer reads than 50
      expect(w.chunks.length - before).toBeLessThan(10);
    } finally {
      w.close();
    }
  });

  it('replays a history of several pieces whole and in order', async () => {
    const rv = cluster.store.currentRv;
    // about 1,000 bytes per event: 2,000 events are several 256 KiB pieces
    for (let i = 0; i < 2_000; i++) cluster.objects.create(configMaps(), 'v1', 'wd', { metadata: { name: `big-${i}` }, data: { pad: 'x'.repeat(800) } });
    const w = await openWatch(`/api/v1/namespaces/wd/configmaps?watch=true&resourceVersion=${rv}`);
    try {
      await until(() => w.chunks.join('').split('\n').length > 2_000);
      const names = w.lines().map((e) => e.object.metadata.name);
      expect(names).toEqual(Array.from({ length: 2_000 }, (_, i) => `big-${i}`));
    } finally {
      w.close();
    }
  });

  it('sends the events queued before a dropped watch ends the stream', async () => {
    const rv = cluster.store.currentRv;
    const w = await openWatch(`/api/v1/namespaces/wd/configmaps?watch=true&resourceVersion=${rv}`);
    const ended = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (w.chunks.join('').includes('last-before-drop')) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    await new Promise((r) => setTimeout(r, 50));
    cluster.objects.create(configMaps(), 'v1', 'wd', { metadata: { name: 'last-before-drop' } });
    // the drop comes in the same turn as the write, before the event was flushed
    await cluster.stop();
    await ended;
    await cluster.start();
    expect(w.lines().map((e) => e.object.metadata.name)).toContain('last-before-drop');
  });
});
