// Building blocks of join and unjoin: an undo log so a failed join leaves nothing
// behind, create-or-converge helpers that record how to undo what they did, access
// checks, and one-line error messages.
import type { KubeObject } from '../api/meta.js';
import type { DynamicClient } from '../kube/dynamic-client.js';
import { isAlreadyExists, isNotFound } from '../kube/errors.js';
import { oneLine } from '../runtime/errors.js';
import type { ResourceRef } from '../kube/resource.js';
import { SELF_SUBJECT_ACCESS_REVIEWS } from '../api/kubernetes.js';

/** An object join or unjoin touched, and where ("member cluster-2", "host cluster-1"). */
export interface TouchedObject {
  kind: string;
  namespace?: string | undefined;
  name: string;
  where: string;
}

/** One step of join or unjoin, as data; src/cli/kubefedctl-output.ts prints it. */
export type JoinStep =
  | ({ step: 'created' | 'updated' | 'unchanged' | 'deleted' } & TouchedObject)
  | { step: 'rolled-back'; undo: UndoAction }
  | { step: 'preflight'; host: string; member: string }
  | { step: 'would-join'; cluster: string; server: string; serviceAccount: string; roleKind: 'ClusterRole' | 'Role'; role: string }
  | { step: 'would-clean-member'; serviceAccount: string; where: string; namespace?: string | undefined }
  | { step: 'would-unjoin'; namespace: string; name: string; host: string }
  | { step: 'kept-namespace'; namespace: string; where: string; serviceAccounts: string[] }
  | { step: 'warning'; message: string };

/** What rolling back one write does. */
export type UndoAction = { action: 'delete' | 'restore' } & TouchedObject;

/** Verbosity-tagged progress: level 0 is always shown, 2 matches kubefedctl's --v=2 detail. */
export type ProgressFn = (level: number, step: JoinStep) => void;

export class JoinError extends Error {
  override readonly name = 'JoinError';
}

/** First line of an error chain, without the stack, for one-line CLI output. */

interface UndoStep {
  what: UndoAction;
  run: () => Promise<void>;
}

/** Records how to revert each write; `rollback` replays them newest first. */
export class UndoLog {
  private readonly steps: UndoStep[] = [];
  /** What was created or updated, in order. */
  readonly done: JoinStep[] = [];

  record(what: UndoAction, run: () => Promise<void>): void {
    this.steps.push({ what, run });
  }

  async rollback(progress: ProgressFn): Promise<string[]> {
    const failures: string[] = [];
    for (const step of [...this.steps].reverse()) {
      try {
        await step.run();
        progress(2, { step: 'rolled-back', undo: step.what });
      } catch (err) {
        if (isNotFound(err)) continue;
        failures.push(`${describeUndo(step.what)}: ${oneLine(err)}`);
      }
    }
    this.steps.length = 0;
    return failures;
  }
}

export function describeRef(ref: ResourceRef, name: string, namespace?: string): string {
  return `${ref.kind ?? ref.resource} ${namespace ? `${namespace}/` : ''}${name}`;
}

/** `Kind ns/name in where`: how errors (which stay text) name an object. */
export function describeTouched(o: TouchedObject): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} in ${o.where}`;
}

export function describeUndo(u: UndoAction): string {
  return `${u.action} ${describeTouched(u)}`;
}

export function touched(ref: ResourceRef, name: string, namespace: string | undefined, where: string): TouchedObject {
  return { kind: ref.kind ?? ref.resource, ...(namespace ? { namespace } : {}), name, where };
}

export interface EnsureContext {
  client: DynamicClient;
  /** Which cluster, for messages: "member cluster-2", "host cluster-1". */
  where: string;
  undo: UndoLog;
  progress: ProgressFn;
  errorOnExisting: boolean;
  signal?: AbortSignal | undefined;
}

/**
 * Creates `obj`, or makes an existing one match it (`differs` decides; `merge` builds
 * the update). Undo deletes what was created and restores what was changed.
 */
export async function ensure<T extends KubeObject>(
  ctx: EnsureContext,
  ref: ResourceRef,
  obj: T,
  o: { differs?: (existing: T) => boolean; merge?: (existing: T) => T; mayExist?: boolean } = {},
): Promise<T> {
  ctx.signal?.throwIfAborted();
  const name = obj.metadata.name ?? '';
  const ns = obj.metadata.namespace;
  const label = `${describeRef(ref, name, ns)} in ${ctx.where}`;
  const opts = { ...(ns ? { namespace: ns } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}) };
  const existing = name ? await ctx.client.getIfExists<T>(ref, name, opts) : undefined;
  if (!existing) {
    let created: T;
    try {
      created = await ctx.client.create<T>(ref, obj, ctx.signal ? { signal: ctx.signal } : {});
    } catch (err) {
      if (isAlreadyExists(err)) throw new JoinError(`${label} appeared while joining; run again`, { cause: err });
      throw err;
    }
    const createdName = created.metadata.name ?? name;
    const object = touched(ref, createdName, ns, ctx.where);
    ctx.undo.record({ action: 'delete', ...object }, async () => {
      await ctx.client.delete(ref, createdName, { ...(ns ? { namespace: ns } : {}), ignoreNotFound: true });
    });
    ctx.undo.done.push({ step: 'created', ...object });
    ctx.progress(2, { step: 'created', ...object });
    return created;
  }
  if (ctx.errorOnExisting && !o.mayExist) throw new JoinError(`${label} already exists (use --error-on-existing=false to update it)`);
  const object = touched(ref, name, ns, ctx.where);
  if (!o.differs || !o.differs(existing)) {
    ctx.progress(2, { step: 'unchanged', ...object });
    return existing;
  }
  const next = o.merge ? o.merge(structuredClone(existing)) : ({ ...obj, metadata: { ...obj.metadata, resourceVersion: existing.metadata.resourceVersion } } as T);
  const updated = await ctx.client.update<T>(ref, next, ctx.signal ? { signal: ctx.signal } : {});
  const previous = structuredClone(existing);
  ctx.undo.record({ action: 'restore', ...object }, async () => {
    const cur = await ctx.client.get<T>(ref, name, ns ? { namespace: ns } : {});
    await ctx.client.update<T>(ref, { ...previous, metadata: { ...previous.metadata, resourceVersion: cur.metadata.resourceVersion } } as T);
  });
  ctx.undo.done.push({ step: 'updated', ...object });
  ctx.progress(2, { step: 'updated', ...object });
  return updated;
}

export interface AccessCheck {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
}

/** SelfSubjectAccessReviews for every check; returns the refused ones as "verb resource". */
export async function refusedAccess(client: DynamicClient, checks: AccessCheck[], signal?: AbortSignal): Promise<string[]> {
  const results = await Promise.all(
    checks.map(async (c) => {
      const review = await client.create<KubeObject & { status?: { allowed?: boolean } }>(
        SELF_SUBJECT_ACCESS_REVIEWS,
        {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          metadata: {},
          spec: { resourceAttributes: { verb: c.verb, group: c.group, resource: c.resource, ...(c.namespace ? { namespace: c.namespace } : {}) } },
        } as KubeObject,
        signal ? { signal } : {},
      );
      return review.status?.allowed ? undefined : `${c.verb} ${c.group ? `${c.resource}.${c.group}` : c.resource}${c.namespace ? ` in namespace ${c.namespace}` : ''}`;
    }),
  );
  return results.filter((r): r is string => r !== undefined);
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    }, { once: true });
  });
