// A wire-level fake of Route53's REST/XML API on 127.0.0.1, for the real AWS SDK to
// talk to: hosted zones, record sets (paginated at 300, validated like Route53, see
// state.ts), changes, health checks and their tags. Tests can inject throttling
// (Throttling / PriorRequestNotComplete, HTTP 400 as Route53 answers them), cap the
// request rate, require an access key, and read what was called.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { canonicalName, parseRecordSet, recordSetXml, setKey, type FakeRecordSet } from './record-set.js';
import { FakeError, FakeState, type ChangeAction, type FakeHealthCheck } from './state.js';
import { child, children, document, parseXml, text, type XmlObject } from './xml.js';

export interface ThrottleRule {
  /** How many matching requests to refuse. */
  count: number;
  code?: 'Throttling' | 'PriorRequestNotComplete';
  /** Only these operations (default: all). */
  ops?: string[];
  retryAfterSeconds?: number;
}

export interface RecordedBatch {
  zoneId: string;
  changes: { action: ChangeAction; set: FakeRecordSet }[];
}

export interface FakeOptions {
  /** Refuse requests beyond this rate with Throttling (a token bucket of one second's burst). */
  requestsPerSecond?: number;
  /** Refuse requests signed with any other access key (InvalidClientTokenId, 403). */
  accessKeyId?: string;
}

const LIST_MAX = 300;

export class Route53Fake {
  readonly state = new FakeState();
  /** Calls by operation name, refused ones included. */
  readonly calls = new Map<string, number>();
  readonly batches: RecordedBatch[] = [];
  readonly throttled = new Map<string, number>();
  /** Tests set this to refuse (InvalidChangeBatch) any batch that creates or upserts a matching set. */
  rejectIf: ((set: FakeRecordSet) => boolean) | undefined;
  private rules: ThrottleRule[] = [];
  private server: Server | undefined;
  private tokens: number;
  private lastRefill = Date.now();

  constructor(private readonly opts: FakeOptions = {}) {
    this.tokens = opts.requestsPerSecond ?? 0;
  }

