// API failures mapped once, here, into one typed error. Callers branch on `reason`
// (or the is* helpers) and never look at HTTP status codes or socket error codes.
import type { StatusObject } from '../api/meta.js';

export type KubeErrorReason =
  | 'NotFound'
  | 'Conflict'
  | 'AlreadyExists'
  | 'Gone'
  | 'Invalid'
  | 'BadRequest'
  | 'Forbidden'
  | 'Unauthorized'
  | 'TooManyRequests'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'Unreachable'
  | 'TLSError'
  | 'Unknown';

export interface KubeRequestContext {
  verb: string;
  /** Request path without query, e.g. /apis/apps/v1/namespaces/x/deployments/y. */
  path: string;
  /** Cluster name for messages; never a URL with credentials. */
  cluster?: string;
}

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  /** HTTP status, or 0 when no response arrived. */
  readonly code: number;
  readonly reason: KubeErrorReason;
  /** From Retry-After or Status.details.retryAfterSeconds. */
  readonly retryAfterSeconds: number | undefined;
  /** The Status body, when the server sent one. */
  readonly status: StatusObject | undefined;
  readonly verb: string;
  readonly path: string;

  constructor(
    message: string,
    fields: { code: number; reason: KubeErrorReason; context: KubeRequestContext; retryAfterSeconds?: number; status?: StatusObject; cause?: unknown },
  ) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = fields.code;
    this.reason = fields.reason;
    this.retryAfterSeconds = fields.retryAfterSeconds;
    this.status = fields.status;
    this.verb = fields.context.verb;
    this.path = fields.context.path;
  }
}

function reasonForCode(code: number, statusReason: string | undefined): KubeErrorReason {
  switch (code) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 409:
      return statusReason === 'AlreadyExists' ? 'AlreadyExists' : 'Conflict';
    case 410:
      return 'Gone';
    case 415:
      return 'UnsupportedMediaType';
    case 422:
      return 'Invalid';
    case 429:
      return 'TooManyRequests';
    case 500:
      return 'InternalError';
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'Timeout';
    default:
      return code >= 500 ? 'InternalError' : 'Unknown';
  }
}

function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function asStatus(body: unknown): StatusObject | undefined {
  if (body && typeof body === 'object' && (body as { kind?: unknown }).kind === 'Status') return body as StatusObject;
  return undefined;
}

function where(ctx: KubeRequestContext): string {
  return `${ctx.verb} ${ctx.path}${ctx.cluster ? ` on cluster ${ctx.cluster}` : ''}`;
}

/** Error for a non-2xx response. `body` is the parsed JSON body or the raw text. */
export function errorFromResponse(
  code: number,
  headers: Record<string, string | string[] | undefined>,
  body: unknown,
  ctx: KubeRequestContext,
): KubeApiError {
  const status = asStatus(body);
  const reason = reasonForCode(code, status?.reason);
  const retryAfterSeconds = parseRetryAfter(headers['retry-after']) ?? status?.details?.retryAfterSeconds;
  const detail = status?.message ?? (typeof body === 'string' && body.length > 0 ? body.slice(0, 300) : `HTTP ${code}`);
  return new KubeApiError(`${where(ctx)}: ${reason}: ${detail}`, {
    code,
    reason,
    context: ctx,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    ...(status ? { status } : {}),
  });
}

/** Error for a watch ERROR event, whose object is a Status. */
export function errorFromWatchStatus(status: StatusObject, ctx: KubeRequestContext): KubeApiError {
  const code = status.code || 500;
  const reason = reasonForCode(code, status.reason);
  return new KubeApiError(`${where(ctx)}: watch ${reason}: ${status.message}`, { code, reason, context: ctx, status });
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  // our CONNECT proxy tunnel (src/kube/agent.ts)
  'EPROXY',
  'EPROXYREFUSED',
]);

/** Error for a request that got no HTTP response (socket, DNS, TLS, timeout). */
export function errorFromTransport(err: unknown, ctx: KubeRequestContext): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  let reason: KubeErrorReason = 'Unknown';
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) reason = 'Unreachable';
  else if (typeof code === 'string' && /CERT|SIGNATURE|ISSUER|^ERR_TLS|^ERR_SSL|HOSTNAME_MISMATCH/.test(code)) reason = 'TLSError';
  else if (err instanceof Error && (err.name === 'TimeoutError' || /timed? ?out/i.test(message))) reason = 'Unreachable';
  else if (/socket hang up|ECONNRESET|ECONNREFUSED/i.test(message)) reason = 'Unreachable';
  return new KubeApiError(`${where(ctx)}: ${reason}: ${message}`, { code: 0, reason, context: ctx, cause: err });
}

function hasReason(err: unknown, reason: KubeErrorReason): boolean {
  return err instanceof KubeApiError && err.reason === reason;
}

export const isNotFound = (err: unknown): boolean => hasReason(err, 'NotFound');
export const isConflict = (err: unknown): boolean => hasReason(err, 'Conflict');
export const isAlreadyExists = (err: unknown): boolean => hasReason(err, 'AlreadyExists');
export const isGone = (err: unknown): boolean => hasReason(err, 'Gone');
export const isInvalid = (err: unknown): boolean => hasReason(err, 'Invalid');
export const isForbidden = (err: unknown): boolean => hasReason(err, 'Forbidden');
export const isUnauthorized = (err: unknown): boolean => hasReason(err, 'Unauthorized');
export const isTooManyRequests = (err: unknown): boolean => hasReason(err, 'TooManyRequests');
export const isUnreachable = (err: unknown): boolean => hasReason(err, 'Unreachable') || hasReason(err, 'Timeout');

/** Worth retrying as-is: throttling, server errors, network trouble. */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof KubeApiError)) return false;
  return (
    err.reason === 'TooManyRequests' ||
    err.reason === 'Unreachable' ||
    err.reason === 'Timeout' ||
    err.reason === 'ServiceUnavailable' ||
    err.reason === 'InternalError' ||
    err.reason === 'Conflict'
  );
}
