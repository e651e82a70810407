// The one error type the patch engines throw. The server turns it into a
// `Status` body with `patchErrorToStatus`, so the HTTP code, reason and
// message match what kube-apiserver answers for the same failure.
import type { StatusObject } from '../../api/meta.js';

export type PatchErrorCode = 400 | 409 | 415 | 422;

export type PatchErrorReason = 'BadRequest' | 'Conflict' | 'UnsupportedMediaType' | 'Invalid';

export interface PatchErrorCause {
  reason: string;
  message: string;
  field?: string;
}

export interface PatchErrorDetails {
  name?: string;
  group?: string;
  kind?: string;
}

const REASONS: Record<PatchErrorCode, PatchErrorReason> = {
  400: 'BadRequest',
  409: 'Conflict',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
};

/**
 * kube-apiserver answers a JSON patch that cannot be applied (failed `test`,
 * missing path) and the strategic-merge errors it maps to 422 with this
 * fixed text rather than the library's message; clients match on it.
 */
export const GENERIC_INVALID_MESSAGE = 'the server rejected our request due to an error in our request';

export class PatchError extends Error {
  readonly reason: PatchErrorReason;

  constructor(
    message: string,
    public readonly code: PatchErrorCode,
    public readonly causes?: PatchErrorCause[],
    options?: { cause?: unknown; details?: PatchErrorDetails; detail?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PatchError';
    this.reason = REASONS[code];
    this.details = options?.details;
    this.detail = options?.detail;
  }

  /** Extra identification for the Status `details` (name, group, kind). */
  readonly details: PatchErrorDetails | undefined;
  /** The engine's own explanation when `message` is the fixed server text. */
  readonly detail: string | undefined;
}

export function badRequest(message: string, cause?: unknown): PatchError {
  return new PatchError(message, 400, undefined, { cause });
}

/** A 422 with the server's generic text; `detail` keeps the real reason for logs. */
export function unprocessable(detail: string, cause?: unknown): PatchError {
  return new PatchError(GENERIC_INVALID_MESSAGE, 422, undefined, { cause, detail });
}

export function isPatchError(err: unknown): err is PatchError {
  return err instanceof PatchError;
}

/** The `Status` body kube-apiserver would send for this error. */
export function patchErrorToStatus(err: PatchError): StatusObject {
  const status: StatusObject = {
    apiVersion: 'v1',
    kind: 'Status',
    metadata: {},
    status: 'Failure',
    message: err.message,
    reason: err.reason,
    code: err.code,
  };
  const hasDetails = err.details !== undefined || err.causes !== undefined;
  // 422s built by NewGenericServerResponse carry an empty details object.
  if (hasDetails || err.code === 422) {
    status.details = { ...(err.details ?? {}) };
    if (err.causes !== undefined) {
      status.details.causes = err.causes.map((c) => ({
        reason: c.reason,
        message: c.message,
        ...(c.field === undefined ? {} : { field: c.field }),
      }));
    }
  }
  return status;
}
