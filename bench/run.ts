// `npm run bench [-- name ...]`: runs the named benchmarks (all but the soak when none is named).
const BENCHES: Record<string, () => Promise<unknown>> = {
  apiserver: async () => (await import('./apiserver.js')).runApiServerBench(),
  propagation: async () => (await import('./propagation/run.js')).runPropagationBench(),
  drift: async () => (await import('./drift/run.js')).runDriftBench(),
  policy: async () => (await import('./policy/run.js')).runPolicyBench(),
  'dns-records': async () => (await import('./dns-records/run.js')).runDnsRecordsBench(),
  health: async () => (await import('./health/run.js')).runHealthBench(),
  'providers-route53': async () => (await import('./providers/route53-run.js')).runRoute53Bench(),
  'providers-clouddns': async () => (await import('./providers/clouddns-run.js')).runCloudDNSBench(),
  partition: async () => (await import('./health/partition.js')).runPartitionBench(),
  publish: async () => (await import('./publish/run.js')).runPublishBench(),
  soak: async () => (await import('./soak/run.js')).runSoakBench(),
  'dns-server': async () => {
    const m = await import('./dns-server/run.js');
    console.log(m.formatDnsServerBench(await m.runDnsServerBench()));
  },
  'dns-geo': async () => {
    const m = await import('./dns-geo/run.js');
    const r = await import('./dns-geo/report.js');
    console.log(r.formatGeoBench(await m.runGeoBench()));
  },
};

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  // The soak runs 30 minutes by default: only when named.
  const chosen = names.length > 0 ? names : Object.keys(BENCHES).filter((n) => n !== 'soak');
  for (const n of chosen) {
    const b = BENCHES[n];
    if (!b) throw new Error(`unknown benchmark "${n}" (have: ${Object.keys(BENCHES).join(', ')})`);
    process.stdout.write(`\n== ${n} ==\n`);
    await b();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