  get endpoint(): string {
    const addr = this.server?.address() as AddressInfo | null;
    if (!addr) throw new Error('route53 fake: not started');
    return `http://127.0.0.1:${addr.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  throttle(rule: ThrottleRule): void {
    this.rules.push({ ...rule });
  }

  /** Ends every throttling rule, whatever count it has left. */
  clearThrottles(): void {
    this.rules = [];
  }

  count(op: string): number {
    return this.calls.get(op) ?? 0;
  }

  resetCounts(): void {
    this.calls.clear();
    this.throttled.clear();
    this.batches.length = 0;
  }

  private sorted = new Map<string, { version: number; sets: FakeRecordSet[] }>();

  /** Record sets of a zone in Route53's list order (shared: do not modify). */
  list(zoneId: string): FakeRecordSet[] {
    const zone = this.state.zone(zoneId);
    const hit = this.sorted.get(zone.id);
    if (hit && hit.version === zone.version) return hit.sets;
    const sets = sortSets([...zone.sets.values()]);
    this.sorted.set(zone.id, { version: zone.version, sets });
    return sets;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/^\/2013-04-01/, '').replace(/\/$/, '');
    const method = req.method ?? 'GET';
    const op = operation(method, path);
    this.calls.set(op, (this.calls.get(op) ?? 0) + 1);
    try {
      this.admit(op, req);
      const out = this.route(op, method, path, url.searchParams, body);
      res.writeHead(out.status ?? 200, { 'content-type': 'text/xml', 'x-amzn-requestid': this.state.nextId('req') });
      res.end(out.xml);
    } catch (err) {
      const e = err instanceof FakeError ? err : new FakeError(500, 'InternalFailure', [String((err as Error).stack ?? err)]);
      const headers: Record<string, string> = { 'content-type': 'text/xml', 'x-amzn-requestid': this.state.nextId('req') };
      if (e instanceof ThrottleError && e.retryAfter !== undefined) headers['retry-after'] = String(e.retryAfter);
      res.writeHead(e.status, headers);
      res.end(errorXml(e));
    }
  }

  private admit(op: string, req: IncomingMessage): void {
    const key = this.opts.accessKeyId;
    if (key !== undefined) {
      const m = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '');
      if (m?.[1] !== key) throw new FakeError(403, 'InvalidClientTokenId', ['The security token included in the request is invalid.']);
    }
    const rule = this.rules.find((r) => r.count > 0 && (!r.ops || r.ops.includes(op)));
    if (rule) {
      rule.count--;
      this.throttled.set(op, (this.throttled.get(op) ?? 0) + 1);
      const code = rule.code ?? 'Throttling';
      const msg = code === 'Throttling' ? 'Rate exceeded' : 'The request was rejected because Route 53 was still processing a prior request.';
      throw new ThrottleError(code, msg, rule.retryAfterSeconds);
    }
    const rate = this.opts.requestsPerSecond;
    if (rate !== undefined) {
      const now = Date.now();
      this.tokens = Math.min(rate, this.tokens + ((now - this.lastRefill) / 1000) * rate);
      this.lastRefill = now;
      if (this.tokens < 1) {
        this.throttled.set(op, (this.throttled.get(op) ?? 0) + 1);
        throw new ThrottleError('Throttling', 'Rate exceeded', undefined);
      }
      this.tokens -= 1;
    }
  }

  private route(op: string, method: string, path: string, q: URLSearchParams, body: string): { status?: number; xml: string } {
    const seg = path.split('/').filter(Boolean);
    switch (op) {
      case 'CreateHostedZone': {
        const doc = parseXml(body);
        const z = this.state.createZone(text(doc, 'Name') ?? '', { private: text(child(doc, 'HostedZoneConfig'), 'PrivateZone') === 'true' || child(doc, 'VPC') !== undefined, callerRef: text(doc, 'CallerReference') ?? '' });
        return { status: 201, xml: document('CreateHostedZoneResponse', { HostedZone: zoneXml(z, this.state), ChangeInfo: changeInfo(this.state.nextId('C')), DelegationSet: { NameServers: { member: 'NameServer', items: ['ns-1.awsdns.example', 'ns-2.awsdns.example'] } } }) };
      }
      case 'ListHostedZones': {
        const all = [...this.state.zones.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
        const max = Math.min(Number(q.get('maxitems') ?? 100), 100);
        const marker = q.get('marker');
        const start = marker ? all.findIndex((z) => z.id === marker) : 0;
        const page = all.slice(Math.max(start, 0), Math.max(start, 0) + max);
        const next = all[Math.max(start, 0) + max];
        return { xml: document('ListHostedZonesResponse', { HostedZones: { member: 'HostedZone', items: page.map((z) => zoneXml(z, this.state)) }, Marker: marker ?? '', IsTruncated: next !== undefined, NextMarker: next?.id, MaxItems: max }) };
      }
      case 'ChangeResourceRecordSets': {
        const zoneId = seg[1] ?? '';
        const doc = parseXml(body);
        const changes = children(child(child(doc, 'ChangeBatch'), 'Changes'), 'Change').map((c) => ({ action: (text(c, 'Action') ?? '') as ChangeAction, set: parseRecordSet(child(c, 'ResourceRecordSet') ?? { name: '', children: [], text: '' }) }));
        this.batches.push({ zoneId, changes });
        const refused = changes.find((c) => c.action !== 'DELETE' && this.rejectIf?.(c.set));
        if (refused) throw new FakeError(400, 'InvalidChangeBatch', [`[Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '${refused.set.values.join(',')}'']`]);
        this.state.change(zoneId, changes);
        return { xml: document('ChangeResourceRecordSetsResponse', { ChangeInfo: changeInfo(this.state.nextId('C')) }) };
      }
      case 'ListResourceRecordSets':
        return { xml: this.listRecordSets(seg[1] ?? '', q) };
      case 'GetChange':
        return { xml: document('GetChangeResponse', { ChangeInfo: { ...changeInfo(seg[1] ?? ''), Status: 'INSYNC' } }) };
      case 'CreateHealthCheck': {
        const doc = parseXml(body);
        const cfg = child(doc, 'HealthCheckConfig');
        const hc: Omit<FakeHealthCheck, 'id'> = { callerRef: text(doc, 'CallerReference') ?? '', type: text(cfg, 'Type') ?? '', children: children(child(cfg, 'ChildHealthChecks'), 'ChildHealthCheck').map((c) => c.text.trim()) };
        const set = <K extends keyof Omit<FakeHealthCheck, 'id'>>(k: K, v: FakeHealthCheck[K] | undefined): void => {
          if (v !== undefined) hc[k] = v;
        };
        set('ip', text(cfg, 'IPAddress'));
        set('fqdn', text(cfg, 'FullyQualifiedDomainName'));
        set('path', text(cfg, 'ResourcePath'));
        const num = (n: string): number | undefined => (text(cfg, n) !== undefined ? Number(text(cfg, n)) : undefined);
        set('port', num('Port') ?? (hc.type === 'HTTP' ? 80 : hc.type === 'HTTPS' ? 443 : undefined));
        set('threshold', num('HealthThreshold'));
        set('interval', num('RequestInterval'));
        set('failureThreshold', num('FailureThreshold'));
        const created = this.state.createHealthCheck(hc);
        return { status: 201, xml: document('CreateHealthCheckResponse', { HealthCheck: healthCheckXml(created) }) };
      }
      case 'ListHealthChecks': {
        const all = [...this.state.healthChecks.values()];
        const max = Math.min(Number(q.get('maxitems') ?? 100), 1000);
        const marker = q.get('marker');
        const start = Math.max(marker ? all.findIndex((c) => c.id === marker) : 0, 0);
        const next = all[start + max];
        return { xml: document('ListHealthChecksResponse', { HealthChecks: { member: 'HealthCheck', items: all.slice(start, start + max).map(healthCheckXml) }, Marker: marker ?? '', IsTruncated: next !== undefined, NextMarker: next?.id, MaxItems: max }) };
      }
      case 'GetHealthCheck':
        return { xml: document('GetHealthCheckResponse', { HealthCheck: healthCheckXml(this.state.healthCheck(seg[1] ?? '')) }) };
      case 'DeleteHealthCheck':
        this.state.deleteHealthCheck(seg[1] ?? '');
        return { xml: document('DeleteHealthCheckResponse', {}) };
      case 'ChangeTagsForResource': {
        const id = seg[2] ?? '';
        this.state.healthCheck(id);
        const doc = parseXml(body);
        const tags = this.state.tags.get(id) ?? new Map<string, string>();
        for (const t of children(child(doc, 'AddTags'), 'Tag')) tags.set(text(t, 'Key') ?? '', text(t, 'Value') ?? '');
        for (const k of children(child(doc, 'RemoveTagKeys'), 'Key')) tags.delete(k.text.trim());
        if (tags.size > 10) throw new FakeError(400, 'InvalidInput', ['A resource can have at most 10 tags']);
        this.state.tags.set(id, tags);
        return { xml: document('ChangeTagsForResourceResponse', {}) };
      }
      case 'ListTagsForResources': {
        const ids = children(child(parseXml(body), 'ResourceIds'), 'ResourceId').map((n) => n.text.trim());
        if (ids.length > 10) throw new FakeError(400, 'InvalidInput', ['ResourceIds: at most 10']);
        return { xml: document('ListTagsForResourcesResponse', { ResourceTagSets: { member: 'ResourceTagSet', items: ids.map((id) => tagSetXml(id, this.state.tags.get(id))) } }) };
      }
      case 'ListTagsForResource':
        return { xml: document('ListTagsForResourceResponse', { ResourceTagSet: tagSetXml(seg[2] ?? '', this.state.tags.get(seg[2] ?? '')) }) };
      default:
        throw new FakeError(400, 'InvalidAction', [`${method} ${path} is not an operation this fake serves`]);
    }
  }

  private listRecordSets(zoneId: string, q: URLSearchParams): string {
    const sets = this.list(zoneId);
    const max = Math.min(Number(q.get('maxitems') ?? LIST_MAX), LIST_MAX);
    const name = q.get('name');
    let start = 0;
    if (name !== null) {
      const from = { name: canonicalName(name), type: q.get('type') ?? '', setId: q.get('identifier') ?? '' };
      // Binary search for the first set at or after the start position.
      let lo = 0;
      let hi = sets.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (compareSets(sets[mid] as FakeRecordSet, from) < 0) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const page = sets.slice(start, start + max);
    const next = sets[start + max];
    return document('ListResourceRecordSetsResponse', {
      ResourceRecordSets: { member: 'ResourceRecordSet', items: page.map(recordSetXml) },
      IsTruncated: next !== undefined,
      NextRecordName: next?.name,
      NextRecordType: next?.type,
      NextRecordIdentifier: next?.setId,
      MaxItems: max,
    });
  }
}

