// `npm run bench -- drift`: how long additive drift lives in a member. A 3-cluster sandbox
// with the sync controller; a federated ConfigMap placed in cluster-2; each round another
// field manager adds a key there (as `kubectl patch` would) and the bench times, from the
// member's answer to that patch, until the key is gone. Side by side, in the same run, the
// time from a template edit on the host to the member holding it (the propagation that
// the removal must be compared with). Real API servers over HTTP, real watches.
import type { FederatedObject } from '../../src/api/federation.js';
import type { KubeObject } from '../../src/api/meta.js';
import { CONFIGMAPS, FED_CONFIGMAPS, federateNamespace, startEnv } from '../../test/support/propagation.js';

const NS = 'bench-drift';

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function waitFor(check: () => Promise<boolean>, limitMs: number): Promise<void> {
  const end = performance.now() + limitMs;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function runDriftBench(rounds = Number(process.env.KFED_BENCH_ROUNDS ?? 30)): Promise<{ revertMs: number[]; propagateMs: number[] }> {
  const env = await startEnv();
  try {
    await federateNamespace(env, NS);
    const fed: FederatedObject = {
      apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap', metadata: { name: 'cfg', namespace: NS },
      spec: { placement: { clusters: [{ name: 'cluster-2' }] }, template: { data: { v: '0' } } },
    };
    await env.host.dynamic.create(FED_CONFIGMAPS, fed);
    const member = env.clients['cluster-2']!;
    const data = async (): Promise<Record<string, string>> => ((await member.dynamic.getIfExists<KubeObject>(CONFIGMAPS, 'cfg', { namespace: NS }))?.['data'] as Record<string, string> | undefined) ?? {};
    await waitFor(async () => (await data()).v === '0', 30_000);
    const revertMs: number[] = [];
    const propagateMs: number[] = [];
    for (let i = 1; i <= rounds; i++) {
      await member.dynamic.patch(CONFIGMAPS, 'cfg', { data: { [`extra${i}`]: 'x' } }, { namespace: NS, type: 'merge', fieldManager: 'kubectl-patch' });
      const t0 = performance.now();
      await waitFor(async () => (await data())[`extra${i}`] === undefined, 30_000);
      revertMs.push(performance.now() - t0);
      const t1 = performance.now();
      await env.host.dynamic.patch(FED_CONFIGMAPS, 'cfg', { spec: { template: { data: { v: String(i) } } } }, { namespace: NS, type: 'merge' });
      await waitFor(async () => (await data()).v === String(i), 30_000);
      propagateMs.push(performance.now() - t1);
    }
    const r = [...revertMs].sort((a, b) => a - b);
    const p = [...propagateMs].sort((a, b) => a - b);
    const fmt = (xs: number[]): string => `p50 ${percentile(xs, 50).toFixed(0)} ms, p99 ${percentile(xs, 99).toFixed(0)} ms`;
    console.log(`drift: ${rounds} foreign keys added in a member; removed after ${fmt(r)}`);
    console.log(`      template edits on the host reached the member after ${fmt(p)} (same run); ratio p50 ${(percentile(r, 50) / percentile(p, 50)).toFixed(2)}`);
    return { revertMs, propagateMs };
  } finally {
    await env.close();
  }
}
