// zonemaster-cli and dnsviz against kfed's embedded server on a delegated test zone
// (issue 18 item 6): a root and a parent zone served by BIND, all on loopback port 53 in
// a network namespace of the test's own (rig.ts). The zone must pass both tools with no
// ERROR or CRITICAL except the loopback artefacts listed here and in the README
// ("Checked with zonemaster and dnsviz").
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { requireTools } from '../../support/tools.js';
import type { RigResult } from './zone-check/rig.js';

const run = promisify(execFile);
const tools = requireTools('named', 'zonemaster-cli', 'dnsviz', 'unshare', 'ip');
const RIG = join(dirname(fileURLToPath(import.meta.url)), 'zone-check', 'rig.ts');
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Findings that only say the servers are on loopback, which a test on one machine must be. */
const LOOPBACK_ARTEFACTS = {
  zonemaster: ['NAMESERVER_IP_PRIVATE_NETWORK'],
  dnsviz: ['NS_NAME_PRIVATE_IP', 'GLUE_PRIVATE_IP'],
};

async function rig(mode: 'usable' | 'no-ns-address'): Promise<RigResult> {
  if (!tools) throw new Error('tools missing');
  // Root in a new user and network namespace: port 53 and 127.53.0.0/24 belong to this run alone.
  const addrs = ['127.53.0.1', '127.53.0.2', '127.53.0.3', '127.53.0.10', '127.53.0.11'].map((a) => `${tools.ip} addr add ${a}/32 dev lo`).join(' && ');
  const script = `${tools.ip} link set lo up && ${addrs} && exec "$0" --import tsx "$@"`;
  const unshareArgs = process.getuid?.() === 0 ? ['--net'] : ['--user', '--map-root-user', '--net'];
  const { stdout } = await run(tools.unshare, [...unshareArgs, 'sh', '-c', script, process.execPath, RIG, tools.named, tools['zonemaster-cli'], tools.dnsviz, mode], { cwd: REPO, timeout: 400_000, maxBuffer: 64 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as RigResult;
}

describe.skipIf(!tools)('zonemaster and dnsviz on a zone delegated to kfed', () => {
  it('passes both with no ERROR or CRITICAL beyond loopback artefacts; both replicas serve one serial', async () => {
    const r = await rig('usable');
    expect(new Set(r.serials).size).toBe(1);
    const bad = r.zonemaster.filter((m) => (m.level === 'ERROR' || m.level === 'CRITICAL') && !LOOPBACK_ARTEFACTS.zonemaster.includes(m.tag));
    expect(bad, JSON.stringify(bad)).toEqual([]);
    // Every module ran (a zone zonemaster cannot reach stops after Basic with CRITICAL).
    for (const module of ['BASIC', 'ADDRESS', 'CONSISTENCY', 'DELEGATION', 'NAMESERVER', 'SYNTAX', 'ZONE']) expect(r.zonemaster.some((m) => m.module === module), module).toBe(true);
    expect(r.dnsviz.status).toBe('NOERROR');
    expect(r.dnsviz.errors.filter((e) => !LOOPBACK_ARTEFACTS.dnsviz.includes(e.code))).toEqual([]);
    console.info(`[zone-check] zonemaster ${JSON.stringify(r.zonemasterCounts)}; dnsviz ${r.dnsviz.status}, errors ${JSON.stringify(r.dnsviz.errors.map((e) => e.code))}, warnings ${r.dnsviz.warnings.length}`);
  }, 450_000);

  it('catches a zone whose in-zone name servers have no address (the zone before issue 18)', async () => {
    const r = await rig('no-ns-address');
    const severe = r.zonemaster.filter((m) => m.level === 'ERROR' || m.level === 'CRITICAL').map((m) => m.tag);
    expect(severe.filter((t) => !LOOPBACK_ARTEFACTS.zonemaster.includes(t)).length).toBeGreaterThan(0);
  }, 450_000);
});
