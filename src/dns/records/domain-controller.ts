// Domain controller: the `Valid` condition on each Domain of the federation namespace
// (a bad `domain` or `nameServer` shows up in `kubectl describe domain`, and the records
// referring to it say InvalidDomain). Written only when it changed.
import type { DomainObject } from '../../api/multiclusterdns.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import type { Informer } from '../../kube/informer.js';
import type { Logger } from '../../observability/logger.js';
import type { Registry } from '../../observability/metrics.js';
import { Controller } from '../../runtime/controller.js';
import { mergeCondition, writeStatusIfChanged } from './record-status.js';
import { Expectations } from '../../runtime/expectations.js';
import { DOMAINS } from '../../api/multiclusterdns.js';
import { validateDomain, validCondition } from './validate.js';

export interface DomainControllerOptions {
  host: ClusterClient;
  domains: Informer<DomainObject>;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
  now?: (() => Date) | undefined;
}

export class DomainController {
  readonly controller: Controller<string>;
  private readonly overlay = new Expectations<DomainObject>();
  private readonly now: () => Date;

  constructor(private readonly o: DomainControllerOptions) {
    this.now = o.now ?? (() => new Date());
    this.controller = new Controller<string>({
      name: 'domain',
      reconcile: async (key, signal) => {
        await this.reconcile(key, signal);
      },
      workers: 1,
      logger: o.logger,
      registry: o.registry,
    });
    const enqueue = (d: DomainObject): void => {
      const key = `${d.metadata.namespace ?? ''}/${d.metadata.name ?? ''}`;
      this.overlay.forget(key);
      this.controller.enqueue(key);
    };
    o.domains.addHandlers({ onAdd: enqueue, onUpdate: (_a, b) => enqueue(b), onDelete: enqueue });
  }

  enqueueAll(): void {
    for (const k of this.o.domains.keys()) this.controller.enqueue(k);
  }

  /** Returns true when it wrote the status. */
  async reconcile(key: string, signal: AbortSignal): Promise<boolean> {
    const cached = this.o.domains.get(key);
    if (!cached || cached.metadata.deletionTimestamp) return false;
    const domain = this.overlay.current(key, cached);
    const generation = domain.metadata.generation;
    const condition = validCondition(validateDomain(domain), generation);
    const status = {
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      conditions: mergeCondition(domain.status?.conditions, condition, this.now),
    };
    return writeStatusIfChanged(this.o.host.dynamic, DOMAINS, key, domain, status, this.overlay, signal);
  }
}
