import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { componentLogger, createLogger, redactDeep } from '../../../src/observability/logger.js';
import { Counter, createRegistry, registerOnce } from '../../../src/observability/metrics.js';
import { startHealthServer } from '../../../src/observability/http-server.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, stream };
}

describe('logger', () => {
  it('writes JSON with level label, component and redacted secrets', async () => {
    const { lines, stream } = capture();
    const root = createLogger({ level: 'debug', destination: stream });
    const log = componentLogger(root, 'clusters', { cluster: 'cluster-2' });
    log.info({ token: 'abc', member: { caBundle: 'LS0t', apiEndpoint: 'https://x' }, deep: { a: { bearerToken: 't' } } }, 'client rebuilt');
    log.debug({ headers: { authorization: 'Bearer x' } }, 'request');
    log.trace('hidden');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(2);
    const first = lines[0] as Record<string, any>;
    expect(first.level).toBe('info');
    expect(first.component).toBe('clusters');
    expect(first.cluster).toBe('cluster-2');
    expect(first.msg).toBe('client rebuilt');
    expect(first.token).toBe('[REDACTED]');
    expect(first.member.caBundle).toBe('[REDACTED]');
    expect(first.member.apiEndpoint).toBe('https://x');
    expect(first.deep.a.bearerToken).toBe('[REDACTED]');
    expect((lines[1] as Record<string, any>).headers.authorization).toBe('[REDACTED]');
    expect(JSON.stringify(lines)).not.toContain('abc');
  });

  it('redactDeep hides secrets at any depth without touching the input', () => {
    const cfg = { providers: [{ route53: { secretAccessKey: 'S', region: 'r' } }], a: { b: { c: { token: 'T' } } }, empty: { token: '' } };
    const out = redactDeep(cfg);
    expect(out.providers[0]?.route53.secretAccessKey).toBe('[REDACTED]');
    expect(out.providers[0]?.route53.region).toBe('r');
    expect(out.a.b.c.token).toBe('[REDACTED]');
    expect(out.empty.token).toBe('');
    expect(cfg.a.b.c.token).toBe('T');
  });
});

describe('metrics', () => {
  it('registerOnce returns the same group per registry and a new one per new registry', () => {
    const r1 = createRegistry({ defaultMetrics: false });
    const make = (r: typeof r1) => ({ c: new Counter({ name: 'x_total', help: 'x', registers: [r] }) });
    const a = registerOnce(r1, 'x', make);
    const b = registerOnce(r1, 'x', make);
    expect(a).toBe(b);
    const r2 = createRegistry({ defaultMetrics: false });
    expect(registerOnce(r2, 'x', make)).not.toBe(a);
  });

  it('includes default process metrics and default labels', async () => {
    const r = createRegistry({ defaultLabels: { replica: 'r1' } });
    const text = await r.metrics();
    expect(text).toContain('process_cpu_user_seconds_total{replica="r1"}');
  });
});

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
