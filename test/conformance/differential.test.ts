// Differential conformance: every flow of flows.ts against the embedded sandbox and against a
// real kube-apiserver (built by scripts/build-go-tools.sh apiserver), comparing what a client
// sees. Runs when the real binaries are in the build cache; KFED_SANDBOX_BACKEND=real makes a
// missing build a failure.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import type { SandboxMember } from '../../src/sandbox/member.js';
import { startRealSandbox } from '../../src/sandbox/real/real-sandbox.js';
import { kfedToolsDir } from '../support/tools.js';
import { ALLOW_LIST } from './allow-list.js';
import { WireClient } from './client.js';
import { FLOWS, type Observations } from './flows.js';

const toolsDir = kfedToolsDir();
const built = ['kube-apiserver', 'etcd', 'kube-controller-manager'].every((b) => existsSync(join(toolsDir, b)));
const required = process.env.KFED_SANDBOX_BACKEND === 'real';
if (!built && required) throw new Error(`KFED_SANDBOX_BACKEND=real but ${toolsDir} has no kube-apiserver build: run scripts/build-go-tools.sh apiserver`);
if (!built) console.warn(`[kfed tests] skipping the differential conformance suite: no kube-apiserver in ${toolsDir} (scripts/build-go-tools.sh apiserver)`);

function client(sb: Sandbox<SandboxMember>): WireClient {
  const c = sb.clusters[0]!;
  return new WireClient(c.url, c.adminToken, c.caPem);
}

/** Observations without the allow-listed keys of this flow. */
function comparable(flow: string, o: Observations): Observations {
  const allowed = ALLOW_LIST[flow] ?? {};
  return Object.fromEntries(Object.entries(o).filter(([k]) => !(k in allowed)));
}

describe.skipIf(!built)('differential conformance: embedded sandbox vs kube-apiserver', () => {
  let embedded: Sandbox<SandboxMember>;
  let real: Sandbox<SandboxMember>;

  beforeAll(async () => {
    [embedded, real] = await Promise.all([startSandbox({ clusters: 1 }), startRealSandbox({ clusters: 1, toolsDir, build: false })]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([embedded?.close(), real?.close()]);
  });

  for (const flow of FLOWS) {
    it(flow.name, async () => {
      const [e, r] = await Promise.all([flow.run(client(embedded)), flow.run(client(real))]);
      expect(comparable(flow.name, e)).toEqual(comparable(flow.name, r));
    }, 60_000);
  }
});
