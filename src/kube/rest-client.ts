// Raw REST transport to one API server: JSON requests and newline-delimited JSON
// streams (watch). Auth headers come from a provider (kubeconfig users, exec plugins,
// rotating service-account tokens) and are refreshed on 401. Errors are mapped to
// KubeApiError here and nowhere else.
import http from 'node:http';
import https from 'node:https';
import { errorFromResponse, errorFromTransport, KubeApiError, type KubeRequestContext } from './errors.js';
import type { RequestMetrics } from './request-metrics.js';
import { linkedSignal, sleep } from '../runtime/clock.js';
import { TokenBucket } from '../runtime/rate-limiter.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type QueryValue = string | number | boolean | undefined;

export interface RestRequest {
  method: HttpMethod;
  /** Absolute API path, e.g. /api/v1/namespaces. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal | undefined;
  /** Overall deadline for a request; default from the client. Not applied to streams. */
  timeoutMs?: number;
}

/** Supplies request headers carrying credentials; `refresh` forces new ones after a 401. */
export interface AuthProvider {
  headers(refresh: boolean): Promise<Record<string, string>>;
}

export interface RestClientOptions {
  server: string;
  /** Name for errors, logs and metric labels. */
  cluster: string;
  auth: AuthProvider;
  agent: http.Agent;
  /** A separate agent for long-lived watches, so they never starve normal requests. */
  streamAgent: http.Agent;
  timeoutMs?: number;
  metrics?: RequestMetrics;
  userAgent?: string;
  /** Client-side pacing of requests (not streams), like client-go's QPS/Burst. */
  rateLimit?: { qps: number; burst: number };
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class RestClient {
  readonly server: string;
  readonly cluster: string;
  private readonly base: URL;
  private readonly options: RestClientOptions;
  private readonly bucket: TokenBucket | undefined;

  constructor(options: RestClientOptions) {
    this.options = options;
    this.bucket = options.rateLimit ? new TokenBucket(options.rateLimit.qps, options.rateLimit.burst) : undefined;
    this.server = options.server.replace(/\/+$/, '');
    this.base = new URL(this.server);
    this.cluster = options.cluster;
  }

  /** JSON request; resolves the parsed body (undefined for an empty body). */
  async request<T = unknown>(req: RestRequest): Promise<T> {
    const res = await this.send(req);
    return (res.body.length > 0 ? parseJson(res.body, this.context(req)) : undefined) as T;
  }

  /** Text request for non-JSON endpoints such as /healthz. */
  async requestText(req: RestRequest): Promise<string> {
    return (await this.send(req)).body;
  }

  /**
   * Opens a newline-delimited JSON stream and calls `onObject` per line until the
   * server ends it (resolve), the connection fails (reject) or `signal` aborts (resolve).
   */
  async stream(req: RestRequest, onObject: (obj: unknown) => void): Promise<void> {
    const ctx = this.context(req);
    let headers = await this.options.auth.headers(false);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.openStream(req, headers, onObject, ctx);
        return;
      } catch (err) {
        if (attempt === 0 && err instanceof KubeApiError && err.reason === 'Unauthorized') {
          headers = await this.options.auth.headers(true);
          continue;
        }
        throw err;
      }
    }
  }

  /** Releases pooled connections. */
  close(): void {
    this.options.agent.destroy();
    this.options.streamAgent.destroy();
  }

  private context(req: RestRequest): KubeRequestContext {
    return { verb: req.method, path: req.path, cluster: this.cluster };
  }

  private url(req: RestRequest): URL {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + req.path, this.base);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    return url;
  }

  private async send(req: RestRequest): Promise<RawResponse> {
    const ctx = this.context(req);
    const wait = this.bucket?.reserve() ?? 0;
    if (wait > 0) await sleep(wait, req.signal);
    const started = performance.now();
    let code = '0';
    try {
      let res = await this.onceRetryingStaleSocket(req, await this.options.auth.headers(false), ctx);
      if (res.status === 401) res = await this.onceRetryingStaleSocket(req, await this.options.auth.headers(true), ctx);
      code = String(res.status);
      if (res.status < 200 || res.status >= 300) {
        let body: unknown = res.body;
        try {
          body = JSON.parse(res.body);
        } catch {
          // non-JSON error bodies (proxies, load balancers) keep their text
        }
        throw errorFromResponse(res.status, res.headers, body, ctx);
      }
      return res;
    } finally {
      this.options.metrics?.observe(this.cluster, req.method, code, (performance.now() - started) / 1000);
    }
  }

  /**
   * A pooled keep-alive connection the server already closed fails with ECONNRESET
   * before the request reached it; like Go's transport, retry that once on a new one.
   */
  private async onceRetryingStaleSocket(req: RestRequest, authHeaders: Record<string, string>, ctx: KubeRequestContext): Promise<RawResponse> {
    try {
      return await this.once(req, authHeaders, ctx);
    } catch (err) {
      if (err instanceof StaleSocketError) return this.once(req, authHeaders, ctx, false);
      throw err;
    }
  }

  private once(req: RestRequest, authHeaders: Record<string, string>, ctx: KubeRequestContext, allowStaleRetry = true): Promise<RawResponse> {
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs ?? 30_000;
    const linked = linkedSignal(req.signal, timeoutMs);
    const signal = linked.signal;
    const payload = encodeBody(req);
    return new Promise<RawResponse>((resolve, reject) => {
      const url = this.url(req);
      const mod = url.protocol === 'http:' ? http : https;
      const r = mod.request(
        url,
        {
          method: req.method,
          agent: this.options.agent,
          headers: this.headers(authHeaders, req, payload),
          signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (err) => reject(this.transportError(err, req, linked.timedOut(), timeoutMs, ctx)));
        },
      );
      let responded = false;
      r.on('response', () => (responded = true));
      r.on('error', (err) => {
        const code = (err as { code?: unknown }).code;
        if (allowStaleRetry && r.reusedSocket && !responded && !signal.aborted && (code === 'ECONNRESET' || code === 'EPIPE')) {
          reject(new StaleSocketError());
          return;
        }
        reject(this.transportError(err, req, linked.timedOut(), timeoutMs, ctx));
      });
      r.end(payload);
    }).finally(() => linked.dispose());
  }

  private openStream(
    req: RestRequest,
    authHeaders: Record<string, string>,
    onObject: (obj: unknown) => void,
    ctx: KubeRequestContext,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (req.signal?.aborted) return resolve();
      const url = this.url(req);
      const mod = url.protocol === 'http:' ? http : https;
      let settled = false;
      const finish = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        if (err === undefined || req.signal?.aborted) resolve();
        else reject(err instanceof KubeApiError ? err : errorFromTransport(err, ctx));
      };
      const r = mod.request(
        url,
        { method: req.method, agent: this.options.streamAgent, headers: this.headers(authHeaders, req, undefined), ...(req.signal ? { signal: req.signal } : {}) },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let body: unknown = text;
              try {
                body = JSON.parse(text);
              } catch {
                // keep text
              }
              finish(errorFromResponse(status, res.headers, body, ctx));
            });
            res.on('error', finish);
            return;
          }
          let buffered = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffered += chunk;
            let nl = buffered.indexOf('\n');
            while (nl >= 0) {
              const line = buffered.slice(0, nl).trim();
              buffered = buffered.slice(nl + 1);
              if (line.length > 0) {
                let obj: unknown;
                try {
                  obj = JSON.parse(line);
                } catch (err) {
                  r.destroy();
                  finish(new KubeApiError(`${ctx.verb} ${ctx.path} on cluster ${this.cluster}: malformed stream line`, { code: 0, reason: 'Unknown', context: ctx, cause: err }));
                  return;
                }
                try {
                  onObject(obj);
                } catch (err) {
                  r.destroy();
                  finish(err instanceof KubeApiError ? err : new KubeApiError(`${ctx.verb} ${ctx.path}: stream handler failed: ${String(err)}`, { code: 0, reason: 'Unknown', context: ctx, cause: err }));
                  return;
                }
              }
              nl = buffered.indexOf('\n');
            }
          });
          res.on('end', () => finish());
          res.on('error', finish);
          res.on('aborted', () => finish(new Error('stream aborted by server')));
          res.on('close', () => finish(res.complete ? undefined : new Error('stream closed before completion')));
        },
      );
      r.on('error', finish);
      r.end();
    });
  }

  private headers(auth: Record<string, string>, req: RestRequest, payload: string | undefined): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json', 'user-agent': this.options.userAgent ?? 'kfed', ...auth };
    if (payload !== undefined) {
      h['content-type'] = req.contentType ?? 'application/json';
      h['content-length'] = String(Buffer.byteLength(payload));
    }
    return h;
  }

  private transportError(err: unknown, req: RestRequest, timedOut: boolean, timeoutMs: number, ctx: KubeRequestContext): unknown {
    // The caller's own abort stays an AbortError: it is not an API failure.
    if (req.signal?.aborted) return req.signal.reason ?? err;
    if (timedOut) {
      return new KubeApiError(`${ctx.verb} ${ctx.path} on cluster ${this.cluster}: Timeout: no response within ${timeoutMs} ms`, {
        code: 0,
        reason: 'Timeout',
        context: ctx,
        cause: err,
      });
    }
    return errorFromTransport(err, ctx);
  }
}

class StaleSocketError extends Error {
  override readonly name = 'StaleSocketError';
}

function encodeBody(req: RestRequest): string | undefined {
  if (req.body === undefined) return undefined;
  return typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
}

function parseJson(text: string, ctx: KubeRequestContext): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new KubeApiError(`${ctx.verb} ${ctx.path}: response is not JSON: ${text.slice(0, 120)}`, { code: 0, reason: 'Unknown', context: ctx, cause: err });
  }
}
