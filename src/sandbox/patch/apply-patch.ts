// The PATCH entry point the sandbox server calls: picks the engine for the
// content type, enforces the server's option checks, keeps status and the
// main resource apart, and maintains managedFields.
import type { KubeObject } from '../../api/meta.js';
import { builtinFieldMeta, customResourceFieldMeta, OBJECT_META, type GroupVersionKind } from './builtin-schemas.js';
import { badRequest, PatchError, unprocessable } from './errors.js';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './json-merge-patch.js';
import { isObject } from './json-value.js';
import { defaultResetFields, trackUpdate } from './managed-fields.js';
import { SchemaLookup, type FieldMeta } from './patch-meta.js';
import { restoreReset, serverSideApply } from './server-side-apply.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** The patch type of a request's Content-Type (parameters ignored), if it is one. */
export function patchTypeFromContentType(contentType: string | undefined): PatchType | undefined {
  const base = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  return (Object.keys(PATCH_CONTENT_TYPES) as PatchType[]).find((t) => PATCH_CONTENT_TYPES[t] === base);
}

/** Custom resources have no Go structs, so the server does not offer strategic merge patch for them. */
export function supportedPatchTypes(isCustomResource: boolean): PatchType[] {
  return isCustomResource ? ['json', 'merge', 'apply'] : ['json', 'merge', 'strategic', 'apply'];
}

export function unsupportedPatchTypeError(isCustomResource: boolean): PatchError {
  const accepted = supportedPatchTypes(isCustomResource).map((t) => PATCH_CONTENT_TYPES[t]);
  return new PatchError(`the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`, 415);
}

/** kube-apiserver's limit on fieldManager. */
export const FIELD_MANAGER_MAX_LENGTH = 128;

/** The manager name of a write without `fieldManager`: the User-Agent up to its first `/`. */
let lastUserAgent = { userAgent: '', manager: '' };

export function managerFromUserAgent(userAgent: string | undefined): string {
  // a client sends the same User-Agent on every request
  if (userAgent !== undefined && userAgent === lastUserAgent.userAgent) return lastUserAgent.manager;
  const prefix = (userAgent ?? '').split('/')[0] ?? '';
  // eslint-disable-next-line no-control-regex
  const manager = [...prefix.replace(/[\u0000-\u001f\u007f]/g, '')].slice(0, FIELD_MANAGER_MAX_LENGTH).join('');
  if (userAgent !== undefined) lastUserAgent = { userAgent, manager };
  return manager;
}

export interface ApplyPatchArgs {
  type: PatchType;
  live: KubeObject | undefined;
  /** Parsed JSON (or YAML for apply). */
  patch: unknown;
  gvk: GroupVersionKind;
  isCustomResource: boolean;
  fieldManager?: string;
  /** Pass only when the request carried `force`; any value on a non-apply patch is rejected. */
  force?: boolean;
  subresource?: string;
  /** Timestamp for managedFields; defaults to the clock. */
  now?: string | undefined;
  /** Names the manager when `fieldManager` is absent, as the server does. */
  userAgent?: string;
  /** Merge metadata, e.g. `fieldMetaFromOpenApi(crdVersion.schema.openAPIV3Schema)` for a custom resource. */
  fieldMeta?: FieldMeta;
  /** Whether the kind has a status subresource (then the main resource cannot change status). Default true. */
  statusSubresource?: boolean;
  /** Field paths this request may not change; defaults from `subresource` and `statusSubresource`. */
  resetFields?: string[][];
  /** Plural resource with group (`deployments.apps`) for Status messages. */
  resource?: string;
}

function invalidOption(field: string, causeReason: string, causeMessage: string): PatchError {
  return new PatchError(`PatchOptions.meta.k8s.io "" is invalid: ${field}: ${causeMessage}`, 422, [{ reason: causeReason, message: causeMessage, field }], {
    details: { group: 'meta.k8s.io', kind: 'PatchOptions' },
  });
}