class ThrottleError extends FakeError {
  constructor(code: string, message: string, readonly retryAfter: number | undefined) {
    super(400, code, [message]);
  }
}

function operation(method: string, path: string): string {
  const seg = path.split('/').filter(Boolean);
  const [a, b, c] = seg;
  if (a === 'hostedzone' && c === 'rrset') return method === 'POST' ? 'ChangeResourceRecordSets' : 'ListResourceRecordSets';
  if (a === 'hostedzone' && seg.length === 1) return method === 'POST' ? 'CreateHostedZone' : 'ListHostedZones';
  if (a === 'change') return 'GetChange';
  if (a === 'healthcheck' && seg.length === 1) return method === 'POST' ? 'CreateHealthCheck' : 'ListHealthChecks';
  if (a === 'healthcheck' && seg.length === 2) return method === 'DELETE' ? 'DeleteHealthCheck' : method === 'GET' ? 'GetHealthCheck' : 'UpdateHealthCheck';
  if (a === 'tags' && b === 'healthcheck') return seg.length === 2 ? 'ListTagsForResources' : method === 'POST' ? 'ChangeTagsForResource' : 'ListTagsForResource';
  return `${method} ${path}`;
}

/** Route53's list order: name with its labels reversed, then type, then set identifier. */
function sortKey(name: string): string {
  return name.replace(/\.$/, '').split('.').reverse().join('.');
}

