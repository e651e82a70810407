// Route53 and SDK failures classified once into ProviderError, so the pipeline can
// react by kind: split a rejected batch, back off on throttling, stop on auth/config.
import type { Endpoint } from '../../src/dns/endpoint.js';
import { normalizeDNSName } from '../../src/dns/naming.js';
import { isProviderError, ProviderError, type ProviderErrorKind } from '../../src/dns/publish/provider.js';

const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'PriorRequestNotComplete', 'RequestLimitExceeded', 'TooManyRequestsException']);
const AUTH = new Set([
  'AccessDenied', 'AccessDeniedException', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'UnrecognizedClientException',
  'ExpiredToken', 'ExpiredTokenException', 'InvalidAccessKeyId', 'MissingAuthenticationToken', 'IncompleteSignature', 'CredentialsProviderError',
]);
const CONFIG = new Set(['NoSuchHostedZone', 'TooManyHealthChecks', 'HealthCheckAlreadyExists', 'InvalidDomainName', 'NoSuchHealthCheck', 'HostedZoneNotFound']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'TimeoutError', 'RequestTimeout']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  messages?: string[];
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
  Messages?: { Message?: string | string[] };
}

/** Retry-After in milliseconds (delta-seconds or an HTTP date), or undefined. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

// Route53 names records in its messages as [name='a.example.com.', type='A'(, set-identifier='x')]
// or as "... with DNS name a.example.com. ...".
const BRACKET_RE = /name='([^']+)',\s*type='([^']+)'(?:,\s*set-identifier='([^']*)')?/g;
const DNS_NAME_RE = /DNS name (\S+?)\.?(?:\s|$)/g;
// InvalidInput names the change: [Action=DELETE, Name=a.example.com., Type=A, SetIdentifier=null].
const CHANGE_RE = /Name=([^,\]\s]+),\s*Type=([^,\]\s]+)(?:,\s*SetIdentifier=([^,\]]+))?/g;

/** The endpoints of a batch that the messages of an InvalidChangeBatch name. */
export function namedRecords(messages: readonly string[], batch: readonly Endpoint[]): Endpoint[] {
  const hits = new Set<Endpoint>();
  for (const m of messages) {
    const named = [...m.matchAll(BRACKET_RE)].map((x) => [x[1], x[2], x[3]] as const);
    for (const x of m.matchAll(CHANGE_RE)) named.push([x[1], x[2], x[3] === 'null' ? undefined : x[3]] as const);
    for (const match of named) {
      const name = normalizeDNSName(match[0] ?? '');
      const type = match[1];
      const set = match[2];
      for (const e of batch) {
        if (normalizeDNSName(e.dnsName) !== name) continue;
        // An alias A is a CNAME endpoint; a geo part's set identifier is `<cluster>/<code>`.
        const typeOk = e.recordType === type || (type === 'A' && e.recordType === 'CNAME');
        const setOk = set === undefined || e.setIdentifier === set || set.startsWith(`${e.setIdentifier ?? ''}/`);
        if (typeOk && setOk) hits.add(e);
      }
    }
    for (const match of m.matchAll(DNS_NAME_RE)) {
      const name = normalizeDNSName(match[1] ?? '');
      for (const e of batch) if (normalizeDNSName(e.dnsName) === name) hits.add(e);
    }
  }
  return [...hits];
}

/** Route53's InvalidChangeBatch messages for a change made against a stale read. */
const STALE = /^Tried to (delete resource record set .* but (it was not found|the values provided do not match the current values)|create resource record set .* but it already exists)$/;

/**
 * The ProviderError for any failure of a Route53 call. `batch` is the endpoints of a
 * ChangeResourceRecordSets call, to name the rejected ones.
 */
export function toProviderError(err: unknown, what: string, batch: readonly Endpoint[] = []): ProviderError {
  if (isProviderError(err)) return err;
  const e = (err ?? {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  // Route53 reports several problems of one batch as an <InvalidChangeBatch> document
  // rather than an <ErrorResponse>; the SDK then knows no code and keeps <Messages> raw.
  const raw = e.Messages?.Message;
  const rawMessages = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const code = rawMessages.length > 0 && status === 400 ? 'InvalidChangeBatch' : (e.name ?? e.code ?? 'Error');
  const messages = rawMessages.length > 0 ? rawMessages : e.messages && e.messages.length > 0 ? e.messages : [e.message ?? String(err)];
  const text = `${what}: ${code}: ${messages.join('; ')}`;
  const make = (kind: ProviderErrorKind, extra: { rejected?: Endpoint[]; retryAfterMs?: number } = {}): ProviderError =>
    new ProviderError(kind, text, { cause: err, ...extra });
  // A batch refused only because the zone changed since it was read (another writer): re-read, do not isolate.
  if (code === 'InvalidChangeBatch' && messages.every((m) => STALE.test(m))) return make('conflict');
  if (code === 'InvalidChangeBatch' || code === 'InvalidInput') return make('rejected', { rejected: namedRecords(messages, batch) });
  const after = retryAfterMs(e.$response?.headers?.['retry-after'] ?? e.$response?.headers?.['Retry-After']);
  const timing = after !== undefined ? { retryAfterMs: after } : {};
  if (THROTTLED.has(code) || status === 429) return make('throttled', timing);
  if (AUTH.has(code) || status === 401 || status === 403) return make('auth');
  if (code === 'ConcurrentModification' || code === 'ConflictingDomainExists') return make('conflict', timing);
  if (CONFIG.has(code)) return make('config');
  if (NETWORK.has(code) || (status !== undefined && status >= 500) || code === 'ServiceUnavailable' || code === 'InternalFailure') return make('unavailable', timing);
  const errno = (err as { code?: string } | undefined)?.code;
  if (errno !== undefined && NETWORK.has(errno)) return make('unavailable');
  // A 4xx we do not know is a request Route53 will refuse again: not worth retrying.
  if (status !== undefined && status >= 400) return make('rejected');
  return make('unavailable');
}
