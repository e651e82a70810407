// A delegated test zone for zonemaster-cli and dnsviz, all on loopback port 53 inside a
// network namespace of its own (run by zone-check.test.ts through `unshare --net`, so
// port 53 and the 127.53.0.0/24 addresses are this rig's alone):
//   root "."            BIND on 127.53.0.1        delegates example. to ns1/ns2.example.
//   parent "example."   BIND on 127.53.0.2 and .3 delegates zone.example. to kfed, with glue
//   "zone.example."     kfed's DnsServer on 127.53.0.10 and .11 (two replicas, one snapshot)
// The kfed zone is built the way the controller builds it: a Domain object through
// zonesFromDomains, DNSEndpoints through buildSnapshot. Then both tools run against it,
// and the rig prints one JSON line: each tool's findings, for the test to judge.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DNSEndpoint, DomainObject } from '../../../../src/api/multiclusterdns.js';
import { DnsServer } from '../../../../src/dnsserver/server.js';
import { buildSnapshot } from '../../../../src/dnsserver/snapshot.js';
import { zonesFromDomains } from '../../../../src/dnsserver/zone-inputs.js';

const run = promisify(execFile);
export const ROOT = '127.53.0.1';
export const PARENT = ['127.53.0.2', '127.53.0.3'];
export const KFED = ['127.53.0.10', '127.53.0.11'];
export const ZONE = 'zone.example';

function zoneFile(origin: string, lines: string[]): string {
  return [`$ORIGIN ${origin}`, '$TTL 3600', ...lines, ''].join('\n');
}

const SOA = (ns: string): string => `@ IN SOA ${ns} hostmaster.example. ( 2026120501 14400 3600 1209600 300 )`;

