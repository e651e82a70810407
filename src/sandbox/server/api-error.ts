// API errors as the Kubernetes `Status` objects clients parse.
import type { StatusObject } from '../../api/meta.js';

export type StatusReason =
  | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'BadRequest' | 'Forbidden' | 'Unauthorized'
  | 'MethodNotAllowed' | 'Gone' | 'Expired' | 'TooManyRequests' | 'InternalError' | 'UnsupportedMediaType'
  | 'NotAcceptable' | 'ServiceUnavailable' | 'Timeout' | 'RequestEntityTooLarge'
  /** no reason: a Status built from a plain Go error (kube-apiserver's 500s for apply) */
  | '';

export interface ErrorDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
  }

  toStatus(): StatusObject {
    const st: StatusObject = {
      apiVersion: 'v1',
      kind: 'Status',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      // Go's StatusDetails omits an empty group (core resources) and name
      ...(this.details ? { details: this.details.group === '' || this.details.name === '' ? withoutEmpty(this.details) : this.details } : {}),
      code: this.code,
    };
    if (this.reason === '') delete (st as Partial<StatusObject>).reason;
    return st;
  }
}

function withoutEmpty(d: ErrorDetails): ErrorDetails {
  const { group, name, ...rest } = d;
  return { ...(name ? { name } : {}), ...(group ? { group } : {}), ...rest };
}

function what(plural: string, group: string): string {
  return group ? `${plural}.${group}` : plural;
}

export const errors = {
  notFound: (group: string, plural: string, name: string) =>
    new ApiError(404, 'NotFound', `${what(plural, group)} "${name}" not found`, { name, group, kind: plural }),
  alreadyExists: (group: string, plural: string, name: string) =>
    new ApiError(409, 'AlreadyExists', `${what(plural, group)} "${name}" already exists`, { name, group, kind: plural }),
  conflict: (group: string, plural: string, name: string, why: string) =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${what(plural, group)} "${name}": ${why}`, { name, group, kind: plural }),
  invalid: (group: string, kind: string, name: string, causes: { field: string; message: string; reason?: string }[]) =>
    new ApiError(422, 'Invalid',
      `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
      { name, group, kind, causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, field: c.field })) }),
  badRequest: (message: string) => new ApiError(400, 'BadRequest', message),
  methodNotAllowed: (message: string) => new ApiError(405, 'MethodNotAllowed', message),
  gone: (message: string) => new ApiError(410, 'Expired', message),
  unsupportedMediaType: (ct: string) => new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${ct})`, {}),
  unauthorized: () => new ApiError(401, 'Unauthorized', 'Unauthorized'),
  tooManyRequests: (retryAfterSeconds: number) =>
    new ApiError(429, 'TooManyRequests', 'the server has received too many requests and has asked us to try again later', { retryAfterSeconds }),
  internal: (message: string) => new ApiError(500, 'InternalError', `Internal error occurred: ${message}`),
};
