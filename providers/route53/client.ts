// The narrow wrapper around @aws-sdk/client-route-53: the calls the adapter makes, with
// pagination done here and every failure mapped once to ProviderError. Counts calls per
// operation (the benchmark and tests read them).
import {
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHealthCheckCommand,
  DeleteHealthCheckCommand,
  GetHealthCheckCommand,
  ListHealthChecksCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourcesCommand,
  Route53Client,
  type Change,
  type HealthCheck,
  type HealthCheckConfig,
  type HostedZone,
  type ResourceRecordSet,
  type RRType,
  type Tag,
} from '@aws-sdk/client-route-53';
import type { Endpoint } from '../../src/dns/endpoint.js';
import { toProviderError } from './errors.js';
import { Pacer } from './pacer.js';

/** What the SDK takes as credentials (the shape of @aws-sdk/types' AwsCredentialIdentity). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface Route53ClientOptions {
  region: string;
  endpoint?: string;
  /** Absent: the SDK's default credential chain. */
  credentials?: () => Promise<AwsCredentials>;
  /** SDK attempts per call (first try included); the SDK retries throttling and 5xx with backoff. */
  maxAttempts: number;
  /** Requests per second this client sends at most (0: no pacing), and the burst. */
  requestsPerSecond: number;
  burst: number;
}

/** Route53's page sizes: record sets 300, hosted zones and health checks 100, tags 10 ids. */
export const RECORD_PAGE = 300;
const ZONE_PAGE = 100;
const HEALTH_PAGE = 100;
const TAG_BATCH = 10;

export type CallName = 'ListHostedZones' | 'ListResourceRecordSets' | 'ChangeResourceRecordSets' | 'CreateHealthCheck' | 'DeleteHealthCheck' | 'GetHealthCheck' | 'ListHealthChecks' | 'ChangeTagsForResource' | 'ListTagsForResources';

export class Route53Api {
  readonly calls: Record<CallName, number> = {
    ListHostedZones: 0, ListResourceRecordSets: 0, ChangeResourceRecordSets: 0, CreateHealthCheck: 0, DeleteHealthCheck: 0,
    GetHealthCheck: 0, ListHealthChecks: 0, ChangeTagsForResource: 0, ListTagsForResources: 0,
  };
  private readonly sdk: Route53Client;
  private readonly pacer: Pacer;

  constructor(opts: Route53ClientOptions) {
    this.pacer = new Pacer(opts.requestsPerSecond, opts.burst);
    this.sdk = new Route53Client({
      region: opts.region,
      maxAttempts: opts.maxAttempts,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
    });
  }

  private async send<T>(call: CallName, what: string, signal: AbortSignal, run: () => Promise<T>, batch: readonly Endpoint[] = []): Promise<T> {
    signal.throwIfAborted();
    await this.pacer.take(signal);
    this.calls[call]++;
    try {
      return await run();
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw toProviderError(err, what, batch);
    }
  }

  async listHostedZones(signal: AbortSignal): Promise<HostedZone[]> {
    const zones: HostedZone[] = [];
    let marker: string | undefined;
    do {
      const page = await this.send('ListHostedZones', 'list hosted zones', signal, () =>
        this.sdk.send(new ListHostedZonesCommand({ MaxItems: ZONE_PAGE, ...(marker ? { Marker: marker } : {}) }), { abortSignal: signal }),
      );
      zones.push(...(page.HostedZones ?? []));
      marker = page.IsTruncated ? page.NextMarker : undefined;
    } while (marker);
    return zones;
  }

