// One sandbox cluster's HTTPS endpoint: faults, authentication, authorization,
// discovery, OpenAPI, and dispatch of resource requests.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ObjectStore } from '../store/object-store.js';
import type { ResourceRegistry } from '../resources/registry.js';
import type { ResourceDef } from '../resources/types.js';
import type { KeyPair } from '../pki.js';
import { authorize, forbiddenMessage, type Attributes, type UserInfo } from '../auth/rbac.js';
import type { Authenticator } from '../auth/authn.js';
import { ApiError, errors } from './api-error.js';
import { requestTarget, sendError, sendJson, type RequestTarget } from './http-io.js';
import { parseRequestInfo, type ResourceRequest } from './request-info.js';
import { apiGroup, apiGroupList, apiResourceList, coreVersions } from './discovery.js';
import { hashDoc, openApiV2Doc, openApiV3Doc, openApiV3Index } from './openapi.js';
import { encodeOpenApiV2 } from '../openapi/v2-protobuf.js';
import type { ResourceHandler } from './resource-handler.js';
import { TlsListener } from './tls-listener.js';

export interface Faults {
  latencyMs: number;
  /** fraction 0..1 of requests answered with `errorCode` */
  errorRate: number;
  errorCode: 500 | 429;
  retryAfterSeconds: number;
}

export const NO_FAULTS: Faults = { latencyMs: 0, errorRate: 0, errorCode: 500, retryAfterSeconds: 1 };

export const KUBE_VERSION = {
  major: '1', minor: '31', gitVersion: 'v1.31.0-kfed-sandbox', gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.22.0', compiler: 'gc', platform: 'linux/amd64',
};

export interface ApiServerDeps {
  store: ObjectStore;
  registry: ResourceRegistry;
  authn: Authenticator;
  resources: ResourceHandler;
  tls: KeyPair;
  /** counts requests by verb, for tests that check how many writes a controller made */
  onRequest?: (verb: string, resource: string, user: string) => void;
}

export class ApiServer {
  faults: Faults = { ...NO_FAULTS };
  private readonly listener: TlsListener;
  private readonly openApiCache = new Map<string, { regVersion: number; defs: readonly ResourceDef[]; doc: unknown; hash: string }>();
  private openApiV2Cache: { regVersion: number; json: Buffer; protobuf?: Buffer; etag: string } | undefined;

  constructor(private readonly deps: ApiServerDeps) {
    this.listener = new TlsListener(deps.tls, (req, res) => void this.handle(req, res));
  }

  get url(): string {
    return `https://127.0.0.1:${this.listener.port}`;
  }

  get listening(): boolean {
    return this.listener.listening;
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  /** Stop listening and cut every connection, as a crashed API server would. State is kept. */
  async stop(): Promise<void> {
    await this.listener.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const f = this.faults;
      if (f.latencyMs > 0) await new Promise((r) => setTimeout(r, f.latencyMs));
      if (f.errorRate > 0 && Math.random() < f.errorRate && !(req.url ?? '').startsWith('/healthz')) {
        throw f.errorCode === 429 ? errors.tooManyRequests(f.retryAfterSeconds) : errors.internal('injected fault');
      }
      const url = requestTarget(req.url ?? '/');
      let user = this.deps.authn.authenticate(req.headers.authorization);
      if (user && req.headers['impersonate-user']) user = this.impersonate(user, req);
      if (!user) {
        // health endpoints answer anonymous probes, as with the default system:public-info-viewer
        // role; a credential that fails authentication is 401 there too (it is not anonymous)
        if (!req.headers.authorization && ['/healthz', '/livez', '/readyz', '/version'].includes(url.pathname) && req.method === 'GET') return this.nonResource(req, res, url);
        throw errors.unauthorized();
      }
      const ri = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
      if (ri.kind === 'nonresource') {
        this.authorizeOrThrow(user, { kind: 'nonresource', verb: ri.verb, path: url.pathname });
        return this.nonResource(req, res, url);
      }
      return await this.resource(req, res, ri, url, user);
    } catch (err) {
      if (err instanceof ApiError) return sendError(res, err);
      sendError(res, errors.internal((err as Error).message));
    }
  }

  /** `kubectl --as`: switch identity when the caller may impersonate. */
  private impersonate(user: UserInfo, req: IncomingMessage): UserInfo {
    const name = String(req.headers['impersonate-user']);
    this.authorizeOrThrow(user, { kind: 'resource', verb: 'impersonate', group: '', resource: name.startsWith('system:serviceaccount:') ? 'serviceaccounts' : 'users', name });
    const raw = req.headers['impersonate-group'];
    const groups = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const sa = name.match(/^system:serviceaccount:([^:]+):([^:]+)$/);
    const implied = sa ? ['system:serviceaccounts', `system:serviceaccounts:${sa[1]}`] : [];
    return { username: name, groups: [...new Set([...groups, ...implied, 'system:authenticated'])] };
  }

