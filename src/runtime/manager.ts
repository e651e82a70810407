// Starts and stops runnables. Always-on runnables (informers, servers) run on every
// replica; leader-only runnables (reconcilers) run while this replica leads. On a
// graceful stop the leader's reconcilers finish before the lease is released, so the
// next leader never overlaps with them.
import { silentLogger, type Logger } from '../observability/logger.js';
import { errorMessage } from './errors.js';
import type { LeaderElection, Runnable } from './runnable.js';

export interface ManagerOptions {
  logger?: Logger | undefined;
  /** Without one, this replica is always the leader. */
  leaderElection?: LeaderElection;
  /** Called after leader-only runnables stopped because the lease was lost. */
  onLeadershipLost?: () => void;
}

interface Entry {
  runnable: Runnable;
  abort?: AbortController | undefined;
  done?: Promise<void> | undefined;
}

export class Manager {
  private readonly log: Logger;
  private readonly election: LeaderElection | undefined;
  private readonly onLeadershipLost: (() => void) | undefined;
  private readonly entries = new Set<Entry>();
  private started = false;
  private stopping: Promise<void> | undefined;
  private leading: AbortSignal | undefined;
  private electionAbort: AbortController | undefined;
  private electionDone: Promise<void> | undefined;
  private failure: unknown;
  private readonly finished: Promise<void>;
  private resolveFinished!: () => void;

  constructor(options: ManagerOptions = {}) {
    this.log = (options.logger ?? silentLogger()).child({ component: 'manager' });
    this.election = options.leaderElection;
    this.onLeadershipLost = options.onLeadershipLost;
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  isLeader(): boolean {
    return this.leading !== undefined && !this.leading.aborted;
  }

  /** Adds a runnable; when the manager already runs, it starts at once if it may. */
  add(runnable: Runnable): void {
    const entry: Entry = { runnable };
    this.entries.add(entry);
    if (!this.started || this.stopping) return;
    if (!runnable.needLeaderElection) this.launch(entry, undefined);
    else if (this.isLeader()) this.launch(entry, this.leading);
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('manager: already started');
    this.started = true;
    for (const entry of this.entries) {
      if (!entry.runnable.needLeaderElection) this.launch(entry, undefined);
    }
    if (!this.election) {
      this.leading = new AbortController().signal;
      this.startLeaderRunnables();
      return;
    }
    const election = this.election;
    this.electionAbort = new AbortController();
    this.electionDone = election
      .run(this.electionAbort.signal, {
        onStartedLeading: (leading) => {
          this.log.info('became leader; starting leader-only runnables');
          this.leading = leading;
          this.startLeaderRunnables();
        },
        onStoppedLeading: () => {
          this.leading = undefined;
          if (this.stopping) return;
          this.log.warn('lost leadership; stopping leader-only runnables');
          void this.stopLeaderRunnables().then(() => this.onLeadershipLost?.());
        },
      })
      .catch((err: unknown) => this.fail('leader election', err));
  }

  /** Resolves when the manager stopped; rejects with the first runnable failure. */
  async wait(): Promise<void> {
    await this.finished;
    if (this.failure !== undefined) throw this.failure;
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.log.info('stopping');
    await this.stopLeaderRunnables();
    this.electionAbort?.abort();
    await this.electionDone;
    this.leading = undefined;
    await Promise.all([...this.entries].map((e) => this.halt(e)));
    this.log.info('stopped');
    this.resolveFinished();
  }

  private startLeaderRunnables(): void {
    for (const entry of this.entries) {
      if (entry.runnable.needLeaderElection && !entry.abort) this.launch(entry, this.leading);
    }
  }

  private async stopLeaderRunnables(): Promise<void> {
    await Promise.all([...this.entries].filter((e) => e.runnable.needLeaderElection).map((e) => this.halt(e)));
  }

  private launch(entry: Entry, leading: AbortSignal | undefined): void {
    const abort = new AbortController();
    // Lost leadership must stop the runnable even before the manager reacts.
    if (leading?.aborted) abort.abort();
    else leading?.addEventListener('abort', () => abort.abort(), { once: true });
    entry.abort = abort;
    const name = entry.runnable.name;
    let started: Promise<void>;
    try {
      started = entry.runnable.start(abort.signal);
    } catch (err) {
      started = Promise.reject(err);
    }
    entry.done = started.then(
      () => {
        if (!abort.signal.aborted) this.log.info({ runnable: name }, 'runnable finished');
      },
      (err: unknown) => {
        if (!abort.signal.aborted) this.fail(name, err);
      },
    );
  }

  private async halt(entry: Entry): Promise<void> {
    entry.abort?.abort();
    const done = entry.done;
    entry.abort = undefined;
    entry.done = undefined;
    await done;
  }

  private fail(name: string, err: unknown): void {
    this.log.error({ runnable: name, err: errorMessage(err) }, 'runnable failed; stopping manager');
    this.failure ??= new Error(`runnable ${name} failed: ${errorMessage(err)}`, { cause: err });
    void this.stop();
  }
}
