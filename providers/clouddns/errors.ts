// Cloud DNS failures mapped once into ProviderError kinds. Sources: ApiError from
// @google-cloud/common (HTTP status in `code`, reasons in `errors[]`), GaxiosError from
// the token exchange, and Node network errors (string `code`).
import { ProviderError, type ProviderErrorKind } from '../../src/dns/publish/provider.js';

/** What the request was doing: a stale change is a conflict; a missing zone on read is configuration. */
export type CallKind = 'read' | 'change';

interface ErrorShape {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  errors?: { reason?: string; message?: string }[];
  response?: { headers?: Record<string, unknown> | Headers; status?: number; statusCode?: number };
  status?: unknown;
}

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);

function header(h: Record<string, unknown> | Headers | undefined, name: string): string | undefined {
  if (!h) return undefined;
  if (typeof (h as Headers).get === 'function') return (h as Headers).get(name) ?? undefined;
  const v = (h as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

/** Retry-After (seconds or an HTTP date) in milliseconds. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s) && s >= 0) return Math.round(s * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function httpStatus(e: ErrorShape): number | undefined {
  if (typeof e.code === 'number') return e.code;
  const s = e.response?.status ?? e.response?.statusCode ?? e.status;
  return typeof s === 'number' ? s : undefined;
}

function kindOf(status: number, reasons: readonly string[], call: CallKind, isToken: boolean): ProviderErrorKind {
  if (isToken) return status >= 500 ? 'unavailable' : status === 429 ? 'throttled' : 'auth';
  if (status === 429 || reasons.some((r) => r === 'rateLimitExceeded' || r === 'userRateLimitExceeded')) return 'throttled';
  if (status === 401) return 'auth';
  if (status === 403) return reasons.includes('quotaExceeded') ? 'rejected' : 'auth';
  if (status === 404) return call === 'change' ? 'conflict' : 'config';
  if (status === 409 || status === 412) return 'conflict';
  if (status >= 500) return 'unavailable';
  return 'rejected';
}

/** The ProviderError for any failure of a call (`what` names it in the message). */
export function toProviderError(err: unknown, what: string, call: CallKind): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorShape;
  const message = typeof e.message === 'string' ? e.message : String(err);
  const isToken = e.name === 'GaxiosError' || /invalid_grant|invalid_client|unauthorized_client/.test(message);
  if (typeof e.code === 'string' && NETWORK.has(e.code)) return new ProviderError('unavailable', `${what}: ${message}`, { cause: err });
  const status = httpStatus(e);
  if (status === undefined) {
    const kind: ProviderErrorKind = /ECONNREFUSED|ECONNRESET|socket hang up|network|timeout/i.test(message) ? 'unavailable' : isToken ? 'auth' : 'unavailable';
    return new ProviderError(kind, `${what}: ${message}`, { cause: err });
  }
  const reasons = (e.errors ?? []).map((x) => x.reason ?? '');
  const kind = kindOf(status, reasons, call, isToken);
  const opts: { cause: unknown; retryAfterMs?: number } = { cause: err };
  const after = retryAfterMs(header(e.response?.headers, 'retry-after'));
  if (after !== undefined) opts.retryAfterMs = after;
  return new ProviderError(kind, `${what}: HTTP ${status}${reasons.length ? ` (${reasons.join(', ')})` : ''}: ${message}`, opts);
}
