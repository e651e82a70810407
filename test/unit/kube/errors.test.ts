import { describe, expect, it } from 'vitest';
import {
  errorFromResponse,
  errorFromTransport,
  errorFromWatchStatus,
  isAlreadyExists,
  isConflict,
  isGone,
  isNotFound,
  isRetryable,
  isUnreachable,
  KubeApiError,
} from '../../../src/kube/errors.js';

const ctx = { verb: 'GET', path: '/api/v1/namespaces/x/configmaps/y', cluster: 'cluster-2' };

function status(code: number, reason: string, extra: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message: `${reason} msg`, reason, code, ...extra };
}

describe('errorFromResponse', () => {
  it.each([
    [404, 'NotFound', 'NotFound'],
    [409, 'AlreadyExists', 'AlreadyExists'],
    [409, 'Conflict', 'Conflict'],
    [410, 'Expired', 'Gone'],
    [422, 'Invalid', 'Invalid'],
    [403, 'Forbidden', 'Forbidden'],
    [401, 'Unauthorized', 'Unauthorized'],
    [429, 'TooManyRequests', 'TooManyRequests'],
    [500, 'InternalError', 'InternalError'],
    [503, 'ServiceUnavailable', 'ServiceUnavailable'],
    [400, 'BadRequest', 'BadRequest'],
  ])('maps %i %s to %s', (code, statusReason, reason) => {
    const err = errorFromResponse(code, {}, status(code, statusReason), ctx);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err.code).toBe(code);
    expect(err.reason).toBe(reason);
    expect(err.message).toContain('GET /api/v1/namespaces/x/configmaps/y on cluster cluster-2');
    expect(err.message).toContain(`${statusReason} msg`);
    expect(err.status?.reason).toBe(statusReason);
  });

  it('reads Retry-After from the header, then from Status details', () => {
    expect(errorFromResponse(429, { 'retry-after': '7' }, status(429, 'TooManyRequests'), ctx).retryAfterSeconds).toBe(7);
    expect(errorFromResponse(429, {}, status(429, 'TooManyRequests', { details: { retryAfterSeconds: 3 } }), ctx).retryAfterSeconds).toBe(3);
    expect(errorFromResponse(429, {}, 'slow down', ctx).retryAfterSeconds).toBeUndefined();
  });

  it('keeps a non-JSON body in the message', () => {
    const err = errorFromResponse(502, {}, '<html>bad gateway</html>', ctx);
    expect(err.reason).toBe('InternalError');
    expect(err.message).toContain('bad gateway');
  });

  it('predicates', () => {
    expect(isNotFound(errorFromResponse(404, {}, status(404, 'NotFound'), ctx))).toBe(true);
    expect(isConflict(errorFromResponse(409, {}, status(409, 'Conflict'), ctx))).toBe(true);
    expect(isAlreadyExists(errorFromResponse(409, {}, status(409, 'AlreadyExists'), ctx))).toBe(true);
    expect(isConflict(errorFromResponse(409, {}, status(409, 'AlreadyExists'), ctx))).toBe(false);
    expect(isRetryable(errorFromResponse(429, {}, status(429, 'TooManyRequests'), ctx))).toBe(true);
    expect(isRetryable(errorFromResponse(422, {}, status(422, 'Invalid'), ctx))).toBe(false);
    expect(isNotFound(new Error('x'))).toBe(false);
  });
});

describe('errorFromTransport', () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'])('%s is Unreachable', (code) => {
    const cause = Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
    const err = errorFromTransport(cause, ctx);
    expect(err.reason).toBe('Unreachable');
    expect(err.code).toBe(0);
    expect(err.cause).toBe(cause);
    expect(isUnreachable(err)).toBe(true);
    expect(isRetryable(err)).toBe(true);
  });

  it('certificate failures are TLSError, not Unreachable', () => {
    const cause = Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(errorFromTransport(cause, ctx).reason).toBe('TLSError');
    const self = Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    expect(errorFromTransport(self, ctx).reason).toBe('TLSError');
  });

  it('passes a KubeApiError through', () => {
    const e = errorFromResponse(404, {}, status(404, 'NotFound'), ctx);
    expect(errorFromTransport(e, ctx)).toBe(e);
  });
});

describe('errorFromWatchStatus', () => {
  it('maps an Expired watch event to Gone', () => {
    const err = errorFromWatchStatus(status(410, 'Expired') as never, { verb: 'WATCH', path: '/api/v1/pods' });
    expect(isGone(err)).toBe(true);
    expect(err.message).toContain('watch Gone');
  });
});
