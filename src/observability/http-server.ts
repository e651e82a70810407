// /metrics, /healthz and /readyz on one small HTTP server. Readiness is a set of named
// checks (informers synced, DNS snapshot loaded, ...) that components register; the
// response lists failing checks so `kubectl describe pod` explains an unready replica.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { silentLogger, type Logger } from './logger.js';

/** Returns true / resolves true when healthy; a string or thrown error explains why not. */
export type HealthCheck = () => boolean | string | Promise<boolean | string>;

/**
 * Metrics kept outside the registry (other processes'), as Prometheus text in the
 * registry's format with families of their own, appended to /metrics.
 */
export type MetricsSource = () => Promise<string>;

export interface HealthServerOptions {
  /** Listen host; default 0.0.0.0. Tests use 127.0.0.1. */
  host?: string;
  /** Listen port; 0 picks a free one. */
  port: number;
  registry: Registry;
  logger?: Logger | undefined;
  /** A check slower than this fails. Default 5 s. */
  checkTimeoutMs?: number;
}

export interface HealthServer {
  readonly port: number;
  readonly url: string;
  addReadinessCheck(name: string, check: HealthCheck): void;
  addLivenessCheck(name: string, check: HealthCheck): void;
  removeCheck(name: string): void;
  addMetricsSource(name: string, source: MetricsSource): void;
  removeMetricsSource(name: string): void;
  close(): Promise<void>;
}

interface CheckOutcome {
  name: string;
  ok: boolean;
  reason?: string;
}

async function runCheck(name: string, check: HealthCheck, timeoutMs: number): Promise<CheckOutcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`timed out after ${timeoutMs} ms`), timeoutMs);
    });
    const res = await Promise.race([Promise.resolve().then(check), timeout]);
    if (res === true) return { name, ok: true };
    return { name, ok: false, reason: typeof res === 'string' ? res : 'not ready' };
  } catch (err) {
    return { name, ok: false, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const log = (options.logger ?? silentLogger()).child({ component: 'http-server' });
  const timeoutMs = options.checkTimeoutMs ?? 5000;
  const readiness = new Map<string, HealthCheck>();
  const liveness = new Map<string, HealthCheck>();
  const metricsSources = new Map<string, MetricsSource>();

  // A source that fails (its processes gone, prom-client's 5 s aggregation timeout) is
  // left out of this scrape rather than failing it: the registry's metrics still count.
  const metricsText = async (): Promise<string> => {
    const parts = await Promise.all([
      options.registry.metrics(),
      ...[...metricsSources].map(([name, source]) => source().catch((err: unknown) => {
        log.warn({ source: name, err: err instanceof Error ? err.message : String(err) }, 'metrics source failed; left out of this scrape');
        return '';
      })),
    ]);
    return parts.filter((p) => p !== '').map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
  };

  const respondChecks = async (checks: Map<string, HealthCheck>, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const outcomes = await Promise.all([...checks].map(([name, c]) => runCheck(name, c, timeoutMs)));
    const ok = outcomes.every((o) => o.ok);
    const verbose = new URL(req.url ?? '/', 'http://x').searchParams.has('verbose') || !ok;
    const lines = verbose ? outcomes.map((o) => (o.ok ? `[+]${o.name} ok` : `[-]${o.name} failed: ${o.reason ?? ''}`)) : [];
    lines.push(ok ? 'ok' : 'not ok');
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${lines.join('\n')}\n`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      const body = await metricsText();
      res.writeHead(200, { 'content-type': options.registry.contentType });
      res.end(body);
    } else if (path === '/healthz' || path === '/livez') {
      await respondChecks(liveness, req, res);
    } else if (path === '/readyz') {
      await respondChecks(readiness, req, res);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err: err instanceof Error ? err.message : String(err), path: req.url }, 'request failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // Scrapers keep connections open; do not let them delay close().
  server.keepAliveTimeout = 5000;

  const host = options.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(new Error(`health server: listen on ${host}:${options.port}: ${err.message}`, { cause: err }));
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  log.info({ host, port }, 'serving /metrics, /healthz, /readyz');

  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${urlHost}:${port}`,
    addReadinessCheck: (name, check) => void readiness.set(name, check),
    addLivenessCheck: (name, check) => void liveness.set(name, check),
    removeCheck: (name) => {
      readiness.delete(name);
      liveness.delete(name);
    },
    addMetricsSource: (name, source) => void metricsSources.set(name, source),
    removeMetricsSource: (name) => void metricsSources.delete(name),
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
