// Generic CRUD for any resource over the raw REST transport. Objects stay plain JSON
// (no typed-model round trip that could drop unknown fields or turn timestamps into
// Dates), which is what a federation controller copying arbitrary kinds needs.
import type { KubeObject, StatusObject } from '../api/meta.js';
import { isNotFound } from './errors.js';
import { apiVersionOf, resourcePath, type ResourceRef } from './resource.js';
import type { QueryValue, RestClient } from './rest-client.js';
import { formatFieldSelector, formatLabelSelector, type FieldSelectorInput, type LabelSelectorInput } from './selectors.js';

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface RequestOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
}

export interface WriteOptions extends RequestOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

export interface ListOptions extends RequestOptions {
  namespace?: string;
  labelSelector?: LabelSelectorInput;
  fieldSelector?: FieldSelectorInput;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface ListResult<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export interface PatchOptions extends WriteOptions {
  namespace?: string;
  type: PatchType;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
  subresource?: 'status' | 'scale';
}

export interface DeleteOptions extends RequestOptions {
  namespace?: string;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
  /** Resolve undefined instead of throwing when the object is already gone. */
  ignoreNotFound?: boolean;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: LabelSelectorInput;
  fieldSelector?: FieldSelectorInput;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** Server-side watch duration; the server closes the stream after it. */
  timeoutSeconds?: number;
  signal?: AbortSignal | undefined;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  /** The object, or a Status for ERROR events. */
  object: T | StatusObject;
}

function nameOf(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error(`${obj.kind ?? 'object'}: metadata.name is required`);
  return name;
}

export class DynamicClient {
  constructor(readonly rest: RestClient) {}

  async get<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, opts: RequestOptions & { namespace?: string } = {}): Promise<T> {
    return this.rest.request<T>({ method: 'GET', path: resourcePath(ref, opts.namespace, name), ...transport(opts) });
  }

