// A wire-level fake of Cloud DNS's JSON REST API v1 on 127.0.0.1, for the real
// @google-cloud/dns client: projects.get (with quotas), managedZones.list (dnsName
// filter, pagination), rrsets.list (name/type filters, pagination), changes.create (see
// store.ts), the OAuth token and STS endpoints, bearer-token checks on every API call,
// and injectable 429 throttling. Every request is logged for the tests to count.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChangeBody, ManagedZone } from '../../../providers/clouddns/types.js';
import { FakeOAuth, OAuthError } from './oauth.js';
import { FakeApiError, FakeProject } from './store.js';

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  status: number;
}

/** The API operation of a request, for counting. */
export type Operation = 'projects.get' | 'managedZones.list' | 'rrsets.list' | 'changes.create' | 'token' | 'sts' | 'other';

export interface FakeCloudDNSOptions {
  project?: string;
  /** Default page size of list calls (Cloud DNS's is larger; small pages exercise pagination). */
  pageSize?: number;
  /** Answers to the subject-token URL of an external-account credential. */
  subjectToken?: string;
}

export class FakeCloudDNS {
  readonly project: string;
  readonly store = new FakeProject();
  readonly oauth: FakeOAuth;
  readonly log: LoggedRequest[] = [];
  private server: Server | undefined;
  private port = 0;
  private throttled = 0;
  private throttleRetryAfter: string | undefined;
  private throttleOps: readonly Operation[] | undefined;
  private readonly pageSize: number;
  private readonly subjectToken: string | undefined;

  constructor(opts: FakeCloudDNSOptions = {}) {
    this.project = opts.project ?? 'kfed-test';
    this.pageSize = opts.pageSize ?? 100;
    this.subjectToken = opts.subjectToken;
    this.oauth = new FakeOAuth(() => `${this.url}/token`);
    if (opts.subjectToken) this.oauth.registerSubjectToken(opts.subjectToken);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    this.server = undefined;
  }

  addZone(z: ManagedZone): void {
    this.store.addZone(z);
  }

  /** The next `count` API calls (of these operations, default all API calls) answer 429. */
  throttle(count: number, opts: { retryAfterSeconds?: number; operations?: readonly Operation[] } = {}): void {
    this.throttled = count;
    this.throttleRetryAfter = opts.retryAfterSeconds !== undefined ? String(opts.retryAfterSeconds) : undefined;
    this.throttleOps = opts.operations;
  }

  count(op: Operation): number {
    return this.log.filter((r) => operationOf(r.method, r.path) === op).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const entry: LoggedRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
    this.log.push(entry);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      entry.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
      res.end(JSON.stringify(body));
    };
    const op = operationOf(entry.method, entry.path);
    try {
      if (op === 'token' || op === 'sts') {
        const form = new URLSearchParams(raw);
        return send(200, op === 'token' ? this.oauth.jwtBearer(form) : this.oauth.exchange(form));
      }
      if (entry.path === '/subject-token') {
        if (!this.subjectToken) return send(404, {});
        entry.status = 200;
        res.writeHead(200, { 'content-type': 'text/plain' });
        return void res.end(this.subjectToken);
      }
      if (!this.oauth.authorized(req.headers.authorization)) throw new FakeApiError(401, 'authError', 'Request had invalid authentication credentials.');
      if (this.throttled > 0 && (!this.throttleOps || this.throttleOps.includes(op))) {
        this.throttled--;
        return send(429, googleError(429, 'rateLimitExceeded', 'Rate Limit Exceeded'), this.throttleRetryAfter ? { 'retry-after': this.throttleRetryAfter } : {});
      }
      if (raw) entry.body = JSON.parse(raw) as unknown;
      return send(200, this.route(entry));
    } catch (err) {
      if (err instanceof OAuthError) return send(400, { error: err.error, error_description: err.description });
      if (err instanceof FakeApiError) return send(err.status, googleError(err.status, err.reason, err.message));
      return send(500, googleError(500, 'backendError', (err as Error).message));
    }
  }

  private route(r: LoggedRequest): unknown {
    const m = /^\/dns\/v1\/projects\/([^/]+)(?:\/managedZones(?:\/([^/]+)(?:\/(rrsets|changes))?)?)?$/.exec(r.path);
    if (!m) throw new FakeApiError(404, 'notFound', `no route ${r.method} ${r.path}`);
    const [, project, zone, sub] = m;
    if (project !== this.project) throw new FakeApiError(403, 'forbidden', `The caller does not have permission on project ${String(project)}`);
    if (r.method === 'GET' && !zone && !r.path.includes('managedZones')) return { kind: 'dns#project', id: this.project, number: '123456789', quota: { kind: 'dns#quota', ...this.store.quota } };
    if (r.method === 'GET' && !zone) {
      const zones = [...this.store.zones.values()].map((z) => z.zone).filter((z) => !r.query['dnsName'] || z.dnsName === r.query['dnsName']);
      return this.paginate('managedZones', zones, r.query);
    }
    if (r.method === 'GET' && zone && sub === 'rrsets') {
      const all = this.store.list(decodeURIComponent(zone)).filter((x) => (!r.query['name'] || x.name === r.query['name']) && (!r.query['type'] || x.type === r.query['type']));
      if (r.query['type'] && !r.query['name']) throw new FakeApiError(400, 'invalid', 'type requires name');
      return this.paginate('rrsets', all, r.query);
    }
    if (r.method === 'POST' && zone && sub === 'changes') {
      const done = this.store.applyChange(decodeURIComponent(zone), r.body as ChangeBody);
      return { kind: 'dns#change', status: 'done', startTime: new Date().toISOString(), ...done };
    }
    throw new FakeApiError(404, 'notFound', `no route ${r.method} ${r.path}`);
  }

  private paginate<T>(field: string, items: readonly T[], query: Record<string, string>): Record<string, unknown> {
    const size = Math.min(Number(query['maxResults'] ?? this.pageSize) || this.pageSize, 1000);
    const start = query['pageToken'] ? Number(Buffer.from(query['pageToken'], 'base64url').toString('utf8')) : 0;
    if (!Number.isInteger(start) || start < 0) throw new FakeApiError(400, 'invalid', 'Invalid value for pageToken');
    const out: Record<string, unknown> = { kind: `dns#${field}ListResponse`, [field]: items.slice(start, start + size) };
    if (start + size < items.length) out['nextPageToken'] = Buffer.from(String(start + size)).toString('base64url');
    return out;
  }
}

function googleError(code: number, reason: string, message: string): unknown {
  return { error: { code, message, errors: [{ domain: 'global', reason, message }] } };
}

export function operationOf(method: string, path: string): Operation {
  if (path === '/token') return 'token';
  if (path === '/sts') return 'sts';
  if (method === 'POST' && path.endsWith('/changes')) return 'changes.create';
  if (path.endsWith('/rrsets')) return 'rrsets.list';
  if (path.endsWith('/managedZones')) return 'managedZones.list';
  if (/^\/dns\/v1\/projects\/[^/]+$/.test(path)) return 'projects.get';
  return 'other';
}
