import { describe, expect, it } from 'vitest';
import { classifyFailure, rcodeHint, updateRcodeKind } from '../../../../providers/rfc2136/errors.js';
import { parseServer } from '../../../../providers/rfc2136/tcp.js';
import { TSIGError } from '../../../../providers/rfc2136/tsig.js';
import { ProviderError } from '../../../../src/dns/publish/provider.js';

describe('parseServer', () => {
  it.each([
    ['127.0.0.1:5354', { host: '127.0.0.1', port: 5354 }],
    ['ns1.example.com:53', { host: 'ns1.example.com', port: 53 }],
    ['ns1.example.com', { host: 'ns1.example.com', port: 53 }],
    ['[2001:db8::53]:5353', { host: '2001:db8::53', port: 5353 }],
    ['[::1]', { host: '::1', port: 53 }],
    ['2001:db8::53', { host: '2001:db8::53', port: 53 }],
  ])('%s', (text, want) => {
    expect(parseServer(text)).toEqual(want);
  });

  it.each(['', ':53', '127.0.0.1:0', '127.0.0.1:70000', 'host:port'])('refuses %j', (text) => {
    expect(() => parseServer(text)).toThrow(/host:port/);
  });
});

describe('failure classification', () => {
  it('maps transport errors to unavailable and TSIG failures to auth, keeping ProviderErrors', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(classifyFailure('x', refused).kind).toBe('unavailable');
    expect(classifyFailure('x', Object.assign(new Error('t'), { name: 'TimeoutError' })).kind).toBe('unavailable');
    expect(classifyFailure('x', new TSIGError('BADSIG', 'bad')).kind).toBe('auth');
    const own = new ProviderError('conflict', 'c');
    expect(classifyFailure('x', own)).toBe(own);
  });

  it('names prerequisite failures as conflicts with a hint', () => {
    expect([3, 6, 7, 8].map(updateRcodeKind)).toEqual(['conflict', 'conflict', 'conflict', 'conflict']);
    expect(rcodeHint('update', 7, 'k')).toMatch(/another writer/);
    expect(rcodeHint('transfer', 5, 'kfed-key')).toMatch(/allow-transfer include key kfed-key/);
    expect(rcodeHint('query', 2, 'k')).toBeUndefined();
  });
});
