// An in-memory MemberRegistry for tests and benchmarks, built from sandbox contexts.
// It plays the health controller's part by hand: `setReady(name, false)` is what the
// health controller does after a member's Offline condition turns True.
import type { MemberChange, MemberCluster, MemberRegistry } from '../../src/clusters/member-registry.js';
import { clusterClientFromKubeconfig, type ClusterClient } from '../../src/kube/cluster-client.js';

export interface StaticMemberSpec {
  name: string;
  /** kubeconfig context; default: the name */
  context?: string;
  region?: string;
  zones?: string[];
  labels?: Record<string, string>;
  ready?: boolean;
}

export class StaticMembers implements MemberRegistry {
  private readonly members = new Map<string, MemberCluster>();
  private readonly subs = new Set<(name: string, change: MemberChange) => void>();
  readonly connectionFailures: { name: string; at: number }[] = [];

  list(): MemberCluster[] {
    return [...this.members.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  get(name: string): MemberCluster | undefined {
    return this.members.get(name);
  }

  subscribe(fn: (name: string, change: MemberChange) => void): () => void {
    this.subs.add(fn);
    return () => this.subs.delete(fn);
  }

  reportConnectionFailure(name: string): void {
    this.connectionFailures.push({ name, at: Date.now() });
  }

  add(member: MemberCluster): void {
    this.members.set(member.name, member);
    this.emit(member.name, 'added');
  }

  remove(name: string): void {
    const m = this.members.get(name);
    if (!m) return;
    this.members.delete(name);
    this.emit(name, 'removed');
    m.client?.close();
  }

  setReady(name: string, ready: boolean): void {
    const m = this.members.get(name);
    if (!m) throw new Error(`static members: no member ${name}`);
    if (m.ready === ready) return;
    this.members.set(name, { ...m, ready });
    this.emit(name, ready ? 'ready' : 'notReady');
  }

  close(): void {
    for (const m of this.members.values()) m.client?.close();
    this.members.clear();
  }

  private emit(name: string, change: MemberChange): void {
    for (const fn of this.subs) fn(name, change);
  }
}

/** A registry with one member per spec, each with a client from the sandbox kubeconfig. */
export async function staticMembers(kubeconfigYaml: string, specs: readonly StaticMemberSpec[], timeoutMs = 5000): Promise<StaticMembers> {
  const reg = new StaticMembers();
  for (const s of specs) {
    const client: ClusterClient = await clusterClientFromKubeconfig({ kubeconfigYaml, context: s.context ?? s.name, name: s.name, timeoutMs });
    reg.add({ name: s.name, ready: s.ready ?? true, region: s.region, zones: s.zones ?? [], labels: s.labels ?? {}, client });
  }
  return reg;
}