function compareSets(a: Pick<FakeRecordSet, 'name' | 'type' | 'setId'>, b: Pick<FakeRecordSet, 'name' | 'type' | 'setId'>): number {
  const ka = sortKey(a.name);
  const kb = sortKey(b.name);
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (b.type === '') return 0;
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  const ia = a.setId ?? '';
  const ib = b.setId ?? '';
  return ia === ib ? 0 : ia < ib ? -1 : 1;
}

function sortSets(sets: FakeRecordSet[]): FakeRecordSet[] {
  return sets.sort((a, b) => compareSets(a, b) || (setKey(a) < setKey(b) ? -1 : 1));
}

function changeInfo(id: string): XmlObject {
  return { Id: `/change/${id}`, Status: 'PENDING', SubmittedAt: new Date().toISOString() };
}

function zoneXml(z: { id: string; name: string; private: boolean; callerRef: string; sets: Map<string, unknown> }, _state: FakeState): XmlObject {
  return { Id: `/hostedzone/${z.id}`, Name: z.name, CallerReference: z.callerRef, Config: { PrivateZone: z.private }, ResourceRecordSetCount: z.sets.size };
}

function healthCheckXml(c: FakeHealthCheck): XmlObject {
  return {
    Id: c.id,
    CallerReference: c.callerRef,
    HealthCheckConfig: {
      IPAddress: c.ip,
      Port: c.port,
      Type: c.type,
      ResourcePath: c.path,
      FullyQualifiedDomainName: c.fqdn,
      RequestInterval: c.interval,
      FailureThreshold: c.failureThreshold,
      HealthThreshold: c.threshold,
      ChildHealthChecks: c.children.length > 0 ? { member: 'ChildHealthCheck', items: c.children } : undefined,
    },
    HealthCheckVersion: 1,
  };
}

function tagSetXml(id: string, tags: Map<string, string> | undefined): XmlObject {
  return { ResourceType: 'healthcheck', ResourceId: id, Tags: { member: 'Tag', items: [...(tags ?? new Map<string, string>())].map(([Key, Value]) => ({ Key, Value })) } };
}

function errorXml(e: FakeError): string {
  // Several InvalidChangeBatch problems come as <Messages>, one as a plain ErrorResponse.
  if (e.code === 'InvalidChangeBatch' && e.messages.length > 1) {
    return document('InvalidChangeBatch', { Messages: { member: 'Message', items: e.messages }, RequestId: 'fake' });
  }
  return document('ErrorResponse', { Error: { Type: e.status >= 500 ? 'Receiver' : 'Sender', Code: e.code, Message: e.messages.join('; ') }, RequestId: 'fake' });
}

export async function startRoute53Fake(opts: FakeOptions = {}): Promise<Route53Fake> {
  return new Route53Fake(opts).start();
}
