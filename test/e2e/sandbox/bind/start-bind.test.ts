// The BIND harness itself: it starts a real named on a free loopback port that answers
// over UDP and TCP, two run side by side, and stop() frees the port and the folder.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startBind } from '../../../../src/sandbox/bind/start-bind.js';
import { requireTools } from '../../../support/tools.js';

const tools = requireTools('named', 'dig');
const run = promisify(execFile);

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe.skipIf(!tools)('startBind', () => {
  const t = tools as NonNullable<typeof tools>;

  it('serves the zones over UDP and TCP on its own port until stopped', async () => {
    const [a, b] = await Promise.all([
      startBind({ named: t.named, zones: [{ name: 'example.com', records: ['www IN A 192.0.2.1'] }] }),
      startBind({ named: t.named, zones: [{ name: 'example.org' }, { name: 'example.net' }] }),
    ]);
    try {
      expect(a.port).not.toBe(b.port);
      expect(a.server).toBe(`127.0.0.1:${a.port}`);
      for (const transport of ['+notcp', '+tcp']) {
        const { stdout } = await run(t.dig, ['@127.0.0.1', '-p', String(a.port), transport, '+short', 'www.example.com', 'A']);
        expect(stdout.trim()).toBe('192.0.2.1');
      }
      const { stdout } = await run(t.dig, ['@127.0.0.1', '-p', String(b.port), '+short', 'example.net', 'SOA']);
      expect(stdout).toMatch(/^ns\.example\.net\. hostmaster\.example\.net\. 1 /);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(await connects(a.port)).toBe(false);
    expect(existsSync(a.dir)).toBe(false);
  });

  it('fails at once with named\'s own words when a zone does not load', async () => {
    const started = Date.now();
    const err = await startBind({ named: t.named, zones: [{ name: 'example.com', records: ['this is not a record'] }], startTimeoutMs: 5000 }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/start BIND: named failed: .*example\.com.*not loaded due to errors/);
    expect(err?.message).toMatch(/unknown RR type/);
    expect(Date.now() - started).toBeLessThan(4000);
  });
});
