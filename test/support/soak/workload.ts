// The soak's seeded workload: federated ConfigMaps, Secrets, Deployments (some driven by a
// ReplicaSchedulingPreference) and Services (each with a ServiceDNSRecord), and
// PropagationPolicies and OverridePolicies, created, edited and deleted on the host while
// faults run. It keeps only names: the checker reads the host's real state at the end, so
// an operation that failed (or failed after the server applied it) needs no bookkeeping.
import type { KubeObject } from '../../../src/api/meta.js';
import type { ClusterClient } from '../../../src/kube/cluster-client.js';
import { isNotFound } from '../../../src/kube/errors.js';
import type { ResourceRef } from '../../../src/kube/resource.js';
import { SERVICE_DNS_RECORDS } from '../../../src/api/multiclusterdns.js';
import type { Rng } from './rng.js';
import { CLUSTERS, DOMAIN_OBJECT } from './rig.js';
import { FEDERATED, NAMESPACES, OVERRIDE_POLICIES, POLICY_LABEL, PROPAGATION_POLICIES, RSPS, WORKLOAD_NS_PREFIX } from './resources.js';

type Kind = 'configmap' | 'secret' | 'deployment' | 'service' | 'rsp' | 'propagationpolicy' | 'overridepolicy';
type Verb = 'create' | 'edit' | 'delete';
export type Op = `${Verb}-${Kind}`;

const WEIGHTS: Record<Kind, number> = { configmap: 6, secret: 3, deployment: 4, service: 3, rsp: 3, propagationpolicy: 2, overridepolicy: 2 };
const REFS: Record<Kind, ResourceRef> = {
  configmap: FEDERATED.configmaps, secret: FEDERATED.secrets, deployment: FEDERATED.deployments, service: FEDERATED.services,
  rsp: RSPS, propagationpolicy: PROPAGATION_POLICIES, overridepolicy: OVERRIDE_POLICIES,
};
const API_VERSION: Record<Kind, string> = {
  configmap: 'types.kubefed.io/v1beta1', secret: 'types.kubefed.io/v1beta1', deployment: 'types.kubefed.io/v1beta1', service: 'types.kubefed.io/v1beta1',
  rsp: 'scheduling.kubefed.io/v1alpha1', propagationpolicy: 'policy.kfed.io/v1alpha1', overridepolicy: 'policy.kfed.io/v1alpha1',
};

export interface WorkloadOptions {
  namespaces: number;
  /** most objects of one kind alive at once */
  maxPerKind: number;
}

interface Live {
  ns: string;
  name: string;
}

export class Workload {
  readonly namespaces: string[];
  /** operations attempted, by op, and how many the API refused or timed out */
  readonly ops = new Map<Op, number>();
  failed = 0;
  /** `ns/name` of every FederatedService made (their DNS names must be gone once deleted) */
  readonly servicesCreated: string[] = [];
  private readonly live = new Map<Kind, Live[]>();
  private serial = 0;

  constructor(private readonly host: ClusterClient, private readonly rng: Rng, private readonly o: WorkloadOptions) {
    this.namespaces = Array.from({ length: o.namespaces }, (_, i) => `${WORKLOAD_NS_PREFIX}${i}`);
  }

