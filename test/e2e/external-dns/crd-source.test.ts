// external-dns, the consumer kfed's DNSEndpoints are shaped for, reads them through its CRD source
// (`--crd-source-apiversion=multiclusterdns.kubefed.io/v1alpha1 --crd-source-kind=DNSEndpoint`)
// from a sandbox host and publishes go-app's simple-routed records (global, region and zone names,
// the dnsPrefix CNAME) into a real BIND with its RFC2136 provider and TXT registry. kfed's own
// publishing is not running here: external-dns is the only writer. A member going NotReady reaches
// BIND through external-dns as well, and deleting the ServiceDNSRecord makes external-dns remove
// exactly the records it created.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DNSEndpoint, Endpoint } from '../../../src/api/multiclusterdns.js';
import { SERVICE_DNS_RECORDS } from '../../../src/api/multiclusterdns.js';
import type { RunningBind } from '../../../src/sandbox/bind/start-bind.js';
import { digShort, digZone, startTestBind, type BindTools } from '../../support/bind/index.js';
import { requireTools } from '../../support/tools.js';
import { getEndpoint, N, startGoApp, until, type GoAppEnv } from '../../integration/dns/go-app-fixture.js';
import { runExternalDns, type ExternalDnsOptions } from './external-dns.js';

const tools = requireTools('external-dns', 'named', 'dig', 'nsupdate');
const ZONE = 'example.com';
const OWNER = 'external-dns-e2e';
const MANUAL = ['manual 300 IN A 198.51.100.200', 'manual 300 IN TXT "not kfed"'];

