import { describe, expect, it } from 'vitest';
import { Counter, createRegistry } from '../../../src/observability/metrics.js';
import { startHealthServer } from '../../../src/observability/http-server.js';

describe('health server', () => {
  it('serves /metrics, /healthz, /readyz with pluggable checks and closes cleanly', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    new Counter({ name: 'kfed_test_total', help: 'test', registers: [registry] }).inc(3);
    const srv = await startHealthServer({ host: '127.0.0.1', port: 0, registry, checkTimeoutMs: 100 });
    try {
      const metrics = await fetch(`${srv.url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('kfed_test_total 3');

      expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);

      let synced = false;
      srv.addReadinessCheck('informers', () => synced || 'informers not synced');
      srv.addReadinessCheck('slow', () => new Promise<boolean>((r) => setTimeout(() => r(true), 10)));
      const notReady = await fetch(`${srv.url}/readyz`);
      expect(notReady.status).toBe(503);
      const body = await notReady.text();
      expect(body).toContain('[-]informers failed: informers not synced');
      expect(body).toContain('[+]slow ok');

      synced = true;
      const ready = await fetch(`${srv.url}/readyz?verbose`);
      expect(ready.status).toBe(200);
      expect(await ready.text()).toContain('[+]informers ok');

      srv.addReadinessCheck('hang', () => new Promise<boolean>(() => undefined));
      const hung = await fetch(`${srv.url}/readyz`);
      expect(hung.status).toBe(503);
      expect(await hung.text()).toContain('timed out');
      srv.removeCheck('hang');

      srv.addLivenessCheck('throws', () => {
        throw new Error('event loop stuck');
      });
      const live = await fetch(`${srv.url}/healthz`);
      expect(live.status).toBe(503);
      expect(await live.text()).toContain('event loop stuck');

      expect((await fetch(`${srv.url}/nope`)).status).toBe(404);
    } finally {
      await srv.close();
    }
    await expect(fetch(`${srv.url}/healthz`)).rejects.toThrow();
  });

  it('appends metrics sources to /metrics and leaves a failing one out of the scrape', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    new Counter({ name: 'kfed_test_total', help: 'test', registers: [registry] }).inc(3);
    const srv = await startHealthServer({ host: '127.0.0.1', port: 0, registry });
    try {
      srv.addMetricsSource('other', () => Promise.resolve('# HELP kfed_other_total other\n# TYPE kfed_other_total counter\nkfed_other_total 7'));
      srv.addMetricsSource('empty', () => Promise.resolve(''));
      srv.addMetricsSource('broken', () => Promise.reject(new Error('workers gone')));
      const res = await fetch(`${srv.url}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/kfed_test_total 3\n(.*\n)*# TYPE kfed_other_total counter\nkfed_other_total 7\n$/);
      srv.removeMetricsSource('other');
      expect(await (await fetch(`${srv.url}/metrics`)).text()).not.toContain('kfed_other_total');
    } finally {
      await srv.close();
    }
  });

  it('reports a port in use clearly', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    const a = await startHealthServer({ host: '127.0.0.1', port: 0, registry });
    try {
      await expect(startHealthServer({ host: '127.0.0.1', port: a.port, registry })).rejects.toThrow(/listen on 127.0.0.1:\d+: .*EADDRINUSE/);
    } finally {
      await a.close();
    }
  });
});
