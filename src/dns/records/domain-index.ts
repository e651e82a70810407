// Domains as the record controllers see them. As in Kubefed, a record's `spec.domainRef`
// names a Domain in the federation namespace (kube-federation-system by default),
// whatever namespace the record itself lives in.
import type { KubeObject } from '../../api/meta.js';
import type { DomainObject } from '../../api/multiclusterdns.js';
import type { Informer } from '../../kube/informer.js';

/** Read access to Domains by name, backed by an informer on the federation namespace. */
export class DomainIndex {
  constructor(
    private readonly informer: Informer<DomainObject>,
    readonly namespace: string,
  ) {}

  get(name: string | undefined): DomainObject | undefined {
    if (!name) return undefined;
    const d = this.informer.getByName(this.namespace, name);
    return d && !d.metadata.deletionTimestamp ? d : undefined;
  }

  /** True for a Domain event the records should hear about (one in the federation namespace). */
  concerns(obj: KubeObject): boolean {
    return obj.metadata.namespace === this.namespace;
  }
}

/** Keys (`ns/name`) of the records among `records` whose domainRef is `domainName`. */
export function recordKeysForDomain(records: readonly KubeObject[], domainName: string): string[] {
  const out: string[] = [];
  for (const r of records) {
    const ref = (r['spec'] as { domainRef?: unknown } | undefined)?.domainRef;
    if (ref === domainName && r.metadata.namespace && r.metadata.name) out.push(`${r.metadata.namespace}/${r.metadata.name}`);
  }
  return out;
}
