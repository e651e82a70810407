// Regenerate kubectl-bodies.json: `npx tsx test/unit/sandbox/protobuf/capture-fixtures.ts`.
// Runs the built kubectl (test/support/tools.ts) for every case of kubectl-cases.ts against a
// loopback capture server, and records the protobuf body it sent next to the JSON expected of it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool } from '../../../support/tools.js';
import { kubectlAgainst, startCaptureServer } from './capture-kubectl.js';
import { KUBECTL_CASES } from './kubectl-cases.js';

export interface KubectlFixture {
  name: string;
  args: string[];
  path: string;
  contentType: string;
  /** The body as kubectl sent it, in hex. */
  body: string;
  json: Record<string, unknown>;
}

async function main(): Promise<void> {
  const kubectl = findTool('kubectl');
  if (!kubectl) throw new Error('kubectl not found: build it with scripts/build-go-tools.sh');
  const dir = mkdtempSync(join(tmpdir(), 'kfed-pb-'));
  const files: Record<string, string> = { BINARY: join(dir, 'bin'), TEXT: join(dir, 'text'), CERT: join(dir, 'tls.crt'), KEY: join(dir, 'tls.key') };
  writeFileSync(files.BINARY!, Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41]));
  writeFileSync(files.TEXT!, 'line one\nline two\n');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=example.org',
    '-keyout', files.KEY!, '-out', files.CERT!], { stdio: 'ignore' });
  const server = await startCaptureServer();
  const fixtures: KubectlFixture[] = [];
  try {
    for (const c of KUBECTL_CASES) {
      const args = c.args.map((a) => a.replace(/\{(\w+)\}/g, (_, k: string) => files[k] ?? k));
      let json = c.json;
      if (!json) {
        const dry = await kubectlAgainst(kubectl, server, [...args.slice(0, args.indexOf('--') < 0 ? args.length : args.indexOf('--')), '--dry-run=client', '-o', 'json', ...(args.includes('--') ? args.slice(args.indexOf('--')) : [])]);
        if (!dry.stdout.trim()) throw new Error(`${c.name}: no dry-run output (${dry.stderr.trim()})`);
        json = JSON.parse(dry.stdout) as Record<string, unknown>;
      }
      server.take();
      const out = await kubectlAgainst(kubectl, server, args);
      const posts = server.take().filter((r) => r.method === 'POST');
      const req = posts[0];
      if (posts.length !== 1 || !req) throw new Error(`${c.name}: ${posts.length} POSTs (${out.stderr.trim()})`);
      fixtures.push({ name: c.name, args: c.args, path: req.path, contentType: req.contentType, body: req.body.toString('hex'), json });
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const version = execFileSync(kubectl, ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  const doc = { kubectl: (JSON.parse(version) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion, fixtures };
  writeFileSync(new URL('./kubectl-bodies.json', import.meta.url), `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`${fixtures.length} bodies captured from kubectl ${doc.kubectl}`);
}

await main();
