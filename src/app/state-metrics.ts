// State metrics computed at scrape time from the current leadership term's caches (no extra API
// calls, nothing kept per object): how many federated objects are propagated and why
// not, and how many DNS records and endpoints exist. Only the leader runs the caches
// behind them, so a standby reports no series, which is what a dashboard summing over
// replicas wants. Labels are bounded: the enabled types, closed reason unions, kinds.
import type { MultiClusterDNS } from '../dns/records/dns-controllers.js';
import { Gauge, registerOnce, type Registry } from '../observability/metrics.js';
import type { TypeConfigController } from '../propagation/types/type-config-controller.js';
import type { Runnable } from '../runtime/runnable.js';

export interface StateSources {
  propagation?: Pick<TypeConfigController, 'configs' | 'syncController'>;
  dns?: Pick<MultiClusterDNS, 'hostInformers'>;
}

interface Conditioned {
  status?: { conditions?: { type?: string; status?: string; reason?: string }[] };
}

/** Finds the sources among the control plane's runnables by what they expose. */
export function stateSources(runnables: readonly Runnable[]): StateSources {
  const out: StateSources = {};
  for (const r of runnables) {
    if (r.name === 'federated-type-config-controller' && 'syncController' in r && 'configs' in r) out.propagation = r as unknown as TypeConfigController;
    if (r.name === 'multicluster-dns' && 'hostInformers' in r) out.dns = r as unknown as MultiClusterDNS;
  }
  return out;
}

export function registerStateMetrics(registry: Registry, sources: () => StateSources): void {
  registerOnce(registry, 'app/state', (r) => {
    new Gauge({
      name: 'kfed_federated_resources',
      help: 'Federated objects by type (FederatedTypeConfig name) and Propagation condition status and reason, as the leader sees them.',
      labelNames: ['type', 'status', 'reason'],
      registers: [r],
      collect() {
        this.reset();
        const { propagation } = sources();
        if (!propagation?.configs.hasSynced()) return;
        for (const ftc of propagation.configs.list()) {
          const type = ftc.metadata.name ?? '';
          const sync = propagation.syncController(type);
          if (!sync?.federated.hasSynced()) continue;
          for (const obj of sync.federated.list() as Conditioned[]) {
            const cond = obj.status?.conditions?.find((c) => c.type === 'Propagation');
            this.labels(type, cond?.status ?? 'Unknown', cond?.reason ?? '').inc();
          }
        }
      },
    });
    new Gauge({
      name: 'kfed_dns_records',
      help: 'ServiceDNSRecords and IngressDNSRecords by kind and Valid condition status, as the leader sees them.',
      labelNames: ['kind', 'valid'],
      registers: [r],
      collect() {
        this.reset();
        const { dns } = sources();
        if (!dns) return;
        const count = (kind: string, objs: readonly Conditioned[]): void => {
          for (const o of objs) this.labels(kind, o.status?.conditions?.find((c) => c.type === 'Valid')?.status ?? 'Unknown').inc();
        };
        const { serviceRecords, ingressRecords } = dns.hostInformers;
        if (serviceRecords.hasSynced()) count('ServiceDNSRecord', serviceRecords.list());
        if (ingressRecords.hasSynced()) count('IngressDNSRecord', ingressRecords.list());
      },
    });
    new Gauge({
      name: 'kfed_dns_endpoints',
      help: 'Endpoints (name, type, set identifier) in the DNSEndpoints kfed renders, as the leader sees them.',
      registers: [r],
      collect() {
        const inf = sources().dns?.hostInformers.dnsEndpoints;
        if (!inf?.hasSynced()) {
          this.reset();
          return;
        }
        this.set(inf.list().reduce((n, e) => n + (e.spec?.endpoints?.length ?? 0), 0));
      },
    });
    return true;
  });
}