  private authorizeOrThrow(user: UserInfo, a: Attributes): void {
    const r = authorize(this.deps.store, user, a);
    if (!r.allowed) {
      const d = a.kind === 'resource' ? { ...(a.name ? { name: a.name } : {}), group: a.group, kind: a.resource } : undefined;
      throw new ApiError(403, 'Forbidden', forbiddenMessage(user, a), d);
    }
  }

  /** Throws (synchronously) on a refused request; otherwise the handler's promise. */
  private resource(req: IncomingMessage, res: ServerResponse, ri: ResourceRequest, url: RequestTarget, user: UserInfo): Promise<void> {
    const def = this.deps.registry.lookup(ri.group, ri.version, ri.resource);
    const attrs: Attributes = { kind: 'resource', verb: ri.verb, group: ri.group, resource: ri.resource };
    if (ri.subresource) attrs.subresource = ri.subresource;
    if (ri.name) attrs.name = ri.name;
    if (ri.namespace) attrs.namespace = ri.namespace;
    this.authorizeOrThrow(user, attrs);
    // as kube-apiserver's router answers an unknown path: no details to name
    if (!def) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
    this.deps.onRequest?.(ri.verb, ri.resource, user.username);
    return this.deps.resources.handle(req, res, ri, url, def, user);
  }

  private nonResource(req: IncomingMessage, res: ServerResponse, url: RequestTarget): void {
    const p = url.pathname.replace(/\/+$/, '') || '/';
    const reg = this.deps.registry;
    const parts = p.split('/').filter(Boolean);
    if (p === '/healthz' || p === '/livez' || p === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    if (p === '/version') return sendJson(res, 200, KUBE_VERSION);
    if (p === '/api') return sendJson(res, 200, coreVersions(`127.0.0.1:${this.listener.port}`));
    if (p === '/apis') return sendJson(res, 200, apiGroupList(reg));
    if (parts[0] === 'api' && parts.length === 2) return this.maybe(res, apiResourceList(reg, '', parts[1]!));
    if (parts[0] === 'apis' && parts.length === 2) return this.maybe(res, apiGroup(reg, parts[1]!));
    if (parts[0] === 'apis' && parts.length === 3) return this.maybe(res, apiResourceList(reg, parts[1]!, parts[2]!));
    if (p === '/openapi/v2') return this.openApiV2(req, res);
    if (p === '/openapi/v3') return sendJson(res, 200, openApiV3Index(reg, (g, v) => this.openApi(g, v)?.hash ?? ''));
    if (parts[0] === 'openapi' && parts[1] === 'v3') {
      const group = parts[2] === 'api' ? '' : parts[3] ?? '';
      const version = parts[2] === 'api' ? parts[3] ?? '' : parts[4] ?? '';
      const doc = this.openApi(group, version);
      return this.maybe(res, doc?.doc);
    }
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }

  private openApi(group: string, version: string): { doc: unknown; hash: string } | undefined {
    const key = `${group}/${version}`;
    const reg = this.deps.registry;
    const hit = this.openApiCache.get(key);
    if (hit && hit.regVersion === reg.version) return hit;
    // a group-version's document changes only with its own resources: CRDs elsewhere leave it be
    const defs = reg.all().filter((d) => d.group === group && d.versions.includes(version));
    if (hit && hit.defs.length === defs.length && hit.defs.every((d, i) => d === defs[i])) {
      hit.regVersion = reg.version;
      return hit;
    }
    const doc = openApiV3Doc(reg, group, version);
    if (!doc) return undefined;
    const entry = { regVersion: reg.version, defs, doc, hash: hashDoc(doc) };
    this.openApiCache.set(key, entry);
    return entry;
  }

  /** /openapi/v2 as JSON, or as gnostic protobuf when asked for it (client-go's OpenAPISchema() asks only for that). */
  private openApiV2(req: IncomingMessage, res: ServerResponse): void {
    const reg = this.deps.registry;
    if (this.openApiV2Cache?.regVersion !== reg.version) {
      const json = Buffer.from(JSON.stringify(openApiV2Doc(reg)));
      this.openApiV2Cache = { regVersion: reg.version, json, etag: `"${hashDoc(json.toString('utf8'))}"` };
    }
    const cache = this.openApiV2Cache;
    const accept = req.headers.accept ?? '';
    const protobuf = /application\/com\.github\.proto-openapi\.spec\.v2(\.v1\.0)?(@v1\.0)?\+protobuf/.test(accept);
    let body = cache.json;
    if (protobuf) body = cache.protobuf ??= encodeOpenApiV2(JSON.parse(cache.json.toString('utf8')) as Record<string, unknown>);
    res.writeHead(200, {
      'Content-Type': protobuf ? 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' : 'application/json',
      'Content-Length': body.length, ETag: cache.etag,
    });
    res.end(body);
  }

  private maybe(res: ServerResponse, body: unknown): void {
    if (body === undefined) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    sendJson(res, 200, body);
  }
}