  async listRecordSets(zoneId: string, signal: AbortSignal): Promise<ResourceRecordSet[]> {
    const sets: ResourceRecordSet[] = [];
    let next: { name: string; type: RRType | undefined; id: string | undefined } | undefined;
    do {
      const start = next;
      const page = await this.send('ListResourceRecordSets', `list records of zone ${zoneId}`, signal, () =>
        this.sdk.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            MaxItems: RECORD_PAGE,
            ...(start ? { StartRecordName: start.name, ...(start.type ? { StartRecordType: start.type } : {}), ...(start.id ? { StartRecordIdentifier: start.id } : {}) } : {}),
          }),
          { abortSignal: signal },
        ),
      );
      sets.push(...(page.ResourceRecordSets ?? []));
      next = page.IsTruncated && page.NextRecordName ? { name: page.NextRecordName, type: page.NextRecordType, id: page.NextRecordIdentifier } : undefined;
    } while (next);
    return sets;
  }

  async changeRecordSets(zoneId: string, changes: Change[], endpoints: readonly Endpoint[], signal: AbortSignal): Promise<string | undefined> {
    const out = await this.send(
      'ChangeResourceRecordSets',
      `change ${changes.length} record sets in zone ${zoneId}`,
      signal,
      () => this.sdk.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes, Comment: 'kfed' } }), { abortSignal: signal }),
      endpoints,
    );
    return out.ChangeInfo?.Id;
  }

  async createHealthCheck(callerReference: string, config: HealthCheckConfig, signal: AbortSignal): Promise<string> {
    const out = await this.send('CreateHealthCheck', 'create health check', signal, () =>
      this.sdk.send(new CreateHealthCheckCommand({ CallerReference: callerReference, HealthCheckConfig: config }), { abortSignal: signal }),
    );
    const id = out.HealthCheck?.Id;
    if (!id) throw toProviderError(new Error('no health check id in the response'), 'create health check');
    return id;
  }

  async tagHealthCheck(id: string, tags: Tag[], signal: AbortSignal): Promise<void> {
    await this.send('ChangeTagsForResource', `tag health check ${id}`, signal, () =>
      this.sdk.send(new ChangeTagsForResourceCommand({ ResourceType: 'healthcheck', ResourceId: id, AddTags: tags }), { abortSignal: signal }),
    );
  }

  /** Deletes a health check; one that is already gone counts as deleted. */
  async deleteHealthCheck(id: string, signal: AbortSignal): Promise<void> {
    try {
      await this.send('DeleteHealthCheck', `delete health check ${id}`, signal, () => this.sdk.send(new DeleteHealthCheckCommand({ HealthCheckId: id }), { abortSignal: signal }));
    } catch (err) {
      if ((err as { cause?: { name?: string } }).cause?.name !== 'NoSuchHealthCheck') throw err;
    }
  }

  async getHealthCheck(id: string, signal: AbortSignal): Promise<HealthCheck | undefined> {
    try {
      const out = await this.send('GetHealthCheck', `get health check ${id}`, signal, () => this.sdk.send(new GetHealthCheckCommand({ HealthCheckId: id }), { abortSignal: signal }));
      return out.HealthCheck;
    } catch (err) {
      if ((err as { cause?: { name?: string } }).cause?.name === 'NoSuchHealthCheck') return undefined;
      throw err;
    }
  }

  async listHealthChecks(signal: AbortSignal): Promise<HealthCheck[]> {
    const checks: HealthCheck[] = [];
    let marker: string | undefined;
    do {
      const page = await this.send('ListHealthChecks', 'list health checks', signal, () =>
        this.sdk.send(new ListHealthChecksCommand({ MaxItems: HEALTH_PAGE, ...(marker ? { Marker: marker } : {}) }), { abortSignal: signal }),
      );
      checks.push(...(page.HealthChecks ?? []));
      marker = page.IsTruncated ? page.NextMarker : undefined;
    } while (marker);
    return checks;
  }

  /** Tags of health checks by id (ListTagsForResources takes 10 ids a call). */
  async healthCheckTags(ids: readonly string[], signal: AbortSignal): Promise<Map<string, Tag[]>> {
    const out = new Map<string, Tag[]>();
    for (let i = 0; i < ids.length; i += TAG_BATCH) {
      const chunk = ids.slice(i, i + TAG_BATCH);
      const page = await this.send('ListTagsForResources', 'list health check tags', signal, () =>
        this.sdk.send(new ListTagsForResourcesCommand({ ResourceType: 'healthcheck', ResourceIds: chunk }), { abortSignal: signal }),
      );
      for (const r of page.ResourceTagSets ?? []) if (r.ResourceId) out.set(r.ResourceId, r.Tags ?? []);
    }
    return out;
  }

  close(): void {
    this.sdk.destroy();
  }
}
