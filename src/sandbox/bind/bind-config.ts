// Pure rendering of a BIND9 configuration for a loopback primary server: one TSIG key
// that may update any name of its zones (`update-policy ... zonesub ANY`) and transfer
// them (`allow-transfer { key ...; }`), no recursion, no rndc, everything in one folder.
import { randomBytes } from 'node:crypto';
import type { TSIGAlgorithm } from '../../api/dns-provider.js';

export interface BindKey {
  name: string;
  algorithm: TSIGAlgorithm;
  /** base64, as `tsig-keygen` prints it. */
  secret: string;
}

export interface BindZone {
  /** Apex without the trailing dot, e.g. example.com. */
  name: string;
  /** Extra zone-file lines (owner names relative to the zone or absolute with a dot). */
  records?: string[];
}

/** A fresh key; 32 random octets as tsig-keygen makes for hmac-sha256 (64 for the SHA-384/512 variants). */
export function generateKey(name = 'kfed-key', algorithm: TSIGAlgorithm = 'hmac-sha256'): BindKey {
  const size = algorithm === 'hmac-sha384' || algorithm === 'hmac-sha512' ? 64 : algorithm === 'hmac-sha1' ? 20 : 32;
  return { name, algorithm, secret: randomBytes(size).toString('base64') };
}

export function zoneFileName(zone: string): string {
  return `${zone.replace(/[^a-z0-9.-]/gi, '_')}.zone`;
}

/** The zone's starting contents: SOA, one NS with its address (from 192.0.2.0/24, documentation space), extra lines. */
export function renderZoneFile(zone: BindZone): string {
  return [
    `$ORIGIN ${zone.name}.`,
    '$TTL 300',
    `@ IN SOA ns.${zone.name}. hostmaster.${zone.name}. ( 1 3600 600 86400 60 )`,
    `@ IN NS ns.${zone.name}.`,
    'ns IN A 192.0.2.53',
    ...(zone.records ?? []),
    '',
  ].join('\n');
}

export interface NamedConfInput {
  dir: string;
  port: number;
  key: BindKey;
  zones: readonly BindZone[];
}

export function renderNamedConf(c: NamedConfInput): string {
  const zones = c.zones.map((z) =>
    [
      `zone "${z.name}" {`,
      '  type primary;',
      `  file "${c.dir}/${zoneFileName(z.name)}";`,
      `  update-policy { grant ${c.key.name} zonesub ANY; };`,
      `  allow-transfer { key ${c.key.name}; };`,
      '};',
    ].join('\n'),
  );
  return [
    'options {',
    `  directory "${c.dir}";`,
    `  pid-file "${c.dir}/named.pid";`,
    `  session-keyfile "${c.dir}/session.key";`,
    `  managed-keys-directory "${c.dir}";`,
    `  listen-on port ${c.port} { 127.0.0.1; };`,
    '  listen-on-v6 { none; };',
    '  recursion no;',
    '  dnssec-validation no;',
    '  notify no;',
    '  allow-query { 127.0.0.1; };',
    // Tests write arbitrary names; check-names would refuse A records named like _x (REFUSED).
    '  check-names primary ignore;',
    '};',
    // No rndc channel: the harness stops named with a signal.
    'controls { };',
    `key "${c.key.name}" {`,
    `  algorithm ${c.key.algorithm};`,
    `  secret "${c.key.secret}";`,
    '};',
    ...zones,
    '',
  ].join('\n');
}
