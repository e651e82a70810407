// The narrow client wrapper: every Cloud DNS call the adapter makes, through
// @google-cloud/dns (its authentication, user agent and request path). Zones and record
// sets are listed with the library's own methods but read from the raw API response,
// because deletions must repeat a record set exactly as Cloud DNS returned it (routing
// policy included, which the library's Record type does not know). Changes and
// projects.get are typed REST calls through the library's authenticated `request`.
// The library's own retries are turned off (per request): the adapter retries once per
// throttled call at most, and the pipeline's token bucket and backoff do the rest.
import { DNS } from '@google-cloud/dns';
import type { GoogleAuthOptions } from 'google-auth-library';
import type { Change, ChangeBody, ManagedZone, Project, ResourceRecordSet } from './types.js';

export interface ClientOptions {
  project: string;
  /** `http://127.0.0.1:8089` or a private endpoint; default: dns.googleapis.com. */
  endpoint?: string | undefined;
  auth: GoogleAuthOptions;
  timeoutMs: number;
}

/** Calls made, by method (the benchmark and the tests count them). */
export interface CallCounts {
  managedZonesList: number;
  rrsetsList: number;
  changesCreate: number;
  projectsGet: number;
}

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

export interface RrsetQuery {
  pageToken?: string;
  maxResults?: number;
  name?: string;
  type?: string;
}

interface RawRequest {
  method?: string;
  uri: string;
  json?: unknown;
  qs?: Record<string, unknown>;
}

/** `https://host/dns/v1` from an endpoint given with or without scheme or path. */
export function baseUrl(endpoint: string | undefined): string | undefined {
  if (!endpoint) return undefined;
  const withScheme = /^[a-z]+:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`;
  const trimmed = withScheme.replace(/\/+$/, '');
  return trimmed.endsWith('/dns/v1') ? trimmed : `${trimmed}/dns/v1`;
}

export class CloudDNSClient {
  readonly calls: CallCounts = { managedZonesList: 0, rrsetsList: 0, changesCreate: 0, projectsGet: 0 };
  private readonly dns: DNS;
  private readonly project: string;

  constructor(opts: ClientOptions) {
    this.project = opts.project;
    // `timeout` is read by @google-cloud/common's Service although DNSOptions does not declare it.
    this.dns = new DNS({ ...opts.auth, projectId: opts.project, timeout: opts.timeoutMs } as ConstructorParameters<typeof DNS>[0]);
    const base = baseUrl(opts.endpoint);
    if (base) this.dns.baseUrl = base;
    this.dns.interceptors.push({
      request: (reqOpts) => {
        const o = reqOpts as typeof reqOpts & { maxRetries?: number };
        o.maxRetries = 0;
        return o as never;
      },
    });
  }

  private raw<T>(req: RawRequest): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.dns.request(req as Parameters<DNS['request']>[0], (err, body) => (err ? reject(err) : resolve(body as T)));
    });
  }

  async listZones(pageToken?: string): Promise<Page<ManagedZone>> {
    this.calls.managedZonesList++;
    const query: { autoPaginate: false; pageToken?: string } = { autoPaginate: false };
    if (pageToken) query.pageToken = pageToken;
    const [, , response] = await this.dns.getZones(query);
    const body = response as { managedZones?: ManagedZone[]; nextPageToken?: string };
    return page(body.managedZones, body.nextPageToken);
  }

  async listRrsets(zone: string, q: RrsetQuery = {}): Promise<Page<ResourceRecordSet>> {
    this.calls.rrsetsList++;
    // With autoPaginate off the promise resolves to the callback's arguments: records, next query, API response.
    const result = (await this.dns.zone(zone).getRecords({ autoPaginate: false, ...q } as Parameters<ReturnType<DNS['zone']>['getRecords']>[0] & object)) as unknown[];
    const body = result[2] as { rrsets?: ResourceRecordSet[]; nextPageToken?: string };
    return page(body.rrsets, body.nextPageToken);
  }

  async createChange(zone: string, body: ChangeBody): Promise<Change> {
    this.calls.changesCreate++;
    return this.raw<Change>({ method: 'POST', uri: `/managedZones/${encodeURIComponent(zone)}/changes`, json: body });
  }

  async getProject(): Promise<Project> {
    this.calls.projectsGet++;
    // An absolute URI: the library would otherwise append a trailing slash to the project path.
    return this.raw<Project>({ uri: `${this.dns.baseUrl}/projects/${encodeURIComponent(this.project)}` });
  }
}

function page<T>(items: T[] | undefined, next: string | undefined): Page<T> {
  const p: Page<T> = { items: items ?? [] };
  if (next) p.nextPageToken = next;
  return p;
}
