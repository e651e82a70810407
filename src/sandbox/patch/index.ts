// Public surface of the sandbox's PATCH engines.
export {
  applyPatch,
  managerFromUserAgent,
  patchTypeFromContentType,
  PATCH_CONTENT_TYPES,
  schemaFor,
  supportedPatchTypes,
  unsupportedPatchTypeError,
  type ApplyPatchArgs,
  type PatchType,
} from './apply-patch.js';
export { builtinFieldMeta, customResourceFieldMeta, gvkKey, type GroupVersionKind } from './builtin-schemas.js';
export { GENERIC_INVALID_MESSAGE, isPatchError, PatchError, patchErrorToStatus, type PatchErrorCause, type PatchErrorCode } from './errors.js';
export { applyJsonPatch } from './json-patch.js';
export { applyMergePatch } from './json-merge-patch.js';
export { defaultResetFields, trackUpdate, type TrackUpdateArgs } from './managed-fields.js';
export { fieldMetaFromOpenApi, SchemaLookup, type FieldMeta } from './patch-meta.js';
export { ApplyConflictError, serverSideApply, type ApplyConflict } from './server-side-apply.js';
export { applyStrategicMergePatch } from './strategic-merge-patch.js';
