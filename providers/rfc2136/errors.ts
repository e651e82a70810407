// One place that turns what a DNS server answered (or failed to) into the pipeline's
// ProviderError kinds, so that it knows whether to split, retry, re-read or give up.
import { ProviderError, type ProviderErrorKind } from '../../src/dns/publish/provider.js';
import { TSIGError } from './tsig.js';

export const RCODE_NAMES: Record<number, string> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
  6: 'YXDOMAIN',
  7: 'YXRRSET',
  8: 'NXRRSET',
  9: 'NOTAUTH',
  10: 'NOTZONE',
};

export function rcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
}

/**
 * The kind of an UPDATE's failure rcode. Prerequisite failures (RFC 2136 3.2) mean
 * another writer changed the zone: `conflict`. REFUSED and NOTAUTH are the server's
 * policy or key: `auth`. FORMERR and NOTZONE refuse the content: `rejected`.
 */
export function updateRcodeKind(rcode: number): ProviderErrorKind {
  switch (rcode) {
    case 3: // NXDOMAIN: a "name is in use" prerequisite failed
    case 6: // YXDOMAIN
    case 7: // YXRRSET: "RRset does not exist" failed
    case 8: // NXRRSET: "RRset exists (value dependent)" failed
      return 'conflict';
    case 5:
    case 9:
      return 'auth';
    case 2: // SERVFAIL: the server could not apply it now (e.g. zone loading)
      return 'unavailable';
    case 4: // NOTIMP: this server takes no dynamic updates at all
      return 'config';
    default: // FORMERR, NOTZONE and anything else the server would not take
      return 'rejected';
  }
}

/** What a failure of a query or a transfer means (there are no prerequisites there). */
export function queryRcodeKind(rcode: number): ProviderErrorKind {
  if (rcode === 5 || rcode === 9) return 'auth';
  if (rcode === 2) return 'unavailable';
  return 'config';
}

export type Operation = 'update' | 'transfer' | 'query';

/** What an error rcode most likely means for this operation, in the words of the server's configuration. */
export function rcodeHint(op: Operation, rcode: number, keyName: string | undefined): string | undefined {
  const key = keyName ? `key ${keyName}` : 'unsigned requests';
  if (op === 'update') {
    if (rcode === 5) return `does the zone's update-policy grant ${key} these names and types? (BIND's check-names also answers REFUSED)`;
    if (rcode === 9) return 'the server is not the primary for the zone';
    if (rcode === 10) return 'a name is outside the zone';
    if (rcode === 4) return 'the server takes no dynamic updates';
    if (updateRcodeKind(rcode) === 'conflict') return 'another writer changed these record sets since they were read';
  }
  if (op === 'transfer') {
    if (rcode === 5) return `does the zone's allow-transfer include ${key}?`;
    if (rcode === 9) return 'the server is not authoritative for the zone';
  }
  return undefined;
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);

/** Wraps a transport or TSIG failure; a ProviderError passes through unchanged. */
export function classifyFailure(what: string, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof TSIGError) return new ProviderError('auth', `${what}: ${err.message}`, { cause: err });
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return new ProviderError('unavailable', `${what}: ${(err as Error).message}`, { cause: err });
  if ((err as Error | null)?.name === 'AbortError' || (err as Error | null)?.name === 'TimeoutError') {
    return new ProviderError('unavailable', `${what}: ${(err as Error).message}`, { cause: err });
  }
  return new ProviderError('unavailable', `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
