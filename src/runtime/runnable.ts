// Something the manager starts and stops: a controller, an informer, a server.

export interface Runnable {
  /** Stable name for logs. */
  readonly name: string;
  /**
   * True: run only while this replica holds the leader lease (reconcilers).
   * False: run on every replica (informers, the DNS server, health endpoints).
   */
  readonly needLeaderElection?: boolean;
  /**
   * Runs until `signal` aborts and resolves once fully stopped. It may resolve earlier
   * when its work is done; rejecting means it failed and the manager stops everything.
   */
  start(signal: AbortSignal): Promise<void>;
  /**
   * While running: true, or why the work it should do is not being done (caches that
   * cannot sync, a sub-controller that failed). Feeds /healthz for leader-only work.
   */
  liveness?(): true | string;
}

/** A leader-election implementation as the manager sees it (see src/kube/leader-election.ts). */
export interface LeaderElection {
  /**
   * Campaigns until `signal` aborts. Calls onStartedLeading with a signal that aborts when
   * leadership is lost; may lead several terms. Releases the lease when `signal` aborts.
   */
  run(
    signal: AbortSignal,
    callbacks: { onStartedLeading(leading: AbortSignal): void; onStoppedLeading(): void },
  ): Promise<void>;
}