  /** The workload namespaces and their FederatedNamespaces (placed everywhere, never changed). */
  async setup(): Promise<void> {
    for (const ns of this.namespaces) {
      await this.host.dynamic.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      await this.host.dynamic.create(FEDERATED.namespaces, { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedNamespace', metadata: { name: ns, namespace: ns }, spec: { placement: { clusterSelector: {} } } } as KubeObject);
    }
  }

  /** One seeded operation; resolves whether or not the API accepted it. */
  async step(): Promise<Op> {
    const kind = this.rng.weighted(WEIGHTS);
    const alive = this.live.get(kind) ?? [];
    let verb: Verb = this.rng.weighted({ create: alive.length >= this.o.maxPerKind ? 0 : 4, edit: alive.length === 0 ? 0 : 5, delete: alive.length === 0 ? 0 : 2 });
    if (kind === 'rsp' && verb === 'create' && this.rspCandidates().length === 0) verb = alive.length > 0 ? 'edit' : 'create';
    const op: Op = `${verb}-${kind}`;
    this.ops.set(op, (this.ops.get(op) ?? 0) + 1);
    const target = verb === 'create' ? undefined : this.rng.pick(alive);
    try {
      if (target === undefined) await this.create(kind);
      else if (verb === 'edit') await this.edit(kind, target);
      else await this.remove(kind, target);
    } catch (err) {
      this.failed++;
      if (target && isNotFound(err)) this.forget(kind, (l) => l === target);
    }
    return op;
  }

  private forget(kind: Kind, match: (l: Live) => boolean): void {
    this.live.set(kind, (this.live.get(kind) ?? []).filter((l) => !match(l)));
  }

  private rspCandidates(): Live[] {
    const taken = new Set((this.live.get('rsp') ?? []).map((l) => `${l.ns}/${l.name}`));
    return (this.live.get('deployment') ?? []).filter((d) => !taken.has(`${d.ns}/${d.name}`));
  }

  private placement(): Record<string, unknown> | undefined {
    switch (this.rng.int(0, 3)) {
      case 0: return { clusterSelector: {} };
      case 1: return { clusters: this.rng.subset(CLUSTERS).map((name) => ({ name })) };
      case 2: return { clusterSelector: { matchLabels: { 'soak.kfed.io/tier': 'gold' } } };
      default: return undefined; // placed by a PropagationPolicy, if one selects it
    }
  }

  private overrides(path: string, op: 'add' | 'replace', value: () => unknown): Record<string, unknown>[] {
    return this.rng.subset([...CLUSTERS, undefined, undefined]).flatMap((c) => (c === undefined ? [] : [{ clusterName: c, clusterOverrides: [{ op, path, value: value() }] }]));
  }

  private template(kind: Kind, name: string): Record<string, unknown> {
    const v = this.rng.int(0, 999);
    switch (kind) {
      case 'configmap': return { data: { value: `v${v}`, name } };
      case 'secret': return { type: 'Opaque', data: { value: Buffer.from(`s${v}`).toString('base64') } };
      case 'deployment': return { spec: { replicas: this.rng.int(1, 4), selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: `registry.example/app:1.${v % 10}` }] } } } };
      case 'service': return { spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ name: 'http', port: 80 }] } };
      default: throw new Error(`soak workload: ${kind} has no template`);
    }
  }

  private fedSpec(kind: Kind, name: string, withRsp = false): Record<string, unknown> {
    const spec: Record<string, unknown> = { template: this.template(kind, name) };
    const placement = withRsp ? { clusterSelector: {} } : this.placement();
    if (placement) spec.placement = placement;
    if (kind === 'configmap') spec.overrides = this.overrides('/data/cluster', 'add', () => `c${this.rng.int(0, 99)}`);
    if (kind === 'secret') spec.overrides = this.overrides('/data/cluster', 'add', () => Buffer.from(`c${this.rng.int(0, 99)}`).toString('base64'));
    if (kind === 'deployment' && !withRsp) spec.overrides = this.overrides('/spec/replicas', 'replace', () => this.rng.int(0, 5));
    return spec;
  }

  private async create(kind: Kind): Promise<void> {
    const ns = this.rng.pick(this.namespaces);
    const name = `${kind.slice(0, 3)}-${++this.serial}`;
    const meta = { name, namespace: ns, labels: { [POLICY_LABEL]: this.rng.pick(['a', 'b']) } };
    const apiVersion = API_VERSION[kind];
    let obj: KubeObject;
    if (kind === 'rsp') {
      const target = this.rng.pick(this.rspCandidates());
      obj = { apiVersion, kind: 'ReplicaSchedulingPreference', metadata: { name: target.name, namespace: target.ns }, spec: this.rspSpec() } as KubeObject;
      await this.host.dynamic.create(RSPS, obj);
      this.live.set(kind, [...(this.live.get(kind) ?? []), { ns: target.ns, name: target.name }]);
      return;
    }
    if (kind === 'propagationpolicy') obj = { apiVersion, kind: 'PropagationPolicy', metadata: meta, spec: this.propagationPolicySpec() } as KubeObject;
    else if (kind === 'overridepolicy') obj = { apiVersion, kind: 'OverridePolicy', metadata: meta, spec: this.overridePolicySpec() } as KubeObject;
    else obj = { apiVersion, kind: REFS[kind].kind!, metadata: meta, spec: this.fedSpec(kind, name) } as KubeObject;
    await this.host.dynamic.create(REFS[kind], obj);
    this.live.set(kind, [...(this.live.get(kind) ?? []), { ns, name }]);
    if (kind === 'service') this.servicesCreated.push(`${ns}/${name}`);
    if (kind === 'service') await this.host.dynamic.create(SERVICE_DNS_RECORDS, { apiVersion: 'multiclusterdns.kubefed.io/v1alpha1', kind: 'ServiceDNSRecord', metadata: { name, namespace: ns }, spec: this.recordSpec(name) } as KubeObject);
  }

  private recordSpec(name: string): Record<string, unknown> {
    return { domainRef: DOMAIN_OBJECT, recordTTL: this.rng.pick([30, 60, 300]), allowServiceWithoutEndpoints: true, ...(this.rng.chance(0.5) ? { dnsPrefix: `p-${name}` } : {}) };
  }

  private rspSpec(): Record<string, unknown> {
    const clusters: Record<string, unknown> = {};
    for (const c of this.rng.subset(CLUSTERS)) clusters[c] = { weight: this.rng.int(1, 3), ...(this.rng.chance(0.3) ? { minReplicas: 1 } : {}) };
    return { targetKind: 'FederatedDeployment', totalReplicas: this.rng.int(2, 9), rebalance: this.rng.chance(0.5), ...(this.rng.chance(0.2) ? {} : { clusters }) };
  }

  private propagationPolicySpec(): Record<string, unknown> {
    const label = this.rng.pick(['a', 'b']);
    return {
      priority: this.rng.int(0, 3),
      resourceSelectors: [{ kind: 'ConfigMap', labelSelector: { matchLabels: { [POLICY_LABEL]: label } } }, { kind: 'Secret', labelSelector: { matchLabels: { [POLICY_LABEL]: label } } }],
      placement: { clusters: this.rng.subset(CLUSTERS).map((name) => ({ name })) },
    };
  }

  private overridePolicySpec(): Record<string, unknown> {
    return {
      priority: this.rng.int(0, 3),
      resourceSelectors: [{ kind: 'ConfigMap', labelSelector: { matchLabels: { [POLICY_LABEL]: this.rng.pick(['a', 'b']) } } }],
      overrideRules: [{ targetClusters: this.rng.chance(0.5) ? { clusters: this.rng.subset(CLUSTERS) } : { clusterSelector: { matchLabels: { 'soak.kfed.io/tier': 'gold' } } }, overriders: [{ op: 'add', path: '/data/policy', value: `o${this.rng.int(0, 99)}` }] }],
    };
  }

  private async patch(kind: Kind, target: Live, body: unknown): Promise<void> {
    await this.host.dynamic.patch(REFS[kind], target.name, body, { namespace: target.ns, type: 'merge' });
  }

  private async edit(kind: Kind, target: Live): Promise<void> {
    const hasRsp = (this.live.get('rsp') ?? []).some((r) => r.ns === target.ns && r.name === target.name);
    switch (kind) {
      case 'rsp': return this.patch(kind, target, { spec: this.rspSpec() });
      case 'propagationpolicy': return this.patch(kind, target, { spec: this.propagationPolicySpec() });
      case 'overridepolicy': return this.patch(kind, target, { spec: this.overridePolicySpec() });
      case 'service':
        if (this.rng.chance(0.5)) return this.patch(kind, target, { spec: { placement: this.placement() ?? null } });
        return this.host.dynamic.patch(SERVICE_DNS_RECORDS, target.name, { spec: { ...this.recordSpec(target.name), ...(this.rng.chance(0.5) ? { dnsPrefix: null } : {}) } }, { namespace: target.ns, type: 'merge' }).then(() => undefined);
      default: {
        // An RSP owns its target's placement and overrides: edit only the template there.
        const what = kind === 'deployment' && hasRsp ? 0 : this.rng.int(0, 3);
        if (what === 0) return this.patch(kind, target, { spec: { template: this.template(kind, target.name) } });
        if (what === 1) return this.patch(kind, target, { spec: { placement: this.placement() ?? null } });
        if (what === 2) return this.patch(kind, target, { metadata: { labels: { [POLICY_LABEL]: this.rng.pick(['a', 'b', 'c']) } } });
        const spec = this.fedSpec(kind, target.name);
        return this.patch(kind, target, { spec: { overrides: spec.overrides ?? null } });
      }
    }
  }

  private async remove(kind: Kind, target: Live): Promise<void> {
    if (kind === 'service') await this.host.dynamic.delete(SERVICE_DNS_RECORDS, target.name, { namespace: target.ns, ignoreNotFound: true });
    await this.host.dynamic.delete(REFS[kind], target.name, { namespace: target.ns, ignoreNotFound: true });
    this.forget(kind, (l) => l.ns === target.ns && l.name === target.name);
    // A deleted deployment's RSP stays (TargetNotFound) until the workload deletes it too.
  }
}
