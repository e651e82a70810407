// Watches the host's KubeFedConfig `kubefed` while kfed runs and says what an edit means:
// an invalid value gets a Warning event `InvalidKubeFedConfig` naming every bad field (kfed
// keeps running with what it has); a valid change of a field read at start-up gets a
// Warning event `RestartRequired` naming the fields. Before, edits were silently ignored and
// the nonsense surfaced only as a crash loop at the next start. Leader only, so one replica
// speaks; each verdict is reported once per generation.
import { KUBEFED_CONFIG_NAME, type KubeFedConfig, KUBEFED_CONFIGS } from '../api/core.js';
import type { EventRecorder } from './events.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { clusterInformer } from '../kube/informer.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import type { Registry } from '../observability/metrics.js';
import type { Runnable } from '../runtime/runnable.js';
import { compareKubeFedConfig, type KubeFedConfigVerdict } from '../config/kubefedconfig-check.js';

export interface KubeFedConfigWatcherOptions {
  host: ClusterClient;
  namespace: string;
  /** the KubeFedConfig the process runs with (defaulted, invalid fields already replaced) */
  running: KubeFedConfig;
  events: EventRecorder;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
}

export function verdictMessage(v: KubeFedConfigVerdict): string {
  if (v.kind === 'invalid') return `invalid KubeFedConfig, not applied (kfed keeps its current settings): ${v.problems.join('; ')}`;
  if (v.kind === 'restartRequired') return `${v.fields.join(', ')} changed; kfed reads them at start-up: restart it (kubectl rollout restart deployment/kfed-controller) to apply them`;
  return 'in effect';
}

export class KubeFedConfigWatcher implements Runnable {
  readonly name = 'kubefedconfig-watcher';
  readonly needLeaderElection = true;
  private readonly log: Logger;
  private readonly reported = new Set<string>();

  constructor(private readonly o: KubeFedConfigWatcherOptions) {
    this.log = (o.logger ?? silentLogger()).child({ component: 'kubefedconfig-watcher' });
  }

  async start(signal: AbortSignal): Promise<void> {
    const informer = clusterInformer<KubeFedConfig>(this.o.host, KUBEFED_CONFIGS, { namespace: this.o.namespace, logger: this.o.logger, registry: this.o.registry });
    informer.addHandlers({ onAdd: (c) => this.check(c), onUpdate: (_a, c) => this.check(c) });
    await informer.start(signal);
  }

  /** Report what the stored object means for the running process (once per generation and verdict). */
  check(stored: KubeFedConfig): KubeFedConfigVerdict {
    const verdict = stored.metadata.name === KUBEFED_CONFIG_NAME ? compareKubeFedConfig(this.o.running, stored) : { kind: 'unchanged' as const };
    if (verdict.kind === 'unchanged') return verdict;
    const key = `${stored.metadata.uid ?? ''}/${stored.metadata.generation ?? 0}/${verdict.kind}`;
    if (this.reported.has(key)) return verdict;
    this.reported.add(key);
    const message = verdictMessage(verdict);
    if (verdict.kind === 'invalid') this.log.error({ problems: verdict.problems }, 'KubeFedConfig has invalid values; not applied');
    else this.log.warn({ fields: verdict.fields }, 'KubeFedConfig changed; restart to apply');
    // List items may come without apiVersion and kind; the Event must still name its object.
    const involved = { ...stored, apiVersion: 'core.kubefed.io/v1beta1', kind: 'KubeFedConfig' };
    this.o.events.record(involved, 'Warning', verdict.kind === 'invalid' ? 'InvalidKubeFedConfig' : 'RestartRequired', message);
    return verdict;
  }
}