function validateOptions(args: ApplyPatchArgs): void {
  const manager = args.fieldManager ?? '';
  if (manager.length > FIELD_MANAGER_MAX_LENGTH) {
    throw invalidOption('fieldManager', 'FieldValueTooLong', `Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`);
  }
  if (args.type === 'apply') {
    if (manager === '') throw invalidOption('fieldManager', 'FieldValueRequired', 'Required value: is required for apply patch');
  } else if (args.force !== undefined) {
    throw invalidOption('force', 'FieldValueForbidden', 'Forbidden: may not be specified for non-apply patch');
  }
}

export function schemaFor(gvk: GroupVersionKind, isCustomResource: boolean, override?: FieldMeta): FieldMeta {
  if (isCustomResource) return customResourceFieldMeta(override);
  return override ?? builtinFieldMeta(gvk) ?? { fields: { metadata: OBJECT_META } };
}

function groupVersion(gvk: GroupVersionKind): string {
  return gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`;
}

/**
 * Applies a PATCH of any type to `live` and returns the object to store,
 * with managedFields updated. Throws PatchError with the server's code.
 * Only `apply` may create: for other types the caller answers 404 first.
 */
export function applyPatch(args: ApplyPatchArgs): KubeObject {
  validateOptions(args);
  if (!supportedPatchTypes(args.isCustomResource).includes(args.type)) throw unsupportedPatchTypeError(args.isCustomResource);
  const meta = schemaFor(args.gvk, args.isCustomResource, args.fieldMeta);
  const schema = new SchemaLookup(meta);
  const apiVersion = groupVersion(args.gvk);
  const now = args.now ?? new Date().toISOString();
  const resetFields = args.resetFields ?? defaultResetFields(args.live ?? (isObject(args.patch) ? (args.patch as KubeObject) : undefined), args.subresource, args.statusSubresource ?? true);

  if (args.type === 'apply') {
    if (args.live === undefined) checkCreate(args);
    const out = serverSideApply({
      live: args.live,
      config: args.patch,
      manager: args.fieldManager ?? '',
      apiVersion,
      kind: args.gvk.kind,
      schema,
      force: args.force ?? false,
      ...(args.subresource ? { subresource: args.subresource } : {}),
      resetFields,
      now,
    });
    if (args.live === undefined) wipeSystemFields(out);
    return out;
  }

  const live = args.live;
  if (live === undefined) throw new Error(`${args.type} patch of a missing ${args.gvk.kind}: the caller must answer 404 NotFound`);
  let patched: unknown;
  switch (args.type) {
    case 'json':
      patched = applyJsonPatch(live, args.patch);
      break;
    case 'merge':
      if (args.patch === null || args.patch === undefined) throw badRequest('Invalid JSON Patch');
      patched = applyMergePatch(live, args.patch);
      break;
    case 'strategic':
      patched = applyStrategicMergePatch(live, args.patch, schema);
      break;
  }
  if (!isObject(patched)) throw unprocessable(`patch: the patched object is not a JSON object: ${JSON.stringify(patched)}`);
  const restored = restoreReset(patched, live, resetFields, schema) as KubeObject;
  return trackUpdate({
    oldObj: live,
    newObj: restored,
    manager: args.fieldManager || managerFromUserAgent(args.userAgent),
    apiVersion,
    ...(args.subresource ? { subresource: args.subresource } : {}),
    now,
    fieldMeta: meta,
    resetFields,
  });
}

function checkCreate(args: ApplyPatchArgs): void {
  const meta = isObject(args.patch) ? args.patch['metadata'] : undefined;
  const uid = isObject(meta) ? meta['uid'] : undefined;
  if (typeof uid === 'string' && uid !== '') {
    const resource = args.resource ?? `${args.gvk.kind.toLowerCase()}s${args.gvk.group ? `.${args.gvk.group}` : ''}`;
    const name = isObject(meta) ? String(meta['name'] ?? '') : '';
    throw new PatchError(
      `Operation cannot be fulfilled on ${resource} "${name}": uid mismatch: the provided object specified uid ${uid}, and no existing object was found`,
      409,
      undefined,
      { details: { name, group: args.gvk.group, kind: resource.split('.')[0] ?? resource } },
    );
  }
}

/** A create through apply drops the system fields a client may have copied in. */
function wipeSystemFields(obj: KubeObject): void {
  const m = obj.metadata;
  delete m.creationTimestamp;
  delete m.uid;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete (m as Record<string, unknown>)['selfLink'];
}
