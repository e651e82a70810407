import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { componentLogger, createLogger, redactDeep } from '../../../src/observability/logger.js';

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