  /** get that resolves undefined for NotFound. */
  async getIfExists<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    name: string,
    opts: RequestOptions & { namespace?: string } = {},
  ): Promise<T | undefined> {
    try {
      return await this.get<T>(ref, name, opts);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** One page. Items get apiVersion and kind filled in (the API omits them in lists). */
  async list<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: ListOptions = {}): Promise<ListResult<T>> {
    const query: Record<string, QueryValue> = {
      labelSelector: formatLabelSelector(opts.labelSelector),
      fieldSelector: formatFieldSelector(opts.fieldSelector),
      limit: opts.limit,
      continue: opts.continue,
      resourceVersion: opts.resourceVersion,
      resourceVersionMatch: opts.resourceVersionMatch,
    };
    const list = await this.rest.request<ListResult<T>>({ method: 'GET', path: resourcePath(ref, opts.namespace), query, ...transport(opts) });
    const apiVersion = apiVersionOf(ref);
    const kind = ref.kind ?? (list.kind?.endsWith('List') ? list.kind.slice(0, -4) : undefined);
    list.items ??= [];
    for (const item of list.items) {
      item.apiVersion ??= apiVersion;
      if (kind) item.kind ??= kind;
    }
    list.metadata ??= { resourceVersion: '' };
    return list;
  }

  /** Every page, following `continue` tokens. */
  async listAll<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: Omit<ListOptions, 'continue'> = {}): Promise<ListResult<T>> {
    const pageSize = opts.limit ?? 500;
    let page = await this.list<T>(ref, { ...opts, limit: pageSize });
    const items = [...page.items];
    while (page.metadata.continue) {
      // Continuation pages must not repeat resourceVersion; the token pins the snapshot.
      const { resourceVersion: _rv, resourceVersionMatch: _m, ...rest } = opts;
      page = await this.list<T>(ref, { ...rest, limit: pageSize, continue: page.metadata.continue });
      items.push(...page.items);
    }
    return { ...page, items, metadata: { resourceVersion: page.metadata.resourceVersion } };
  }

  async create<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.rest.request<T>({
      method: 'POST',
      path: resourcePath(ref, obj.metadata.namespace),
      query: writeQuery(opts),
      body: obj,
      ...transport(opts),
    });
  }

  /** PUT; `metadata.resourceVersion` makes it a compare-and-swap (409 Conflict on mismatch). */
  async update<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.rest.request<T>({
      method: 'PUT',
      path: resourcePath(ref, obj.metadata.namespace, nameOf(obj)),
      query: writeQuery(opts),
      body: obj,
      ...transport(opts),
    });
  }

  async updateStatus<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.rest.request<T>({
      method: 'PUT',
      path: resourcePath(ref, obj.metadata.namespace, nameOf(obj), 'status'),
      query: writeQuery(opts),
      body: obj,
      ...transport(opts),
    });
  }

  async patch<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, patch: unknown, opts: PatchOptions): Promise<T> {
    if (opts.type === 'apply' && !opts.fieldManager) throw new Error(`apply ${ref.resource}/${name}: fieldManager is required for server-side apply`);
    const query: Record<string, QueryValue> = { ...writeQuery(opts) };
    if (opts.force !== undefined) {
      if (opts.type !== 'apply') throw new Error(`patch ${ref.resource}/${name}: force is only valid for server-side apply`);
      query.force = opts.force;
    }
    return this.rest.request<T>({
      method: 'PATCH',
      path: resourcePath(ref, opts.namespace, name, opts.subresource),
      query,
      body: patch,
      contentType: PATCH_CONTENT_TYPES[opts.type],
      ...transport(opts),
    });
  }

  /** Server-side apply of a whole object (apiVersion, kind and metadata.name set). */
  async apply<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    obj: T,
    opts: WriteOptions & { fieldManager: string; force?: boolean; subresource?: 'status' },
  ): Promise<T> {
    return this.patch<T>(ref, nameOf(obj), obj, {
      ...opts,
      type: 'apply',
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    });
  }

  /** Resolves the deleted object (or the Status the server returned), or undefined when ignoreNotFound hit. */
  async delete(ref: ResourceRef, name: string, opts: DeleteOptions = {}): Promise<KubeObject | StatusObject | undefined> {
    const body: Record<string, unknown> = { apiVersion: 'v1', kind: 'DeleteOptions' };
    if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
    if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.preconditions) body.preconditions = opts.preconditions;
    if (opts.dryRun) body.dryRun = ['All'];
    try {
      return await this.rest.request<KubeObject | StatusObject>({
        method: 'DELETE',
        path: resourcePath(ref, opts.namespace, name),
        body,
        ...transport(opts),
      });
    } catch (err) {
      if (opts.ignoreNotFound && isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** One watch stream; resolves when the server ends it or `signal` aborts. */
  watch<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: WatchOptions, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
    const query: Record<string, QueryValue> = {
      watch: true,
      labelSelector: formatLabelSelector(opts.labelSelector),
      fieldSelector: formatFieldSelector(opts.fieldSelector),
      resourceVersion: opts.resourceVersion,
      allowWatchBookmarks: opts.allowWatchBookmarks,
      timeoutSeconds: opts.timeoutSeconds,
    };
    const apiVersion = apiVersionOf(ref);
    return this.rest.stream(
      { method: 'GET', path: resourcePath(ref, opts.namespace), query, signal: opts.signal },
      (raw) => {
        const event = raw as WatchEvent<T>;
        if (event.type !== 'ERROR' && event.type !== 'BOOKMARK' && event.object && typeof event.object === 'object') {
          const obj = event.object as T;
          obj.apiVersion ??= apiVersion;
          if (ref.kind) obj.kind ??= ref.kind;
        }
        onEvent(event);
      },
    );
  }
}

function writeQuery(opts: WriteOptions): Record<string, QueryValue> {
  return { dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager };
}

function transport(opts: RequestOptions): { signal?: AbortSignal | undefined; timeoutMs?: number } {
  return { signal: opts.signal, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) };
}
