// `kfed sandbox --dns-port N` with N taken fails with a hint to pick another port, whichever UDP
// path (batched addon or node:dgram) reports the bind error.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('kfed sandbox with its DNS port taken', () => {
  it('exits non-zero and says the port is taken', { timeout: 90_000 }, async () => {
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    const port = udp.address().port;
    const tcp = createServer();
    await new Promise<void>((r, j) => tcp.once('error', j).listen(port, '127.0.0.1', () => r()));
    const dir = await mkdtemp(join(tmpdir(), 'kfed-port-taken-'));
    try {
      const res = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'sandbox', '--kubeconfig', join(dir, 'kubeconfig'), '--dns-port', String(port)], { timeout: 80_000 }, (err, _out, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : child.exitCode, stderr });
        });
      });
      expect(res.code).not.toBe(0);
      expect(res.stderr).toContain(`(port ${port} is taken: try --dns-port 0 or another port)`);
    } finally {
      udp.close();
      tcp.close();
    }
  });
});
