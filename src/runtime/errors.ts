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

/** An error and its causes on one line (`outer: inner: ...`), repeats dropped, for logs and CLI output. */
export function oneLine(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let i = 0; i < 4 && e !== undefined; i++) {
    const msg = e instanceof Error ? e.message : String(e);
    if (msg && !parts.some((p) => p.includes(msg))) parts.push(msg);
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(': ').replace(/\s*\n\s*/g, ' ');
}

/**
 * True when the error, or one of its causes, is a 409 Conflict from an API server: the write was
 * based on an object that had changed meanwhile (usually a cache one event behind). Retrying after
 * a fresh read is the normal answer, as with client-go's controllers.
 */
export function isConflictError(err: unknown): boolean {
  let cur: unknown = err;
  for (let depth = 0; typeof cur === 'object' && cur !== null && depth < 5; depth++) {
    const e = cur as { reason?: unknown; code?: unknown; cause?: unknown };
    if (e.reason === 'Conflict' && (e.code === 409 || e.code === undefined)) return true;
    cur = e.cause;
  }
  return false;
}
