// external-dns (scripts/build-go-tools.sh external-dns: v0.20.0 with its RFC2136 provider) for the
// end-to-end tests: one reconciliation pass (`--once`) against a sandbox host and a BIND started by
// the test, with the command line a user would give it.
import { execFile } from 'node:child_process';
import type { RunningBind } from '../../../src/sandbox/bind/start-bind.js';

export interface ExternalDnsRun {
  /** external-dns's log (logrus writes to stderr). */
  log: string;
}

export interface ExternalDnsOptions {
  bin: string;
  kubeconfig: string;
  bind: RunningBind;
  zone: string;
  ownerId: string;
  /** `--crd-source-apiversion`; default external-dns's own, externaldns.k8s.io/v1alpha1. */
  apiVersion?: string;
  policy?: 'sync' | 'upsert-only' | 'create-only';
}

/** The arguments of one pass: the CRD source, the RFC2136 provider with TSIG and AXFR, the TXT registry. */
export function externalDnsArgs(o: ExternalDnsOptions): string[] {
  return [
    '--source=crd',
    `--crd-source-apiversion=${o.apiVersion ?? 'externaldns.k8s.io/v1alpha1'}`,
    '--crd-source-kind=DNSEndpoint',
    `--kubeconfig=${o.kubeconfig}`,
    '--provider=rfc2136',
    `--rfc2136-host=${o.bind.host}`,
    `--rfc2136-port=${o.bind.port}`,
    `--rfc2136-zone=${o.zone}`,
    `--rfc2136-tsig-keyname=${o.bind.tsig.name}`,
    `--rfc2136-tsig-secret=${o.bind.tsig.secret}`,
    `--rfc2136-tsig-secret-alg=${o.bind.tsig.algorithm}`,
    '--rfc2136-tsig-axfr',
    `--domain-filter=${o.zone}`,
    '--registry=txt',
    `--txt-owner-id=${o.ownerId}`,
    `--policy=${o.policy ?? 'sync'}`,
    '--log-level=debug',
    '--once',
  ];
}

/** Runs one pass; rejects with external-dns's log when it exits non-zero. */
export function runExternalDns(o: ExternalDnsOptions, timeoutMs = 90_000): Promise<ExternalDnsRun> {
  return new Promise((resolve, reject) => {
    execFile(o.bin, externalDnsArgs(o), { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { PATH: process.env.PATH ?? '' } }, (err, stdout, stderr) => {
      const log = `${stdout}${stderr}`;
      if (err) reject(new Error(`external-dns --once failed (${err.message}):\n${log.slice(-4000)}`, { cause: err }));
      else resolve({ log });
    });
  });
}
