// Resource requests: get, list, watch, create, update, patch, delete, deletecollection,
// and the status, scale, token and finalize subresources.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../api/meta.js';
import { ResourceVersionGoneError, type ObjectStore } from '../store/object-store.js';
import type { ResourceRegistry } from '../resources/registry.js';
import { parseFieldSelector, parseLabelSelector, matchFilter, SelectorParseError, type ObjectFilter } from '../store/selectors.js';
import { gvString, resourceKey, type ResourceDef } from '../resources/types.js';
import type { PatchType } from '../patch/index.js';
import { ApiError, errors } from './api-error.js';
import { decodeBody, readBody, sendJson, type RequestTarget } from './http-io.js';
import { decodeBody as decodeBuiltinBody } from './decode-builtin.js';
import { deleteReturnsObject, type DeleteOptions, type ObjectService, type WriteOptions } from './object-service.js';
import type { ResourceRequest } from './request-info.js';
import { toTable, wantsTable, type IncludeObject } from './table.js';
import type { WatchHub } from './watch.js';
import { evalJsonPath } from './jsonpath.js';
import { objectJson } from '../store/object-json.js';
import type { UserInfo } from '../auth/rbac.js';

type Obj = Record<string, any>;

export interface ResourceContext {
  store: ObjectStore;
  registry: ResourceRegistry;
  objects: ObjectService;
  watches: WatchHub;
  bookmarkIntervalMs: number;
  /** POST serviceaccounts/<name>/token */
  issueToken(namespace: string, sa: KubeObject, expirationSeconds: number): { token: string; expirationTimestamp: string };
  /** authorization.k8s.io reviews */
  review(kind: string, body: Obj, user: UserInfo): Obj;
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

/** Field labels each kind's strategy makes selectable beyond metadata.name and metadata.namespace. */
const SELECTABLE_FIELDS: Record<string, readonly string[]> = {
  Pod: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  Secret: ['type'],
  Namespace: ['status.phase'],
  Node: ['spec.unschedulable'],
  Service: ['spec.clusterIP', 'spec.type'],
  ReplicaSet: ['status.replicas'],
  Job: ['status.successful'],
  Event: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
};

function filterFrom(q: URLSearchParams, ns: string | undefined, def?: ResourceDef): ObjectFilter {
  let filter: ObjectFilter;
  try {
    filter = { ...(ns ? { namespace: ns } : {}), labels: parseLabelSelector(q.get('labelSelector') ?? undefined), fields: parseFieldSelector(q.get('fieldSelector') ?? undefined) };
  } catch (err) {
    if (err instanceof SelectorParseError) throw errors.badRequest(err.message);
    throw err;
  }
  // custom resources' selectableFields are not modelled: only built-ins are checked
  if (def && !def.crd) {
    for (const f of filter.fields) {
      const label = f.path.join('.');
      if (label !== 'metadata.name' && label !== 'metadata.namespace' && !(SELECTABLE_FIELDS[def.kind] ?? []).includes(label)) {
        throw errors.badRequest(`field label not supported: ${label}`);
      }
    }
  }
  return filter;
}

/** ListOptions validation: resourceVersionMatch needs a resourceVersion. */
function checkListOptions(q: URLSearchParams): void {
  if (q.get('resourceVersionMatch') && !q.get('resourceVersion') && q.get('sendInitialEvents') !== 'true') {
    throw errors.invalid('meta.k8s.io', 'ListOptions', '', [{ field: 'resourceVersionMatch', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided', reason: 'FieldValueForbidden' }]);
  }
}

function writeOptions(q: URLSearchParams, userAgent?: string, user?: UserInfo): WriteOptions & { force?: boolean } {
  const opts: WriteOptions & { force?: boolean } = {};
  if (userAgent) opts.userAgent = userAgent;
  if (user) opts.user = user;
  // most writes carry no query at all
  if (q.size === 0) return opts;
  if (q.getAll('dryRun').includes('All')) opts.dryRun = true;
  const fm = q.get('fieldManager');
  if (fm) opts.fieldManager = fm;
  if (q.get('force') === 'true') opts.force = true;
  const fv = q.get('fieldValidation');
  if (fv === 'Strict' || fv === 'Warn' || fv === 'Ignore') opts.fieldValidation = fv;
  return opts;
}

function getPath(o: Obj, path: string): unknown {
  return evalJsonPath(o, path)[0];
}

function setPath(o: Obj, path: string, v: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur = o;
  for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {});
  cur[parts[parts.length - 1]!] = v;
}

function toScale(def: ResourceDef, o: KubeObject): Obj {
  const scale = def.scale!;
  const sel = scale.labelSelectorPath ? getPath(o as Obj, scale.labelSelectorPath) : undefined;
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
    spec: { replicas: getPath(o as Obj, scale.specReplicasPath) ?? 0 },
    status: { replicas: getPath(o as Obj, scale.statusReplicasPath) ?? 0, ...(typeof sel === 'string' ? { selector: sel } : {}) },
  };
}

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Objects per write of a large list response (about 250 KB of ConfigMaps). */
const LIST_CHUNK_ITEMS = 500;

/** Writes the JSON texts of items[from..] (comma-separated) and the end of the list, pausing while the socket is backed up. */
function streamItems(res: ServerResponse, items: KubeObject[], from: number): void {
  for (let i = from; i < items.length; i += LIST_CHUNK_ITEMS) {
    if (res.destroyed) return;
    const texts = items.slice(i, i + LIST_CHUNK_ITEMS).map(objectJson);
    // one flat string per chunk, with the comma that separates it from the previous one
    if (i > 0) texts.unshift('');
    if (!res.write(texts.join(','))) {
      res.once('drain', () => streamItems(res, items, i + LIST_CHUNK_ITEMS));
      return;
    }
  }
  res.end(']}');
}

/** The position of an object in a list, as continue tokens record it. */
function listKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export class ResourceHandler {
  constructor(private readonly ctx: ResourceContext) {}

  async handle(req: IncomingMessage, res: ServerResponse, ri: ResourceRequest, url: RequestTarget, def: ResourceDef, user: UserInfo): Promise<void> {
    const { objects } = this.ctx;
    const q = url.searchParams;
    const ns = def.namespaced ? ri.namespace : undefined;
    if (def.namespaced && !ri.namespace && ri.verb !== 'list' && ri.verb !== 'watch' && ri.verb !== 'deletecollection') {
      if (ri.verb !== 'create' || !def.createOnly) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    const accept = req.headers.accept;
    const version = ri.version;
    const sub = ri.subresource;
    if (sub && !['status', 'scale', 'token', 'finalize'].includes(sub)) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (sub === 'status' && !def.statusSubresource) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (sub === 'scale' && !def.scale) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');

    switch (ri.verb) {
      case 'get': {
        const obj = objects.output(def, version, objects.get(def, ns, ri.name!));
        if (sub === 'scale') return sendJson(res, 200, toScale(def, obj));
        return this.sendObject(res, 200, def, version, obj, accept, q);
      }
      case 'list':
        return this.list(res, def, version, ns, q, accept);
      case 'watch': {
        const filter = filterFrom(q, ns, def);
        if (ri.name) filter.fields.push({ path: ['metadata', 'name'], op: 'eq', value: ri.name });
        const timeout = Number(q.get('timeoutSeconds') ?? '') || 1800;
        this.ctx.watches.serve(res, {
          def, version, filter, resourceVersion: q.get('resourceVersion') ?? undefined,
          allowBookmarks: q.get('allowWatchBookmarks') === 'true', timeoutSeconds: timeout,
          bookmarkIntervalMs: this.ctx.bookmarkIntervalMs,
          sendInitialEvents: q.get('sendInitialEvents') === 'true',
          ...(wantsTable(accept) ? { table: (q.get('includeObject') as IncludeObject | null) ?? 'Metadata' } : {}),
        });
        return;
      }
      case 'create': {
        // only subresources (token) take POST on a name; kube-apiserver's router answers 405 otherwise
        if (ri.name && !sub) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
        const body = decodeBody(await readBody(req), req.headers['content-type']) as Obj;
        if (def.createOnly) return sendJson(res, 201, this.ctx.review(def.kind, body ?? {}, user));
        if (sub === 'token' && def.plural === 'serviceaccounts') {
          const sa = objects.get(def, ns, ri.name!);
          const exp = Number(body?.spec?.expirationSeconds ?? 3600);
          const issued = this.ctx.issueToken(ns!, sa, exp);
          return sendJson(res, 201, { kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: { name: ri.name, namespace: ns, creationTimestamp: null }, spec: { audiences: body?.spec?.audiences ?? [], expirationSeconds: exp }, status: issued });
        }
        const opts = writeOptions(q, req.headers['user-agent'], user);
        opts.bodyOwned = true;
        const decoded = isObject(body) ? decodeBuiltinBody(def, version, body, opts.fieldValidation) : [];
        const { obj, warnings } = objects.create(def, version, ns, body, opts);
        return this.sendObject(res, 201, def, version, obj, accept, q, [...decoded, ...warnings]);
      }
      case 'update': {
        const body = decodeBody(await readBody(req), req.headers['content-type']) as Obj;
        if (sub === 'scale') return this.updateScale(res, def, version, ns, ri.name!, (s) => ({ ...s, spec: body?.spec ?? {} }), q);
        if (sub === 'finalize') {
          const cur = objects.get(def, ns, ri.name!) as Obj;
          const next = { ...structuredClone(cur), spec: { ...(cur.spec ?? {}), finalizers: body?.spec?.finalizers ?? [] }, metadata: { ...cur.metadata, resourceVersion: body?.metadata?.resourceVersion ?? cur.metadata.resourceVersion } };
          const { obj } = objects.update(def, version, ns, ri.name!, next, writeOptions(q, req.headers['user-agent']));
          return sendJson(res, 200, obj);
        }
        const opts = writeOptions(q, req.headers['user-agent'], user);
        if (sub === 'status') opts.subresource = 'status';
        opts.bodyOwned = true;
        const decoded = isObject(body) ? decodeBuiltinBody(def, version, body, opts.fieldValidation) : [];
        const { obj, warnings } = objects.update(def, version, ns, ri.name!, body, opts);
        return this.sendObject(res, 200, def, version, obj, accept, q, [...decoded, ...warnings]);
      }
      case 'patch': {
        const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
        const type = PATCH_TYPES[ct];
        if (!type) throw errors.unsupportedMediaType(ct);
        const body = decodeBody(await readBody(req), ct);
        if (sub === 'scale') {
          const replicas = (body as Obj)?.spec?.replicas;
          if (type !== 'merge' && type !== 'strategic' && type !== 'json') throw errors.unsupportedMediaType(ct);
          if (type === 'json') throw errors.unsupportedMediaType(ct);
          return this.updateScale(res, def, version, ns, ri.name!, (s) => ({ ...s, spec: { ...s.spec, ...(replicas !== undefined ? { replicas } : {}) } }), q);
        }
        if (def.crd && type === 'strategic') throw errors.unsupportedMediaType(ct);
        const opts = { ...writeOptions(q, req.headers['user-agent'], user), ...(sub === 'status' ? { subresource: 'status' } : {}) };
        const existed = this.ctx.store.get(resourceKey(def.group, def.plural), ns, ri.name!) !== undefined;
        const { obj, warnings } = objects.patch(def, version, ns, ri.name!, type, body, opts);
        return this.sendObject(res, existed ? 200 : 201, def, version, obj, accept, q, warnings);
      }
      case 'delete': {
        const body = decodeBody(await readBody(req), req.headers['content-type']) as Obj | undefined;
        const obj = objects.delete(def, ns, ri.name!, this.deleteOptions(body, q));
        // gone at once: a Status naming it, as the generic registry's finalizeDelete answers
        if (!obj.metadata.deletionTimestamp && !deleteReturnsObject(def)) {
          return sendJson(res, 200, {
            kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
            details: { name: obj.metadata.name, ...(def.group ? { group: def.group } : {}), kind: def.plural, uid: obj.metadata.uid },
          });
        }
        return this.sendObject(res, 200, def, version, objects.output(def, version, obj), accept, q);
      }
      case 'deletecollection': {
        const body = decodeBody(await readBody(req), req.headers['content-type']) as Obj | undefined;
        const filter = filterFrom(q, ns, def);
        const items = this.ctx.store.list(resourceKey(def.group, def.plural), ns).filter((o) => matchFilter(filter, o));
        const opts = this.deleteOptions(body, q);
        const out = items.map((o) => objects.output(def, version, objects.delete(def, o.metadata.namespace, o.metadata.name!, opts)));
        return sendJson(res, 200, { kind: def.listKind, apiVersion: gvString(def.group, version), metadata: { resourceVersion: String(this.ctx.store.currentRv) }, items: out });
      }
    }
  }

  private deleteOptions(body: Obj | undefined, q: URLSearchParams): DeleteOptions {
    const pp = body?.propagationPolicy ?? q.get('propagationPolicy') ?? undefined;
    if (pp !== undefined && !['Orphan', 'Background', 'Foreground'].includes(pp)) throw errors.badRequest(`invalid propagationPolicy "${pp}"`);
    return {
      ...(pp ? { propagationPolicy: pp } : {}),
      ...(body?.preconditions ? { preconditions: body.preconditions } : {}),
      ...((body?.dryRun ?? q.getAll('dryRun')).includes?.('All') ? { dryRun: true } : {}),
    };
  }

  private updateScale(res: ServerResponse, def: ResourceDef, version: string, ns: string | undefined, name: string, change: (s: Obj) => Obj, q: URLSearchParams): void {
    const { objects } = this.ctx;
    const cur = objects.output(def, version, objects.get(def, ns, name));
    const scale = change(toScale(def, cur));
    const next = structuredClone(cur) as Obj;
    setPath(next, def.scale!.specReplicasPath, scale.spec.replicas);
    const { obj } = objects.update(def, version, ns, name, next, { ...writeOptions(q), fieldManager: q.get('fieldManager') ?? 'kubectl-scale' });
    sendJson(res, 200, toScale(def, obj));
  }

  /** The collection as it was at `rv`: the current objects with the later events undone; 410 once they are compacted. */
  private snapshot(key: string, ns: string | undefined, rv: number): KubeObject[] {
    let events;
    try {
      events = this.ctx.store.eventsSince(rv);
    } catch (err) {
      if (!(err instanceof ResourceVersionGoneError)) throw err;
      throw new ApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.', {});
    }
    const byKey = new Map<string, KubeObject>();
    for (const o of this.ctx.store.list(key, ns)) byKey.set(listKey(o), o);
    for (let i = events.length - 1; i >= 0; i--) {
      const ev = events[i]!;
      if (ev.resource !== key || (ns !== undefined && ev.obj.metadata.namespace !== ns)) continue;
      const k = listKey(ev.obj);
      if (ev.type === 'ADDED') byKey.delete(k);
      else if (ev.type === 'MODIFIED' || ev.type === 'DELETED') byKey.set(k, ev.prev ?? ev.obj);
    }
    return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);
  }

  private list(res: ServerResponse, def: ResourceDef, version: string, ns: string | undefined, q: URLSearchParams, accept: string | undefined): void {
    checkListOptions(q);
    const filter = filterFrom(q, ns, def);
    const key = resourceKey(def.group, def.plural);
    let start = '';
    let snapshotRv: number | undefined;
    const cont = q.get('continue');
    if (cont) {
      try {
        const token = JSON.parse(Buffer.from(cont, 'base64url').toString('utf8')) as { start: string; rv?: number };
        start = token.start;
        if (typeof token.rv === 'number') snapshotRv = token.rv;
      } catch {
        throw errors.badRequest('continue key is not valid: illegal base64 data');
      }
      if (q.get('resourceVersion')) throw errors.badRequest('specifying resource version is not allowed when using continue');
    }
    const limit = Number(q.get('limit') ?? '0') || 0;
    // later pages are served from the first page's snapshot, as etcd serves them at its revision
    const all = snapshotRv !== undefined && snapshotRv < this.ctx.store.currentRv ? this.snapshot(key, ns, snapshotRv) : this.ctx.store.list(key, ns);
    const items: KubeObject[] = [];
    let next: string | undefined;
    let remaining = 0;
    for (const o of all) {
      // the continue key is built only when paging: a 100,000-object list would build 100,000 strings
      if (start && listKey(o) <= start) continue;
      if (!matchFilter(filter, o)) continue;
      if (limit > 0 && items.length >= limit) {
        remaining++;
        continue;
      }
      items.push(this.ctx.objects.output(def, version, o));
      if (limit > 0 && items.length === limit) next = listKey(o);
    }
    if (remaining === 0) next = undefined;
    const listRv = snapshotRv ?? this.ctx.store.currentRv;
    const meta: Obj = { resourceVersion: String(listRv) };
    if (next) {
      meta.continue = Buffer.from(JSON.stringify({ rv: listRv, start: next })).toString('base64url');
      meta.remainingItemCount = remaining;
    }
    if (wantsTable(accept)) return sendJson(res, 200, toTable(def, version, items, meta, (q.get('includeObject') as IncludeObject | null) ?? 'Metadata'));
    // assembled from each object's cached JSON text rather than stringifying the whole list again
    const head = `${JSON.stringify({ kind: def.listKind, apiVersion: gvString(def.group, version), metadata: meta }).slice(0, -1)},"items":[`;
    if (items.length <= LIST_CHUNK_ITEMS) {
      const body = `${head}${items.map(objectJson).join(',')}]}`;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    // A large list goes out in chunks (chunked transfer encoding, as kube-apiserver streams its large
    // lists), each written once the previous one has left: the client receives and the kernel copies
    // while the next chunk is encoded, no string of the whole body is built, and other requests are
    // served between chunks. The items are a snapshot of immutable stored objects.
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write(head);
    streamItems(res, items, 0);
  }

  private sendObject(res: ServerResponse, code: number, def: ResourceDef, version: string, obj: KubeObject, accept: string | undefined, q: URLSearchParams, warnings: string[] = []): void {
    const headers: Record<string, string | string[]> = {};
    // one header per warning, as kube-apiserver sends them
    if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - "${w.replace(/"/g, '\\"')}"`);
    if (wantsTable(accept)) return sendJson(res, code, toTable(def, version, [obj], { resourceVersion: obj.metadata.resourceVersion }, (q.get('includeObject') as IncludeObject | null) ?? 'Metadata'), headers);
    const body = objectJson(obj);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }
}
