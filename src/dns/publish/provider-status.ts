// The DNSProvider's status: conditions Ready (the provider answers, credentials work,
// zones were found) and Synced (the last pass published everything it could), per-zone
// record counts with the last sync and error, the total of records kfed owns there, and
// the notes of what the provider does with routing it cannot store natively. Written
// through the status subresource, only when it changed.
import type { DNSProvider, DNSProviderStatus } from '../../api/dns-provider.js';
import type { Condition } from '../../api/meta.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import type { Clock } from '../../runtime/clock.js';
import { mergeCondition } from '../records/record-status.js';
import { DNS_PROVIDERS } from '../../api/dns-provider.js';
import type { PassResult } from './provider-state.js';

export type ProviderOutcome = { invalid: string } | { result: PassResult };

const READY_REASON: Record<string, string> = {
  auth: 'AuthFailed',
  config: 'ConfigError',
  unavailable: 'Unavailable',
  throttled: 'Throttled',
  error: 'Unavailable',
};

export function providerStatus(obj: DNSProvider, outcome: ProviderOutcome, clock: Clock): DNSProviderStatus {
  const now = (): Date => new Date(clock.now());
  const generation = obj.metadata.generation ?? 0;
  let conditions: Condition[] = obj.status?.conditions ?? [];
  const set = (type: string, status: Condition['status'], reason: string, message: string): void => {
    conditions = mergeCondition(conditions, { type, status, reason, message, observedGeneration: generation }, now);
  };
  if ('invalid' in outcome) {
    set('Ready', 'False', 'InvalidSpec', outcome.invalid);
    set('Synced', 'False', 'InvalidSpec', 'nothing is published until the spec is fixed');
    return { observedGeneration: generation, conditions, records: 0, zones: [] };
  }
  const r = outcome.result;
  const zones = r.zones.map((z) => `${z.zone} (${z.records})`).join(', ');
  if (r.error && r.error.kind !== 'rejected' && r.error.kind !== 'conflict') {
    set('Ready', 'False', READY_REASON[r.error.kind] ?? 'Unavailable', r.error.message);
    set('Synced', 'False', 'ProviderError', r.error.message);
  } else if (r.zones.length === 0) {
    set('Ready', 'False', 'NoZones', 'the provider holds no zone for the configured domains');
    set('Synced', 'False', 'NoZones', 'nothing to publish to');
  } else {
    set('Ready', 'True', 'Available', `zones: ${zones}`);
    if (r.error) set('Synced', 'False', 'SyncFailed', r.error.message);
    else set('Synced', 'True', 'Synced', `${r.records} records published`);
  }
  const status: DNSProviderStatus = { observedGeneration: generation, conditions, records: r.records, zones: r.zones };
  if (r.notes.length > 0) status.notes = r.notes;
  return status;
}

/** Merge-patches the status subresource when it differs from what the object carries. */
export async function writeProviderStatus(host: ClusterClient, obj: DNSProvider, status: DNSProviderStatus, signal: AbortSignal): Promise<boolean> {
  if (JSON.stringify(canonical(obj.status)) === JSON.stringify(canonical(status))) return false;
  await host.dynamic.patch(DNS_PROVIDERS, obj.metadata.name ?? '', { status: { ...status, notes: status.notes ?? null } }, {
    namespace: obj.metadata.namespace ?? '', type: 'merge', subresource: 'status', fieldManager: 'kfed-dns-publishing', signal,
  });
  return true;
}

function canonical(s: DNSProviderStatus | undefined): unknown {
  if (!s) return null;
  return { ...s, conditions: [...(s.conditions ?? [])].sort((a, b) => (a.type < b.type ? -1 : 1)), notes: s.notes ?? [] };
}
