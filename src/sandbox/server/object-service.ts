// Object lifecycle semantics of one cluster: create, update, patch, delete with
// preconditions, generation, status separation, finalizers, dry-run and managed fields.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../api/meta.js';
import type { ObjectStore } from '../store/object-store.js';
import type { ResourceRegistry } from '../resources/registry.js';
import { gvString, resourceKey, type ResourceDef } from '../resources/types.js';
import { validateName } from '../resources/names.js';
import { applySchema, type FieldProblem, type Schema } from '../resources/crd-schema.js';
import { annotationProblems, defaultBuiltin, validateBuiltin, type Allocators } from '../resources/builtin-rules.js';
import { crdEstablishedStatus, defaultCrd } from '../resources/crd.js';
import { ApiError, errors } from './api-error.js';
import { checkApplyConfiguration, decodePatched } from './decode-builtin.js';
import { checkEscalation, EscalationError } from '../auth/escalation.js';
import type { UserInfo } from '../auth/rbac.js';
import { deepEqual } from '../patch/json-value.js';
import { applyPatch, fieldMetaFromOpenApi, managerFromUserAgent, PatchError, patchErrorToStatus, trackUpdate, type FieldMeta, type PatchType } from '../patch/index.js';

type Obj = Record<string, any>;

export interface WriteOptions {
  dryRun?: boolean;
  /** managedFields were already computed (server-side apply) */
  managedFieldsDone?: boolean;
  fieldManager?: string;
  subresource?: string;
  /** fieldValidation=Strict|Warn|Ignore; unknown fields of custom resources are rejected under Strict */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** names the manager of a write without fieldManager, as kube-apiserver does */
  userAgent?: string;
  /** the body is the caller's to give away (freshly decoded from a request), so it is not copied first */
  bodyOwned?: boolean;
  /** who writes: RBAC objects are checked for escalation (internal writes have no user) */
  user?: UserInfo;
}

const fieldMetaCache = new WeakMap<object, FieldMeta>();

/** Merge metadata of a custom resource version, derived once from its schema. */
function crdFieldMeta(def: ResourceDef, version: string): FieldMeta | undefined {
  const schema = def.crd?.schemas[version];
  if (!schema || typeof schema !== 'object') return undefined;
  let meta = fieldMetaCache.get(schema);
  if (!meta) {
    meta = fieldMetaFromOpenApi(schema);
    fieldMetaCache.set(schema, meta);
  }
  return meta;
}

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface WriteResult {
  obj: KubeObject;
  warnings: string[];
}

const RANDOM_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += RANDOM_CHARS[Math.floor(Math.random() * RANDOM_CHARS.length)];
  return s;
}

/** Objects are plain JSON; a JSON round trip copies them faster than structuredClone. */
function clone<T>(o: T): T {
  return o === undefined ? o : (JSON.parse(JSON.stringify(o)) as T);
}

let nowCache = { second: -1, text: '' };

/** RFC 3339 at second precision, as Kubernetes timestamps are; formatted once per second. */
function nowSeconds(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== nowCache.second) nowCache = { second, text: new Date(second * 1000).toISOString().replace('.000Z', 'Z') };
  return nowCache.text;
}

/** Metadata the server owns: an update keeps the stored values whatever the body says (and drops resourceVersion). */
const SERVER_METADATA = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'namespace', 'name'] as const;

function isServerMetadata(k: string): k is (typeof SERVER_METADATA)[number] {
  return (SERVER_METADATA as readonly string[]).includes(k);
}

/**
 * The written metadata with the stored server-owned fields, keys in the written order followed by
 * the server fields it lacked. Built rather than edited with `delete`, which would leave V8 a slow
 * dictionary object for every later step of the write.
 */
