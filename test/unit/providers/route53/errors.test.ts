import { describe, expect, it } from 'vitest';
import { namedRecords, retryAfterMs, toProviderError } from '../../../../providers/route53/errors.js';
import type { Endpoint } from '../../../../src/dns/endpoint.js';
import { ProviderError } from '../../../../src/dns/publish/provider.js';

const a: Endpoint = { dnsName: 'a.example.com', recordType: 'A', targets: ['192.0.2.1'] };
const geo: Endpoint = { dnsName: 'g.example.com', recordType: 'A', targets: ['192.0.2.1'], setIdentifier: 'eu' };
const lb: Endpoint = { dnsName: 'lb.example.com', recordType: 'CNAME', targets: ['x.elb.us-east-1.amazonaws.com'] };

function sdkError(name: string, status: number, extra: Record<string, unknown> = {}): unknown {
  return Object.assign(new Error(extra.message as string ?? name), { name, $metadata: { httpStatusCode: status }, ...extra });
}

describe('route53 errors', () => {
  it('classifies by code and status', () => {
    const cases: [unknown, string][] = [
      [sdkError('InvalidChangeBatch', 400), 'rejected'],
      [sdkError('InvalidInput', 400), 'rejected'],
      [sdkError('Throttling', 400), 'throttled'],
      [sdkError('PriorRequestNotComplete', 400), 'throttled'],
      [sdkError('ServiceUnavailable', 503), 'unavailable'],
      [sdkError('InternalFailure', 500), 'unavailable'],
      [sdkError('AccessDenied', 403), 'auth'],
      [sdkError('InvalidClientTokenId', 403), 'auth'],
      [sdkError('CredentialsProviderError', 0), 'auth'],
      [sdkError('NoSuchHostedZone', 404), 'config'],
      [sdkError('ConcurrentModification', 400), 'conflict'],
      [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'unavailable'],
    ];
    for (const [err, kind] of cases) expect(toProviderError(err, 'op').kind, String(err)).toBe(kind);
    const own = new ProviderError('config', 'x');
    expect(toProviderError(own, 'op')).toBe(own);
  });

  it('reads Retry-After in seconds or as a date', () => {
    expect(toProviderError(sdkError('Throttling', 400, { $response: { statusCode: 400, headers: { 'retry-after': '3' } } }), 'op').retryAfterMs).toBe(3000);
    expect(retryAfterMs('Fri, 04 Dec 2026 00:00:10 GMT', Date.parse('Fri, 04 Dec 2026 00:00:00 GMT'))).toBe(10_000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  it('names the records Route53 names', () => {
    expect(namedRecords(["Tried to create resource record set [name='a.example.com.', type='A'] but it already exists"], [a, geo])).toEqual([a]);
    expect(namedRecords(["Tried to delete resource record set [name='g.example.com.', type='A', set-identifier='eu/continent:EU'] but it was not found"], [a, geo])).toEqual([geo]);
    expect(namedRecords(['RRSet of type A with DNS name lb.example.com. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone example.com.'], [a, lb])).toEqual([lb]);
    expect(namedRecords(["Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords]], but found none in Change with [Action=DELETE, Name=a.example.com., Type=A, SetIdentifier=null]"], [a, geo])).toEqual([a]);
    expect(namedRecords(['Number of records limit of 1000 exceeded.'], [a])).toEqual([]);
  });

  it('decodes several problems sent as an <InvalidChangeBatch> document', () => {
    const err = toProviderError(sdkError('Unknown', 400, { Messages: { Message: ["Tried to create resource record set [name='a.example.com.', type='A'] but it already exists", 'other'] } }), 'op', [a]);
    expect(err.kind).toBe('rejected');
    expect(err.rejected).toEqual([a]);
    expect(err.message).toContain('already exists; other');
  });
});
