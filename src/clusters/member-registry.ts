// The contract between cluster management and every controller that acts on members:
// which clusters are joined, whether each is Ready, where it is, and a client for it.
import type { ClusterClient } from '../kube/cluster-client.js';

export interface MemberCluster {
  /** KubeFedCluster name */
  readonly name: string;
  /** the KubeFedCluster's Ready condition is True */
  readonly ready: boolean;
  readonly region: string | undefined;
  readonly zones: readonly string[];
  /** labels of the KubeFedCluster object, for placement cluster selectors */
  readonly labels: Readonly<Record<string, string>>;
  /** undefined while credentials are missing or invalid */
  readonly client: ClusterClient | undefined;
}

export type MemberChange = 'added' | 'removed' | 'ready' | 'notReady' | 'updated';

export interface MemberRegistry {
  list(): MemberCluster[];
  get(name: string): MemberCluster | undefined;
  /** Called after a member joins, leaves, changes readiness, location, labels or client. */
  subscribe(fn: (name: string, change: MemberChange) => void): () => void;
  /**
   * A controller saw a member's connections fail (watch error, connection refused):
   * the health controller probes it now instead of waiting for the next period.
   */
  reportConnectionFailure(name: string, err: unknown): void;
}
