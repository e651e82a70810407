// Errors the controller loop treats specially.

/**
 * Bad input that retrying cannot fix (an invalid spec, a reference to an unknown type).
 * The controller reports it and does not requeue the key until an event adds it again.
 */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
  /** Short machine-readable reason for status conditions, e.g. `InvalidSpec`. */
  readonly reason: string;

  constructor(message: string, options: { reason?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = options.reason ?? 'TerminalError';
  }
}

export function isTerminalError(err: unknown): err is TerminalError {
  return err instanceof TerminalError;
}

/** True for the errors an aborted signal produces (DOMException AbortError or our own reasons). */
export function isAbortError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}

/** Message of any thrown value, for logs and status conditions. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
