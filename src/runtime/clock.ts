// Time source for queues, controllers and leader election. Tests inject vitest fake
// timers; the default clock looks up the globals at call time so `vi.useFakeTimers()`
// installed after construction still takes effect.
import { setMaxListeners } from 'node:events';

export type TimerHandle = ReturnType<typeof setTimeout>;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    // A pending requeue must not keep a finished process alive.
    if (typeof handle === 'object' && typeof handle.unref === 'function') handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle),
};

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal, clock: Clock = systemClock): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(abortReason(signal));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Resolves after `ms`, or at once when `signal` aborts; never rejects, for loops that
 * check the signal themselves after waking. The timer stays referenced (a running
 * loop keeps the process alive), and the abort listener goes when the timer fires so a
 * long-lived signal does not collect one per wait.
 */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new Error('aborted');
}

/**
 * A signal that aborts when `parent` aborts or after `timeoutMs`, and a dispose function
 * that detaches it. Unlike AbortSignal.any, nothing stays attached to a long-lived
 * parent (e.g. the manager's stop signal) after the request finished.
 */
export function linkedSignal(parent: AbortSignal | undefined, timeoutMs: number | undefined): { signal: AbortSignal; timedOut(): boolean; dispose(): void } {
  const ac = new AbortController();
  let timedOut = false;
  const onAbort = (): void => ac.abort(parent?.reason);
  if (parent?.aborted) ac.abort(parent.reason);
  else parent?.addEventListener('abort', onAbort, { once: true });
  const timer =
    timeoutMs !== undefined && timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          ac.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
        }, timeoutMs)
      : undefined;
  return {
    signal: ac.signal,
    timedOut: () => timedOut,
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Runs `fn` under linkedSignal(parent, timeoutMs) and detaches it when `fn` settles: a
 * per-operation timeout that leaves nothing on a long-lived parent. (On Node 20,
 * AbortSignal.any([parent, ...]) leaves an entry in the parent's dependant set per call.)
 */
export async function withTimeout<T>(parent: AbortSignal, timeoutMs: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const linked = linkedSignal(parent, timeoutMs);
  try {
    return await fn(linked.signal);
  } finally {
    linked.dispose();
  }
}

/**
 * An AbortController whose signal also aborts when `parent` does (a child's stop), and
 * `detach()`, which removes that relay from `parent` once the child stopped: a long-lived
 * parent keeps no listener per child it ever started.
 */
export interface ChildAbort {
  readonly signal: AbortSignal;
  abort(): void;
  detach(): void;
}

export function childAbort(parent: AbortSignal | undefined): ChildAbort {
  const ac = new AbortController();
  const relay = (): void => ac.abort();
  if (parent?.aborted) ac.abort();
  else parent?.addEventListener('abort', relay, { once: true });
  return { signal: ac.signal, abort: () => ac.abort(), detach: () => parent?.removeEventListener('abort', relay) };
}

/**
 * A component's own stop signal: aborts (with the parent's reason) when `parent` does,
 * and has no listener cap, because every informer, worker and in-flight request of the
 * component listens on it and the caller's signal is not ours to tune. `dispose()`
 * detaches it from `parent` once the component stopped.
 */
export function ownSignal(parent: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const own = new AbortController();
  setMaxListeners(0, own.signal);
  const relay = (): void => own.abort(parent.reason);
  if (parent.aborted) relay();
  else parent.addEventListener('abort', relay, { once: true });
  return { signal: own.signal, dispose: () => parent.removeEventListener('abort', relay) };
}

/** Runs `fn` under an ownSignal(parent), detaching it from `parent` when `fn` settles. */
export async function withOwnSignal<T>(parent: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const own = ownSignal(parent);
  try {
    return await fn(own.signal);
  } finally {
    own.dispose();
  }
}