describe.skipIf(!tools)('external-dns publishes kfed DNSEndpoints (crd source, rfc2136 provider, txt registry)', () => {
  const bt = tools as BindTools & { 'external-dns': string };
  let env: GoAppEnv;
  let bind: RunningBind;
  let dir: string;
  let opts: ExternalDnsOptions;

  const dig = (name: string, type = 'A'): Promise<string[]> => digShort(bt, bind, name, type);
  const globalTargets = async (): Promise<number> => (await getEndpoint(env))?.spec.endpoints.find((e) => e.dnsName === `${N}.${ZONE}` && e.recordType === 'A')?.targets.length ?? 0;
  /** What BIND answers for every endpoint of kfed's DNSEndpoint, next to what the endpoint says. */
  async function published(ep: DNSEndpoint): Promise<{ want: string[]; got: string[] }> {
    const want: string[] = [];
    const got: string[] = [];
    for (const e of ep.spec.endpoints) {
      want.push(line(e, e.targets.map((t) => (e.recordType === 'CNAME' ? `${t}.` : t))));
      got.push(line(e, await dig(e.dnsName, e.recordType)));
    }
    return { want, got };
  }
  /** Runs passes until one finds nothing to change; returns how many passes that took (that one included). */
  async function converge(max = 4): Promise<number> {
    for (let pass = 1; pass <= max; pass++) {
      if ((await runExternalDns(opts)).log.includes('All records are already up to date')) return pass;
    }
    throw new Error(`external-dns still had changes to make after ${max} passes`);
  }
  const line = (e: Endpoint, targets: readonly string[]): string => `${e.dnsName} ${e.recordType} ${[...targets].sort().join(',')}`;

  beforeAll(async () => {
    env = await startGoApp();
    bind = await startTestBind(bt, [{ name: ZONE, records: MANUAL }]);
    dir = await mkdtemp(join(tmpdir(), 'kfed-external-dns-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, env.sb.kubeconfigYaml, { mode: 0o600 });
    opts = { bin: bt['external-dns'], kubeconfig, bind, zone: ZONE, ownerId: OWNER, apiVersion: 'multiclusterdns.kubefed.io/v1alpha1' };
    await until(async () => ((await globalTargets()) === 3 ? true : undefined), 30_000, 100);
  }, 90_000);

  afterAll(async () => {
    await bind?.stop();
    await env?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('publishes every go-app endpoint of the DNSEndpoint, with its TXT ownership record', async () => {
    const run = await runExternalDns(opts);
    const ep = await getEndpoint(env);
    expect(ep).toBeDefined();
    const names = new Set(ep!.spec.endpoints.map((e) => e.dnsName));
    expect(names).toContain(`${N}.${ZONE}`);
    expect(names).toContain(`${N}.eu-west-1.${ZONE}`);
    expect(names).toContain(`go.${ZONE}`);
    expect([...names].some((n) => /\.us-east-1[a-z]\.us-east-1\./.test(n))).toBe(true);
    const { want, got } = await published(ep!);
    expect(got).toEqual(want);
    expect(await dig(`${N}.${ZONE}`)).toHaveLength(3);
    expect(await dig(`go.${ZONE}`, 'CNAME')).toEqual([`${N}.${ZONE}.`]);
    const claim = await dig(`a-${N}.${ZONE}`, 'TXT');
    expect(claim).toEqual([`"heritage=external-dns,external-dns/owner=${OWNER},external-dns/resource=crd/go-app/service-go-app"`]);
    expect(await dig(`cname-go.${ZONE}`, 'TXT')).toEqual([`"heritage=external-dns,external-dns/owner=${OWNER},external-dns/resource=crd/go-app/service-go-app"`]);
    expect(await dig(`manual.${ZONE}`)).toEqual(['198.51.100.200']);
    expect(run.log).toMatch(/multiclusterdns\.kubefed\.io|service-go-app/);
  }, 120_000);

  it('a second pass finds everything up to date and changes nothing', async () => {
    const before = await digZone(bt, bind, ZONE);
    const run = await runExternalDns(opts);
    expect(run.log).toContain('All records are already up to date');
    expect(await digZone(bt, bind, ZONE)).toEqual(before);
  }, 120_000);

  it('records the DNSEndpoint generation it read in status.observedGeneration (the status subresource)', async () => {
    const ep = await getEndpoint(env);
    expect(ep?.status?.observedGeneration).toBe(ep?.metadata.generation);
  });

  it('follows kfed when a member goes NotReady (its address leaves, its region becomes a CNAME) and returns', async () => {
    const before = await digZone(bt, bind, ZONE);
    env.members.setReady('cluster-2', false);
    await until(async () => ((await globalTargets()) === 2 ? true : undefined), 30_000, 100);
    // The region and zone names change type (A -> CNAME). external-dns's RFC2136 provider sends its
    // creates before its deletes, and BIND ignores a CNAME added beside other data (RFC 2136
    // 3.4.2.2), so the first pass only removes the A records and the second adds the CNAMEs.
    await runExternalDns(opts);
    expect(await dig(`${N}.${ZONE}`)).toHaveLength(2);
    expect(await dig(`${N}.eu-west-1.${ZONE}`, 'A')).toEqual([]);
    expect(await converge()).toBe(2);
    expect(await dig(`${N}.eu-west-1.${ZONE}`, 'CNAME')).toEqual([`${N}.${ZONE}.`]);
    const { want, got } = await published((await getEndpoint(env))!);
    expect(got).toEqual(want);
    env.members.setReady('cluster-2', true);
    await until(async () => ((await globalTargets()) === 3 ? true : undefined), 30_000, 100);
    // Back from CNAME to A: the same two passes, then the zone is as it was.
    expect(await converge()).toBe(3);
    expect(await digZone(bt, bind, ZONE)).toEqual(before);
  }, 180_000);

  it('deleting the ServiceDNSRecord makes external-dns remove exactly its records', async () => {
    await env.host.dynamic.delete(SERVICE_DNS_RECORDS, 'go-app', { namespace: 'go-app' });
    await until(async () => ((await getEndpoint(env)) === undefined ? true : undefined), 30_000, 100);
    await runExternalDns(opts);
    const zone = await digZone(bt, bind, ZONE);
    expect(zone.filter((l) => !/ IN NS /.test(l) && !/^ns\./.test(l))).toEqual([
      `manual.${ZONE}. 300 IN A 198.51.100.200`,
      `manual.${ZONE}. 300 IN TXT "not kfed"`,
    ]);
  }, 120_000);
});
