// Leadership as a lifecycle: the leader-only controllers of one term are created fresh
// when this replica wins the lease and torn down completely when it loses it. Nothing
// survives from one term to the next: no informer cache (whose relist would replay no
// add events), no work queue, no half-stopped sync controller. A controller therefore
// starts each term exactly as it starts in a new process, from full lists and an
// enqueue-all (issue 13 item 1: a warm cache after a regained lease left propagation
// stopped for good).
//
// `liveness()` is the /healthz view: while the term should run, every one of its
// runnables must still be running and healthy; /healthz fails otherwise, so a replica
// that leads but does no leader work gets restarted instead of holding the lease.
import { silentLogger, type Logger } from '../observability/logger.js';
import { errorMessage } from './errors.js';
import type { Runnable } from './runnable.js';

/** What one term runs, and how to release what it shares (e.g. its informer scope). */
export interface Term {
  runnables: Runnable[];
  /** Called after every runnable of the term stopped. */
  close?(): Promise<void> | void;
}

export interface LeaderTermOptions {
  name?: string;
  /** Builds the term's runnables; called once per leadership term. */
  create(): Term;
  logger?: Logger | undefined;
}

interface Member {
  runnable: Runnable;
  /** Set when start() settled while the term still ran. */
  ended?: string;
}

export class LeaderTerm implements Runnable {
  readonly name: string;
  readonly needLeaderElection = true;
  private readonly o: LeaderTermOptions;
  private readonly log: Logger;
  private members: Member[] | undefined;
  private previous: Promise<void> = Promise.resolve();
  private terms = 0;

  constructor(options: LeaderTermOptions) {
    this.o = options;
    this.name = options.name ?? 'leader-term';
    this.log = (options.logger ?? silentLogger()).child({ component: 'leader-term' });
  }

  /** Terms started so far (tests, diagnostics). */
  get count(): number {
    return this.terms;
  }

  /** The runnables of the current term (empty between terms). */
  current(): readonly Runnable[] {
    return this.members?.map((m) => m.runnable) ?? [];
  }

  /** True, or why leader-only work that should run does not. */
  liveness(): true | string {
    const members = this.members;
    if (!members) return 'leader-only controllers are not running';
    for (const m of members) {
      if (m.ended !== undefined) return `${m.runnable.name} stopped while leading: ${m.ended}`;
      const h = m.runnable.liveness?.();
      if (h !== undefined && h !== true) return `${m.runnable.name}: ${h}`;
    }
    return true;
  }

  start(signal: AbortSignal): Promise<void> {
    const run = this.previous.then(() => this.run(signal));
    this.previous = run.catch(() => undefined);
    return run;
  }

  private async run(outer: AbortSignal): Promise<void> {
    if (outer.aborted) return;
    // A failed controller ends the whole term (and the manager then stops the process).
    const own = new AbortController();
    const forward = (): void => own.abort();
    outer.addEventListener('abort', forward, { once: true });
    const signal = own.signal;
    const term = this.o.create();
    this.terms++;
    const members: Member[] = term.runnables.map((runnable) => ({ runnable }));
    this.members = members;
    this.log.info({ term: this.terms, controllers: members.map((m) => m.runnable.name) }, 'leadership term started');
    let failure: unknown;
    const runs = members.map(async (m) => {
      try {
        await m.runnable.start(signal);
        if (!signal.aborted) m.ended = 'finished';
      } catch (err) {
        if (signal.aborted) return;
        m.ended = errorMessage(err);
        failure ??= err;
        own.abort();
      }
    });
    try {
      await Promise.all(runs);
    } finally {
      outer.removeEventListener('abort', forward);
      this.members = undefined;
      try {
        await term.close?.();
      } catch (err) {
        this.log.warn({ err: errorMessage(err) }, 'closing the term failed');
      }
      this.log.info({ term: this.terms }, 'leadership term ended');
    }
    if (failure !== undefined) throw failure;
  }
}