async function startNamed(named: string, dir: string, name: string, addresses: string[], zones: { origin: string; text: string }[]): Promise<ChildProcess> {
  const conf = join(dir, `${name}.conf`);
  const zoneConf = await Promise.all(zones.map(async (z, i) => {
    const file = join(dir, `${name}-${i}.zone`);
    await writeFile(file, z.text);
    return `zone "${z.origin}" { type primary; file "${file}"; };`;
  }));
  await writeFile(conf, [
    'options {',
    `  directory "${dir}";`,
    `  pid-file "${join(dir, `${name}.pid`)}";`,
    `  session-keyfile "${join(dir, `${name}.key`)}";`,
    `  listen-on port 53 { ${addresses.map((a) => `${a};`).join(' ')} };`,
    '  listen-on-v6 { none; };',
    '  recursion no;',
    '  dnssec-validation no;',
    '  notify no;',
    '  minimal-responses no;',
    '};',
    'controls { };',
    ...zoneConf,
    '',
  ].join('\n'));
  const child = spawn(named, ['-g', '-4', '-n', '1', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { log += s; });
  const deadline = Date.now() + 15_000;
  while (!/running$/m.test(log)) {
    if (child.exitCode !== null || Date.now() > deadline || /not loaded due to errors|could not listen/.test(log)) throw new Error(`named ${name} did not start:\n${log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}

export interface RigResult {
  serials: number[];
  zonemaster: { level: string; module: string; testcase: string; tag: string; args?: Record<string, unknown> }[];
  zonemasterCounts: Record<string, number>;
  dnsviz: { status: string; errors: { name: string; code: string; description: string }[]; warnings: { name: string; code: string; description: string }[] };
}

function collect(node: unknown, path: string, key: 'errors' | 'warnings', out: { name: string; code: string; description: string }[]): void {
  if (Array.isArray(node)) { node.forEach((n) => collect(n, path, key, out)); return; }
  if (node === null || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === key && Array.isArray(v)) {
      for (const e of v as { code?: string; description?: string }[]) out.push({ name: path, code: e.code ?? '', description: e.description ?? '' });
    } else collect(v, `${path}/${k}`, key, out);
  }
}

async function main(): Promise<void> {
  const [named, zonemaster, dnsviz, mode = 'usable'] = process.argv.slice(2);
  if (!named || !zonemaster || !dnsviz) throw new Error('usage: rig.ts NAMED ZONEMASTER-CLI DNSVIZ [usable|no-ns-address]');
  const dir = await mkdtemp(join(tmpdir(), 'kfed-zone-check-'));
  const children: ChildProcess[] = [];
  const servers: DnsServer[] = [];
  try {
    children.push(await startNamed(named, dir, 'root', [ROOT], [{ origin: '.', text: zoneFile('.', [
      SOA('a.root-servers.test.'), '. IN NS a.root-servers.test.', `a.root-servers.test. IN A ${ROOT}`,
      'example. IN NS ns1.example.', 'example. IN NS ns2.example.', `ns1.example. IN A ${PARENT[0]}`, `ns2.example. IN A ${PARENT[1]}`,
    ]) }]));
    children.push(await startNamed(named, dir, 'parent', PARENT, [{ origin: 'example.', text: zoneFile('example.', [
      SOA('ns1.example.'), '@ IN NS ns1.example.', '@ IN NS ns2.example.', `ns1 IN A ${PARENT[0]}`, `ns2 IN A ${PARENT[1]}`,
      'zone IN NS ns1.zone.example.', 'zone IN NS ns2.zone.example.', `ns1.zone IN A ${KFED[0]}`, `ns2.zone IN A ${KFED[1]}`,
    ]) }]));

    // The zone as the controller builds it from a Domain and DNSEndpoints.
    const domain: DomainObject = {
      apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'Domain', metadata: { name: 'zone-check', namespace: 'kube-federation-system' },
      domain: ZONE, nameServers: ['ns1.zone.example', 'ns2.zone.example'],
      soa: { rname: 'hostmaster@zone.example', refresh: 14400, retry: 3600, expire: 1209600, minimum: 300 },
    };
    const endpoints: DNSEndpoint = {
      apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'DNSEndpoint', metadata: { name: 'zone-check', namespace: 'kube-federation-system', resourceVersion: '4242' },
      spec: { endpoints: [
        // One address per name server replica: distinct addresses for distinct NS names.
        // `no-ns-address` is the zone as it was before issue 18: in-zone NS names without addresses.
        ...(mode === 'no-ns-address' ? [] : [
          { dnsName: 'ns1.zone.example', recordType: 'A' as const, targets: [KFED[0] ?? ''] },
          { dnsName: 'ns2.zone.example', recordType: 'A' as const, targets: [KFED[1] ?? ''] },
        ]),
        { dnsName: 'www.zone.example', recordType: 'A', targets: ['192.0.2.1', '198.51.100.1'], recordTTL: 300 },
        { dnsName: 'www.zone.example', recordType: 'AAAA', targets: ['2001:db8::1'], recordTTL: 300 },
        { dnsName: 'go.zone.example', recordType: 'CNAME', targets: ['www.zone.example'], recordTTL: 300 },
        { dnsName: 'zone.example', recordType: 'MX', targets: ['10 mail.zone.example'], recordTTL: 300 },
        { dnsName: 'mail.zone.example', recordType: 'A', targets: ['203.0.113.25'], recordTTL: 300 },
        { dnsName: 'sub.zone.example', recordType: 'NS', targets: ['ns.sub.zone.example'], recordTTL: 300 },
        { dnsName: 'ns.sub.zone.example', recordType: 'A', targets: ['203.0.113.53'], recordTTL: 300 },
      ] },
    };
    const zones = zonesFromDomains([domain]);
    for (const address of KFED) {
      // Each replica builds its own snapshot from the same objects: the serials must agree.
      const server = new DnsServer({ address, port: 53, geo: undefined, rateLimit: false });
      server.setSnapshot(buildSnapshot({ zones, endpoints: [endpoints], serial: 4242, soaTtl: 3600 }));
      await server.start();
      servers.push(server);
    }
    const serials = servers.map((s) => s.snapshot?.serial ?? 0);

    const hints = join(dir, 'root.hints');
    await writeFile(hints, `. 3600000 IN NS a.root-servers.test.\na.root-servers.test. 3600000 IN A ${ROOT}\n`);
    const zm = await run(zonemaster, ['--no-ipv6', '--hints', hints, '--level', 'INFO', '--json-stream', '--raw', '--no-progress', ZONE], { maxBuffer: 64 << 20, timeout: 240_000 }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`zonemaster-cli failed: ${err.message}\n${err.stderr ?? ''}${(err.stdout ?? '').slice(-2000)}`);
    });
    const zonemasterMsgs = zm.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as RigResult['zonemaster'][number]);
    const counts: Record<string, number> = {};
    for (const m of zonemasterMsgs) counts[m.level] = (counts[m.level] ?? 0) + 1;

    const probe = join(dir, 'probe.json');
    await run(dnsviz, ['probe', '-4', '-A', '-x', `.:a.root-servers.test=${ROOT}`, '-o', probe, ZONE], { timeout: 240_000, maxBuffer: 64 << 20 });
    const grok = await run(dnsviz, ['grok', '-r', probe], { timeout: 120_000, maxBuffer: 64 << 20 });
    const doc = JSON.parse(grok.stdout) as Record<string, unknown>;
    const errors: RigResult['dnsviz']['errors'] = [];
    const warnings: RigResult['dnsviz']['warnings'] = [];
    collect(doc, '', 'errors', errors);
    collect(doc, '', 'warnings', warnings);
    const status = String((doc[`${ZONE}.`] as { status?: string } | undefined)?.status ?? '');
    const result: RigResult = { serials, zonemaster: zonemasterMsgs, zonemasterCounts: counts, dnsviz: { status, errors, warnings } };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    // named writes into dir until it has exited: wait for every child (bounded) before removing it.
    await Promise.all(children.map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      const timer = setTimeout(() => { c.kill('SIGKILL'); resolve(); }, 10_000);
      c.once('exit', () => { clearTimeout(timer); resolve(); });
      c.kill('SIGTERM');
    })));
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
