// Every test file gets its own kubectl discovery/OpenAPI cache (KUBECACHEDIR, which kubectl
// reads as its --cache-dir default), inherited by every kubectl a test starts. kubectl keys its
// cache by host:port only, so with the shared ~/.kube/cache a sandbox that lands on a port an
// earlier sandbox served (one with other CRDs, say) would make kubectl trust that server's kinds;
// tests also leave the user's ~/.kube alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'kfed-kube-cache-'));
process.env.KUBECACHEDIR = dir;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
