// What every sandbox cluster offers, whichever backend serves it: the embedded in-process
// API server (cluster.ts) or a real kube-apiserver (real/real-cluster.ts).
import type { Faults } from './server/api-server.js';
import type { ClusterTopology } from './topology.js';

export interface RequestCounts {
  byVerb: Record<string, number>;
  /** create/update/patch/delete/deletecollection */
  writes: number;
}

export const WRITE_VERBS: ReadonlySet<string> = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export interface FaultControls {
  set(f: Partial<Faults>): void;
  clear(): void;
  get(): Faults;
  /** end every open watch; clients must re-establish them */
  dropWatches(): void;
  /** forget history: watches from an older resourceVersion get 410 Gone */
  compact(): void | Promise<void>;
}

export interface SandboxMember {
  readonly name: string;
  readonly options: { index: number; topology: ClusterTopology };
  /** where clients connect (the kubeconfig's server) */
  readonly url: string;
  readonly caPem: string;
  /** a cluster-admin bearer token */
  readonly adminToken: string;
  /** resource requests by verb, as clients made them (the simulation's own writes excluded) */
  readonly counts: RequestCounts;
  readonly running: boolean;
  readonly faults: FaultControls;
  /** Stop serving and cut connections, as a crashed API server would; the stored state survives. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  /** the store's current resourceVersion */
  resourceVersion(): Promise<string>;
}