function serverMetadata(written: Obj, stored: KubeObject['metadata']): Obj {
  const out: Obj = {};
  for (const k of Object.keys(written)) {
    if (k === 'resourceVersion') continue;
    const v = isServerMetadata(k) ? stored[k] : written[k];
    if (v === undefined && isServerMetadata(k)) continue;
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  for (const k of SERVER_METADATA) if (stored[k] !== undefined && !Object.prototype.hasOwnProperty.call(out, k)) out[k] = stored[k];
  return out;
}

/** Whether `a` and `b` are equal in every top-level field but those named in `skip`. */
function equalExcept(a: Obj, b: Obj, skip: ReadonlySet<string>): boolean {
  let n = 0;
  for (const k of Object.keys(a)) {
    if (skip.has(k) || a[k] === undefined) continue;
    n++;
    if (!Object.prototype.hasOwnProperty.call(b, k) || !deepEqual(a[k], b[k])) return false;
  }
  for (const k of Object.keys(b)) if (!skip.has(k) && b[k] !== undefined) n--;
  return n === 0;
}

/**
 * The built-in kinds whose objects carry `metadata.generation`, as a real API server's strategies
 * set it (custom resources always do). Others never get one: kfed's propagation records
 * `rv:` versions for them, as against a real member.
 */
const GENERATION_KINDS = new Set(['Deployment', 'ReplicaSet', 'Job', 'Ingress', 'PodDisruptionBudget', 'EndpointSlice', 'CustomResourceDefinition', 'Pod']);

export function hasGeneration(def: ResourceDef): boolean {
  return def.crd !== undefined || GENERATION_KINDS.has(def.kind);
}

/**
 * Kinds whose DELETE answers with the object even when it is gone at once (their registries set
 * ReturnDeletedObject); every other kind answers a Status.
 */
const RETURNS_DELETED_OBJECT = new Set(['Namespace', 'Pod', 'Service', 'ServiceAccount', 'PodTemplate', 'PersistentVolume', 'PersistentVolumeClaim', 'ResourceQuota']);

const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export function deleteReturnsObject(def: ResourceDef): boolean {
  return def.crd === undefined && RETURNS_DELETED_OBJECT.has(def.kind);
}

/** Everything but metadata and status is the spec: a change there bumps `generation`. */
const NOT_SPEC = new Set(['metadata', 'status', 'apiVersion', 'kind']);
const METADATA_ONLY = new Set(['metadata']);
/** The fields every write changes, left out of "did anything change" checks. */
const WRITE_STAMPS = new Set(['resourceVersion', 'managedFields']);

function sameSpec(a: KubeObject, b: KubeObject): boolean {
  return equalExcept(a as Obj, b as Obj, NOT_SPEC);
}

/** Managed-field entries equal but for their timestamps. */
function sameOwnership(a: unknown, b: unknown): boolean {
  const strip = (list: unknown): unknown => (Array.isArray(list) ? list.map((e: Obj) => ({ ...e, time: undefined })) : list);
  return deepEqual(strip(a), strip(b));
}

/**
 * Equal but for resourceVersion and managed-field timestamps: a write that only changes ownership (a
 * second manager applying the same value) is stored, as kube-apiserver stores it.
 */
function sameContent(a: KubeObject, b: KubeObject): boolean {
  return equalExcept(a as Obj, b as Obj, METADATA_ONLY) && equalExcept(a.metadata, b.metadata, WRITE_STAMPS)
    && sameOwnership(a.metadata.managedFields, b.metadata.managedFields);
}

export class ObjectService {
  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly alloc: Allocators,
    private readonly now: () => string = nowSeconds,
  ) {}

  key(def: ResourceDef): string {
    return resourceKey(def.group, def.plural);
  }

  /** The stored object as seen through `version`. */
  output(def: ResourceDef, version: string, obj: KubeObject): KubeObject {
    const apiVersion = gvString(def.group, version);
    return obj.apiVersion === apiVersion && obj.kind === def.kind ? obj : { ...obj, apiVersion, kind: def.kind };
  }

  get(def: ResourceDef, ns: string | undefined, name: string): KubeObject {
    const obj = this.store.get(this.key(def), def.namespaced ? ns : undefined, name);
    if (!obj) throw errors.notFound(def.group, def.plural, name);
    return obj;
  }

  create(def: ResourceDef, version: string, ns: string | undefined, body: unknown, opts: WriteOptions = {}): WriteResult {
    const obj = this.checkBody(def, version, body, opts.bodyOwned === true);
    const md = obj.metadata;
    if (!md.name && md.generateName) md.name = `${md.generateName}${randomSuffix()}`;
    if (!md.name) throw errors.invalid(def.group, def.kind, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required', reason: 'FieldValueRequired' }]);
    if (def.namespaced) {
      if (md.namespace && ns && md.namespace !== ns) throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      const namespace = ns ?? md.namespace;
      if (!namespace) throw errors.badRequest('the server could not find the requested resource: a namespace is required');
      md.namespace = namespace;
      const nsObj = this.store.get('namespaces', undefined, md.namespace);
      if (!nsObj) throw errors.notFound('', 'namespaces', md.namespace);
      if (nsObj.metadata.deletionTimestamp) {
        throw new ApiError(403, 'Forbidden', `${def.plural} "${md.name}" is forbidden: unable to create new content in namespace ${md.namespace} because it is being terminated`, {
          name: md.name, kind: def.plural,
          causes: [{ reason: 'NamespaceTerminating', message: `namespace ${md.namespace} is being terminated`, field: 'metadata.namespace' }],
        });
      }
    } else {
      delete md.namespace;
    }
    const nameProblem = validateName(md.name, def.nameRule);
    if (nameProblem) throw errors.invalid(def.group, def.kind, md.name, [{ field: 'metadata.name', message: `Invalid value: "${md.name}": ${nameProblem}` }]);
    if (this.store.get(this.key(def), md.namespace, md.name)) throw errors.alreadyExists(def.group, def.plural, md.name);

    md.uid = randomUUID();
    md.creationTimestamp = this.now();
    if (hasGeneration(def)) md.generation = 1;
    else delete md.generation;
    delete md.deletionTimestamp;
    delete md.deletionGracePeriodSeconds;
    delete md.resourceVersion;
    if (def.statusSubresource && def.crd) delete (obj as Obj).status;
    const warnings = this.admit(def, version, obj, undefined, opts);
    const tracked = opts.managedFieldsDone ? obj : trackUpdate({ oldObj: undefined, newObj: obj, manager: this.manager(opts), apiVersion: gvString(def.group, version), now: this.now(), ...this.trackingArgs(def, version) });
    if (opts.dryRun) return { obj: this.output(def, version, tracked), warnings };
    const stored = this.store.create(this.key(def), this.toStorage(def, tracked));
    return { obj: this.output(def, version, stored), warnings };
  }

  update(def: ResourceDef, version: string, ns: string | undefined, name: string, body: unknown, opts: WriteOptions = {}): WriteResult {
    const incoming = this.checkBody(def, version, body, opts.bodyOwned === true);
    const old = this.get(def, ns, name);
    if (incoming.metadata.name && incoming.metadata.name !== name) throw errors.badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
    const rv = incoming.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) {
      throw errors.conflict(def.group, def.plural, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    if ((rv === undefined || rv === '') && def.crd) {
      throw errors.invalid(def.group, def.kind, name, [{ field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' }]);
    }
    // checkBody made `incoming` ours
    return this.write(def, version, old, incoming, opts, true);
  }

  patch(def: ResourceDef, version: string, ns: string | undefined, name: string, type: PatchType, patch: unknown, opts: WriteOptions & { force?: boolean } = {}): WriteResult {
    const key = this.key(def);
    const old = this.store.get(key, def.namespaced ? ns : undefined, name);
    if (!old && type !== 'apply') throw errors.notFound(def.group, def.plural, name);
    if (type === 'apply' && patch && typeof patch === 'object') checkApplyConfiguration(def, version, patch as Obj, name);
    let patched: KubeObject;
    try {
      patched = applyPatch({
        type,
        live: old ? this.output(def, version, old) : undefined,
        patch,
        gvk: { group: def.group, version, kind: def.kind },
        isCustomResource: def.crd !== undefined,
        ...(opts.fieldManager !== undefined ? { fieldManager: opts.fieldManager } : {}),
        ...(opts.force !== undefined ? { force: opts.force } : {}),
        ...(opts.subresource !== undefined ? { subresource: opts.subresource } : {}),
        ...(opts.userAgent !== undefined ? { userAgent: opts.userAgent } : {}),
        ...this.trackingArgs(def, version),
        resource: def.group ? `${def.plural}.${def.group}` : def.plural,
      });
    } catch (err) {
      if (err instanceof PatchError) {
        const st = patchErrorToStatus(err);
        throw new ApiError(st.code, st.reason as ApiError['reason'], st.message, st.details);
      }
      throw err;
    }
    const decoded = type === 'apply' ? [] : decodePatched(def, version, patched as Obj, patch, type === 'strategic', opts.fieldValidation);
    if (!old) {
      // server-side apply of a missing object creates it
      return this.create(def, version, ns, patched, { ...opts, fieldManager: opts.fieldManager ?? 'unknown', managedFieldsDone: true, bodyOwned: false });
    }
    const rv = patched.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) {
      throw errors.conflict(def.group, def.plural, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    const result = this.write(def, version, old, patched, { ...opts, managedFieldsDone: true });
    return decoded.length > 0 ? { obj: result.obj, warnings: [...decoded, ...result.warnings] } : result;
  }

  delete(def: ResourceDef, ns: string | undefined, name: string, opts: DeleteOptions = {}): KubeObject {
    const old = this.get(def, ns, name);
    // the NamespaceLifecycle admission plugin's immortal namespaces
    if (def.group === '' && def.plural === 'namespaces' && IMMORTAL_NAMESPACES.has(name)) {
      throw new ApiError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
    }
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) throw errors.conflict(def.group, def.plural, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) throw errors.conflict(def.group, def.plural, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    const finalizers = [...(old.metadata.finalizers ?? [])];
    if (opts.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (opts.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    const isNamespace = def.group === '' && def.plural === 'namespaces';
    if (finalizers.length > 0 || isNamespace) {
      if (old.metadata.deletionTimestamp && JSON.stringify(finalizers) === JSON.stringify(old.metadata.finalizers ?? [])) return old;
      const next = clone(old) as Obj;
      next.metadata.deletionTimestamp ??= this.now();
      next.metadata.deletionGracePeriodSeconds ??= 0;
      next.metadata.finalizers = finalizers;
      if (finalizers.length === 0) delete next.metadata.finalizers;
      if (isNamespace) next.status = { ...(next.status ?? {}), phase: 'Terminating' };
      // graceful deletion moves the generation of objects that have one
      if (old.metadata.generation) next.metadata.generation = old.metadata.generation + 1;
      if (opts.dryRun) return next as KubeObject;
      return this.store.update(this.key(def), next as KubeObject);
    }
    if (opts.dryRun) return old;
    return this.store.remove(this.key(def), old.metadata.namespace, name) ?? old;
  }

  /**
   * Shared tail of update and patch: status separation, generation, admission, finalizers.
   * `incomingOwned`: nothing else holds `incoming` or its parts, so it is changed in place.
   */
  private write(def: ResourceDef, version: string, old: KubeObject, incoming: KubeObject, opts: WriteOptions, incomingOwned = false): WriteResult {
    let next: Obj;
    const inc = incoming as Obj;
    if (opts.subresource === 'status') {
      next = clone(old) as Obj;
      next.status = clone(inc.status);
      if (next.status === undefined) delete next.status;
      // managed fields travel with the write that produced them
      if (inc.metadata.managedFields) next.metadata.managedFields = inc.metadata.managedFields;
    } else {
      next = incomingOwned ? inc : clone(inc);
      next.metadata = serverMetadata(next.metadata, old.metadata);
      if (def.statusSubresource) {
        if ((old as Obj).status === undefined) delete next.status;
        else next.status = (old as Obj).status;
      }
      // a deleting object cannot gain new finalizers
      if (old.metadata.deletionTimestamp) {
        const had = new Set(old.metadata.finalizers ?? []);
        const added = (next.metadata.finalizers ?? []).filter((f: string) => !had.has(f));
        if (added.length > 0) {
          throw errors.invalid(def.group, def.kind, old.metadata.name!, [{ field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` }]);
        }
      }
    }
    if (next.metadata.resourceVersion !== undefined) delete next.metadata.resourceVersion;
    const warnings = this.admit(def, version, next as KubeObject, old, opts);
    if (opts.subresource !== 'status' && hasGeneration(def) && !sameSpec(next as KubeObject, old)) {
      next.metadata.generation = (old.metadata.generation ?? 1) + 1;
    }
    let result = next as KubeObject;
    if (!opts.managedFieldsDone) {
      result = trackUpdate({
        oldObj: this.output(def, version, old), newObj: result, manager: this.manager(opts),
        apiVersion: gvString(def.group, version), now: this.now(), ...(opts.subresource ? { subresource: opts.subresource } : {}),
        ...this.trackingArgs(def, version),
      });
    }
    // an unchanged object is not written again and keeps its resourceVersion
    if (sameContent(result, this.output(def, version, old))) return { obj: this.output(def, version, old), warnings };
    if (opts.dryRun) return { obj: this.output(def, version, { ...result, metadata: { ...result.metadata, resourceVersion: old.metadata.resourceVersion! } }), warnings };
    if (result.metadata.deletionTimestamp && (result.metadata.finalizers ?? []).length === 0) {
      const gone = this.store.remove(this.key(def), old.metadata.namespace, old.metadata.name!);
      return { obj: this.output(def, version, gone ?? result), warnings };
    }
    return { obj: this.output(def, version, this.store.update(this.key(def), this.toStorage(def, result))), warnings };
  }

  /** Defaulting, schema pruning and validation; throws 422 on problems. */
  private admit(def: ResourceDef, version: string, obj: KubeObject, old: KubeObject | undefined, opts: WriteOptions): string[] {
    if (opts.user && def.group === 'rbac.authorization.k8s.io') {
      try {
        checkEscalation(this.store, opts.user, def.kind, obj);
      } catch (err) {
        if (err instanceof EscalationError) throw new ApiError(err.code, err.code === 404 ? 'NotFound' : 'Forbidden', err.message, err.details);
        throw err;
      }
    }
    const warnings: string[] = [];
    let problems: FieldProblem[];
    const name = obj.metadata.name ?? '';
    if (def.crd) {
      const schema = def.crd.schemas[version] as Schema | undefined;
      const res = applySchema(schema, obj as Obj);
      const pruned = res.value as Obj;
      if (res.unknown.length > 0) {
        if (opts.fieldValidation === 'Strict') {
          throw new ApiError(400, 'BadRequest', `strict decoding error: ${res.unknown.map((u) => `unknown field "${u}"`).join(', ')}`);
        }
        if (opts.fieldValidation !== 'Ignore') warnings.push(...res.unknown.map((u) => `unknown field "${u}"`));
      }
      for (const k of Object.keys(obj)) if (!(k in pruned)) delete (obj as Obj)[k];
      Object.assign(obj, pruned);
      problems = res.problems;
    } else {
      if (def.kind === 'CustomResourceDefinition') defaultCrd(obj);
      defaultBuiltin(def.kind, obj, this.alloc, old);
      problems = validateBuiltin(def.kind, obj, old);
      if (def.kind === 'CustomResourceDefinition' && problems.length === 0) {
        (obj as Obj).status = crdEstablishedStatus(obj, (old as Obj | undefined)?.status?.conditions?.[0]?.lastTransitionTime ?? this.now());
        this.checkCrdConflict(obj, old);
      }
    }
    for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
      if (typeof v !== 'string' || v.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v)) {
        problems.push({ field: `metadata.labels`, message: `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`, reason: 'FieldValueInvalid' });
      }
      if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(k)) {
        problems.push({ field: 'metadata.labels', message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'`, reason: 'FieldValueInvalid' });
      }
    }
    problems.push(...annotationProblems(obj.metadata.annotations as Record<string, unknown> | undefined));
    if (problems.length > 0) throw errors.invalid(def.group, def.kind, name, problems);
    return warnings;
  }

  private checkCrdConflict(crd: KubeObject, old: KubeObject | undefined): void {
    const spec = (crd as Obj).spec as Obj;
    const existing = this.registry.get(spec.group, spec.names.plural);
    if (existing && !existing.crd) {
      throw errors.invalid('apiextensions.k8s.io', 'CustomResourceDefinition', crd.metadata.name!, [{ field: 'spec.names.plural', message: 'Invalid value: conflicts with a built-in resource' }]);
    }
    if (old && (old as Obj).spec.scope !== spec.scope) {
      throw errors.invalid('apiextensions.k8s.io', 'CustomResourceDefinition', crd.metadata.name!, [{ field: 'spec.scope', message: 'Invalid value: field is immutable' }]);
    }
  }

  private checkBody(def: ResourceDef, version: string, body: unknown, owned: boolean): KubeObject {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('the request body must be a JSON object');
    const obj = (owned ? body : clone(body)) as Obj;
    if (obj.kind !== undefined && obj.kind !== def.kind) {
      throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${gvString(def.group, version)}) or kind ${obj.kind} is not ${def.kind}`);
    }
    obj.apiVersion = gvString(def.group, version);
    obj.kind = def.kind;
    obj.metadata = obj.metadata && typeof obj.metadata === 'object' ? obj.metadata : {};
    return obj as KubeObject;
  }

  private manager(opts: WriteOptions): string {
    if (opts.fieldManager) return opts.fieldManager;
    return managerFromUserAgent(opts.userAgent);
  }

  private trackingArgs(def: ResourceDef, version: string): { statusSubresource: boolean; fieldMeta?: FieldMeta } {
    const meta = crdFieldMeta(def, version);
    return { statusSubresource: def.statusSubresource, ...(meta ? { fieldMeta: meta } : {}) };
  }

  private toStorage(def: ResourceDef, obj: KubeObject): KubeObject {
    return this.output(def, def.storageVersion, obj);
  }
}
