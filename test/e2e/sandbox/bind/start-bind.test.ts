// The BIND harness itself: it starts a real named on a free loopback port that answers
// over UDP and TCP, two run side by side, and stop() frees the port and the folder.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ephemeralPortRange } from '../../../../src/runtime/shared-port.js';
import { startBind } from '../../../../src/sandbox/bind/start-bind.js';
import { requireTools } from '../../../support/tools.js';

const tools = requireTools('named', 'dig', 'nsupdate');
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
      // named listens with SO_REUSEPORT: a port from the ephemeral range could be given to a
      // dig socket binding port 0 with SO_REUSEPORT, which would read back its own query.
      const { low } = await ephemeralPortRange();
      for (const p of [a.port, b.port]) expect(p).toBeLessThan(low);
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

  it('starts again in the same folder with a fresh zone (no journal replayed)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kfed-bind-test-'));
    try {
      const first = await startBind({ named: t.named, dir: join(dir, 'bind'), zones: [{ name: 'example.com' }] });
      await new Promise<void>((resolve, reject) => {
        const child = execFile(t.nsupdate, ['-y', `${first.tsig.algorithm}:${first.tsig.name}:${first.tsig.secret}`], (err) => (err ? reject(err) : resolve()));
        child.stdin?.end(`server 127.0.0.1 ${first.port}\nupdate add added.example.com 60 A 192.0.2.7\nsend\n`);
      });
      const dig = async (port: number): Promise<string> => (await run(t.dig, ['@127.0.0.1', '-p', String(port), '+short', 'added.example.com', 'A'])).stdout.trim();
      expect(await dig(first.port)).toBe('192.0.2.7');
      await first.stop();
      expect(existsSync(join(dir, 'bind', 'example.com.zone.jnl'))).toBe(true);
      const second = await startBind({ named: t.named, dir: join(dir, 'bind'), zones: [{ name: 'example.com' }], key: first.tsig });
      expect(second.tsig).toEqual(first.tsig);
      try {
        expect(await dig(second.port)).toBe('');
      } finally {
        await second.stop();
      }
      expect(existsSync(join(dir, 'bind', 'named.conf'))).toBe(true); // a folder the caller named is kept
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails at once with named\'s own words when a zone does not load', async () => {
    // "At once": on named's log line, not at the start deadline. The deadline is far off and the bound
    // a third of it, so a slow named start on a loaded machine passes and waiting for the deadline fails.
    const started = Date.now();
    const err = await startBind({ named: t.named, zones: [{ name: 'example.com', records: ['this is not a record'] }], startTimeoutMs: 60_000 }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/start BIND: named failed: .*example\.com.*not loaded due to errors/);
    expect(err?.message).toMatch(/unknown RR type/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
