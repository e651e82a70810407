// Small helpers shared by the CLI commands: the default kubeconfig (as kubectl finds
// it), flag parsers, and one-line failures.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { InvalidArgumentError } from 'commander';

/** $KUBECONFIG's first existing file, else ~/.kube/config (the CLI is where the environment is read). */
export function defaultKubeconfigPath(): string {
  for (const p of (process.env.KUBECONFIG ?? '').split(delimiter)) if (p && existsSync(p)) return p;
  return join(homedir(), '.kube', 'config');
}

export function runningInPod(): boolean {
  return Boolean(process.env.KUBERNETES_SERVICE_HOST) && existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token');
}

export function int(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`not an integer: ${v}`);
  return n;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A namespace name (DNS-1123 label). Checked when parsed: a bad `--kubefed-namespace`
 * otherwise surfaces much later as a 404 or as objects written to a namespace nobody reads.
 */
export function namespaceName(v: string): string {
  if (v.length > 63 || !DNS1123_LABEL.test(v)) {
    throw new InvalidArgumentError(`${JSON.stringify(v)} is not a valid namespace name: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters`);
  }
  return v;
}

/** `--flag`, `--flag=true|false` (kubefedctl / pflag boolean style). */
export function bool(v: string | undefined): boolean {
  if (v === undefined || v === '' || v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new Error(`not a boolean: ${v}`);
}

/** Collects repeated `--cluster-label k=v` (also `k=v,k2=v2`). */
export function collectLabels(v: string, acc: Record<string, string> = {}): Record<string, string> {
  for (const part of v.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`label ${JSON.stringify(part)}: expected key=value`);
    acc[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return acc;
}

/** An error that main prints as one line, without its cause chain. */
export function failure(message: string): Error {
  return new Error(message.replace(/\s*\n\s*/g, ' '));
}
