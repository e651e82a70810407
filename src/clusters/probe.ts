// One health probe of a member: GET /healthz (and /version when asked) with a deadline.
import type { ClusterClient } from '../kube/cluster-client.js';
import { KubeApiError } from '../kube/errors.js';
import { HEALTHZ_NOT_OK } from './cluster-status.js';
import type { ProbeResult } from './health-state.js';

export interface ProbeOptions {
  timeoutMs: number;
  /** Also read /version (kubernetesVersion). */
  withVersion: boolean;
  signal?: AbortSignal | undefined;
  now?: (() => number) | undefined;
}

const REFUSED_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

function rootCause(err: unknown): unknown {
  let e = err;
  for (let i = 0; i < 5 && e instanceof Error && e.cause !== undefined; i++) e = e.cause;
  return e;
}

/** True when the server is plainly not there (refused or reset before answering). */
export function isRefused(err: unknown): boolean {
  const cause = rootCause(err) as { code?: unknown } | undefined;
  return typeof cause?.code === 'string' && REFUSED_CODES.has(cause.code);
}

/** A short, credential-free explanation of a failed request. */
export function describeFailure(err: unknown): string {
  if (err instanceof KubeApiError) {
    const cause = rootCause(err);
    const detail = cause instanceof Error && cause !== err ? cause.message : err.message.replace(/^.*?: (?=[A-Z][A-Za-z]+: )/, '');
    if (err.reason === 'Timeout') return `no response within the probe timeout`;
    if (err.reason === 'TLSError') return `TLS verification failed: ${detail}`;
    return detail;
  }
  return err instanceof Error ? err.message : String(err);
}

export async function probeMember(client: ClusterClient, o: ProbeOptions): Promise<ProbeResult> {
  const now = o.now ?? Date.now;
  const req = { method: 'GET' as const, timeoutMs: o.timeoutMs, signal: o.signal };
  const version = o.withVersion
    ? client.rest.request<{ gitVersion?: string }>({ ...req, path: '/version' }).then(
        (v) => v?.gitVersion,
        () => undefined,
      )
    : Promise.resolve(undefined);
  try {
    const body = await client.rest.requestText({ ...req, path: '/healthz' });
    const v = await version;
    if (body.trim().toLowerCase() === 'ok') return { outcome: 'healthy', message: '', refused: false, at: now(), ...(v ? { version: v } : {}) };
    return { outcome: 'notReady', message: HEALTHZ_NOT_OK, refused: false, at: now(), ...(v ? { version: v } : {}) };
  } catch (err) {
    await version;
    if (o.signal?.aborted) throw err;
    if (err instanceof KubeApiError && err.code > 0) {
      // The server answered: reachable but unhealthy, or refusing our credentials.
      const what = err.code === 401 || err.code === 403 ? 'credentials refused' : 'unhealthy';
      return { outcome: 'notReady', message: `${HEALTHZ_NOT_OK} (HTTP ${err.code}, ${what}): ${describeFailure(err)}`, refused: false, at: now() };
    }
    return { outcome: 'offline', message: describeFailure(err), refused: isRefused(err), at: now() };
  }
}
