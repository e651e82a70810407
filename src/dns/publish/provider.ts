// The seam between kfed's publishing pipeline and a DNS service (external-dns's
// source / registry / plan / provider split). A Provider is a thin adapter: it lists
// zones, reads a zone's record sets as endpoints, and applies one batch of changes
// atomically. Everything else is the pipeline's job and is written once, above it:
// desired records (source), ownership (registry, TXT records the provider stores like
// any other), the diff (plan), batching to the provider's limits, isolating a rejected
// record by splitting, pacing with a token bucket, and backoff on throttling.
//
// Routing: endpoints carry kfed's provider-neutral `kfed.io/*` properties (see
// ../routing.ts). A provider maps them to its native form when writing and back when
// reading, so that a record it read compares equal to the endpoint it was written
// from (or the plan would rewrite it on every pass). A provider without routing
// primitives says so in `adjust`, which turns routed desired endpoints into what it
// can store (e.g. RFC2136: the healthy primaries of a failover name) and explains it.
//
// TXT records: an endpoint's TXT target is the text itself, without quotes (e.g.
// `heritage=external-dns,external-dns/owner=x`); each provider quotes or splits it into
// character-strings as its API wants, and returns it unquoted from `records()`.
//
// Providers (providers/* at the repository root) may import only src/api and, from src/dns, the endpoint
// model (../endpoint.ts), routing (../routing.ts) and this file; lint enforces it.
import type { Endpoint } from '../endpoint.js';

export type ProviderType = 'rfc2136' | 'route53' | 'clouddns';

/** A zone the provider can write. */
export interface ProviderZone {
  /** Provider id: the Route53 hosted zone id, the Cloud DNS managed zone name, the RFC2136 zone name. */
  id: string;
  /** The zone's apex, normalized (lowercase, no trailing dot). */
  name: string;
  visibility?: 'public' | 'private';
}

/** One atomic batch for one zone, in the plan's shape. */
export interface ZoneChanges {
  create: Endpoint[];
  /** Index-aligned with updateNew: updateOld[i] is the record as read, updateNew[i] what replaces it. */
  updateOld: Endpoint[];
  updateNew: Endpoint[];
  delete: Endpoint[];
}

export interface ProviderLimits {
  /**
   * Whether one batch can hold these changes (Route53: 1,000 records and 32,000
   * characters with an UPSERT counted twice; Cloud DNS: its additions/deletions quota;
   * RFC2136: what fits one UPDATE message). The pipeline packs batches greedily with it.
   */
  fits(changes: ZoneChanges): boolean;
  /** Requests per second the pipeline may send for one provider account, and the burst. */
  requestsPerSecond: number;
  burst: number;
}

export interface AdjustResult {
  endpoints: Endpoint[];
  /** Human-readable notes on what was changed and why (shown in the DNSProvider status). */
  notes: string[];
}

export interface Provider {
  readonly type: ProviderType;
  readonly limits: ProviderLimits;
  /**
   * Zones this provider may write whose apex is one of `domains` or a parent of one
   * (the most specific public zone per domain, plus matching private zones where the
   * provider has them). Throws ProviderError on failure.
   */
  zones(domains: readonly string[], signal: AbortSignal): Promise<ProviderZone[]>;
  /**
   * Every record set in the zone as endpoints, TXT records included (the registry reads
   * ownership from them), routing decoded back to `kfed.io/*` properties. Records the
   * provider cannot map are returned as plain endpoints of their type, never dropped
   * silently, so that the plan sees the name is taken.
   */
  records(zone: ProviderZone, signal: AbortSignal): Promise<Endpoint[]>;
  /**
   * Applies the batch all or nothing. Throws ProviderError: `rejected` when the provider
   * refused the content (the pipeline then splits the batch to isolate the bad record),
   * `throttled` or `unavailable` for transient failures (retried with backoff),
   * `conflict` when the zone changed under it (the pipeline re-reads the zone),
   * `auth` or `config` when retrying cannot help until the configuration changes.
   */
  apply(zone: ProviderZone, changes: ZoneChanges, signal: AbortSignal): Promise<void>;
  /** Turns desired endpoints into what this provider can store; identity when it maps every policy natively. */
  adjust(desired: readonly Endpoint[]): AdjustResult;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

export type ProviderErrorKind = 'rejected' | 'throttled' | 'unavailable' | 'conflict' | 'auth' | 'config';

export interface ProviderErrorOptions {
  cause?: unknown;
  /** When the provider said when to come back (Retry-After). */
  retryAfterMs?: number;
  /** For `rejected`: the records the provider named, when it named any. */
  rejected?: Endpoint[];
}

/** A provider failure, classified once by the adapter so that the pipeline can react. */
export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly retryAfterMs: number | undefined;
  readonly rejected: Endpoint[];

  constructor(kind: ProviderErrorKind, message: string, options: ProviderErrorOptions = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'ProviderError';
    this.kind = kind;
    this.retryAfterMs = options.retryAfterMs;
    this.rejected = options.rejected ?? [];
  }

  /** Worth retrying without a configuration change. */
  get transient(): boolean {
    return this.kind === 'throttled' || this.kind === 'unavailable' || this.kind === 'conflict';
  }
}

export function isProviderError(err: unknown): err is ProviderError {
  return err instanceof ProviderError;
}

/** Total record changes in a batch (an update counts once). */
export function changeCount(c: ZoneChanges): number {
  return c.create.length + c.updateNew.length + c.delete.length;
}

/** What a provider adapter may log; the pipeline passes a child of its own logger. */
export interface ProviderLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** What the pipeline hands a provider factory besides the provider's own spec. */
export interface ProviderContext {
  /** The DNSProvider's name, for messages and tags. */
  providerName: string;
  /** The ownership id the registry writes (e.g. to tag resources such as Route53 health checks). */
  ownerId: string;
  /**
   * Decoded data of a Secret in the DNSProvider's namespace. Throws
   * ProviderError('config') when the Secret or the key is missing.
   */
  readSecret(name: string): Promise<Record<string, string>>;
  logger: ProviderLogger;
}
