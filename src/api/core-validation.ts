// Defaulting and validation for core.kubefed.io objects, following Kubefed's webhook
// (pkg/apis/core/v1beta1/defaults and validation) so the same manifests are accepted.
import {
  TLS_VALIDATIONS,
  groupQualifiedName,
  type APIResource,
  type FederatedTypeConfig,
  type FeatureGateName,
  type FeatureGatesConfig,
  type FieldError,
  type KubeFedCluster,
  type KubeFedConfig,
} from './core.js';

const DURATION_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parse a Go duration string (`1m30s`, `250ms`, `0`) into milliseconds; undefined when malformed. */
export function parseDuration(value: string): number | undefined {
  if (value === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  const sign = value.startsWith('-') ? -1 : 1;
  const body = value.replace(/^[+-]/, '');
  for (let m = re.exec(body); m; m = re.exec(body)) {
    total += Number(m[1]) * (DURATION_UNITS_MS[m[2] ?? ''] ?? Number.NaN);
    consumed = re.lastIndex;
  }
  if (body.length === 0 || consumed !== body.length || Number.isNaN(total)) return undefined;
  return sign * total;
}

/** Kubefed's default gates; unknown gates a user sets are kept (and rejected by validation). */
export const DEFAULT_FEATURE_GATES: Readonly<Record<FeatureGateName, boolean>> = {
  PushReconciler: true,
  SchedulerPreferences: true,
  CrossClusterServiceDiscovery: false,
  FederatedIngress: false,
  RawResourceStatusCollection: false,
};

/** spec.clusterHealthCheck defaults: probe every second, 1.5 s without an answer fails a probe, two in a row fail the member. */
export const DEFAULT_HEALTH_CHECK = { period: '1s', timeout: '1500ms', failureThreshold: 2 } as const;

/**
 * Defaults as Kubefed's SetDefaultKubeFedConfig, except resourceLock, which is `leases` (kfed
 * elects with a Lease), and clusterHealthCheck (DEFAULT_HEALTH_CHECK).
 */
export function defaultKubeFedConfig(config: KubeFedConfig): KubeFedConfig {
  const out = structuredClone(config);
  const spec = out.spec;
  spec.controllerDuration = {
    availableDelay: '20s',
    unavailableDelay: '1m0s',
    cacheSyncTimeout: '5m0s',
    ...spec.controllerDuration,
  };
  spec.leaderElect = { leaseDuration: '15s', renewDeadline: '10s', retryPeriod: '5s', resourceLock: 'leases', ...spec.leaderElect };
  const gates: FeatureGatesConfig[] = [...(spec.featureGates ?? [])];
  for (const [name, enabled] of Object.entries(DEFAULT_FEATURE_GATES)) {
    if (!gates.some((g) => g.name === name)) gates.push({ name, configuration: enabled ? 'Enabled' : 'Disabled' });
  }
  // Sorted so the defaulted object is deterministic (Kubefed sorts too).
  spec.featureGates = gates.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // kfed's health defaults, not Kubefed's 10s/3s/3: a member that goes silent must leave DNS
  // within 5 s (p95), and a 500 ms latency spike must not fail it over (README, Cluster health;
  // measured by `npm run bench -- partition`).
  spec.clusterHealthCheck = { period: DEFAULT_HEALTH_CHECK.period, timeout: DEFAULT_HEALTH_CHECK.timeout, failureThreshold: DEFAULT_HEALTH_CHECK.failureThreshold, successThreshold: 1, ...spec.clusterHealthCheck };
  spec.syncController = { maxConcurrentReconciles: 1, adoptResources: 'Enabled', ...spec.syncController };
  spec.statusController = { maxConcurrentReconciles: 1, ...spec.statusController };
  return out;
}

/** Is the feature gate on in a (defaulted or not) config? */
export function featureEnabled(config: KubeFedConfig, gate: FeatureGateName): boolean {
  const set = config.spec.featureGates?.find((g) => g.name === gate);
  return set ? set.configuration === 'Enabled' : DEFAULT_FEATURE_GATES[gate];
}

function enumError(field: string, value: unknown, accepted: readonly string[]): FieldError[] {
  if (value === undefined || value === '') return [{ field, message: 'Required value' }];
  if (!accepted.includes(String(value))) {
    return [{ field, message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${accepted.map((a) => `"${a}"`).join(', ')}` }];
  }
  return [];
}

function positiveDuration(field: string, value: string | undefined): FieldError[] {
  if (value === undefined) return [{ field, message: 'Required value' }];
  const ms = parseDuration(value);
  if (ms === undefined) return [{ field, message: `Invalid value: ${JSON.stringify(value)}: not a duration` }];
  if (ms <= 0) return [{ field, message: `Invalid value: ${JSON.stringify(value)}: should be greater than 0` }];
  return [];
}

function positiveInt(field: string, value: number | undefined): FieldError[] {
  if (value === undefined) return [{ field, message: 'Required value' }];
  if (!Number.isInteger(value) || value <= 0) return [{ field, message: `Invalid value: ${value}: should be greater than 0` }];
  return [];
}

const KNOWN_GATES = Object.keys(DEFAULT_FEATURE_GATES);
// client-go's leader election jitter: renewDeadline must exceed retryPeriod * 1.2.
const LEADER_JITTER_FACTOR = 1.2;

/** Validate a defaulted KubeFedConfig as Kubefed's webhook does. Empty list = valid. */
export function validateKubeFedConfig(config: KubeFedConfig): FieldError[] {
  const spec = config.spec;
  const errs: FieldError[] = [...enumError('spec.scope', spec.scope, ['Cluster', 'Namespaced'])];
  const d = spec.controllerDuration;
  if (!d) errs.push({ field: 'spec.controllerDuration', message: 'Required value' });
  else {
    errs.push(...positiveDuration('spec.controllerDuration.availableDelay', d.availableDelay));
    errs.push(...positiveDuration('spec.controllerDuration.unavailableDelay', d.unavailableDelay));
  }
  const le = spec.leaderElect;
  if (!le) errs.push({ field: 'spec.leaderElect', message: 'Required value' });
  else {
    errs.push(...positiveDuration('spec.leaderElect.leaseDuration', le.leaseDuration));
    errs.push(...positiveDuration('spec.leaderElect.renewDeadline', le.renewDeadline));
    errs.push(...positiveDuration('spec.leaderElect.retryPeriod', le.retryPeriod));
    const lease = parseDuration(le.leaseDuration ?? '');
    const renew = parseDuration(le.renewDeadline ?? '');
    const retry = parseDuration(le.retryPeriod ?? '');
    if (lease !== undefined && renew !== undefined && lease <= renew) {
      errs.push({ field: 'spec.leaderElect.leaseDuration', message: 'leaseDuration must be greater than renewDeadline' });
    }
    if (renew !== undefined && retry !== undefined && renew <= retry * LEADER_JITTER_FACTOR) {
      errs.push({ field: 'spec.leaderElect.renewDeadline', message: 'renewDeadline must be greater than retryPeriod*JitterFactor(1.2)' });
    }
    errs.push(...enumError('spec.leaderElect.resourceLock', le.resourceLock, ['configmaps', 'endpoints', 'leases']));
  }
  if (!spec.featureGates) errs.push({ field: 'spec.featureGates', message: 'Required value' });
  else {
    const seen = new Set<string>();
    for (const gate of spec.featureGates) {
      if (seen.has(gate.name)) {
        errs.push({ field: 'spec.featureGates.name', message: `Duplicate value: ${JSON.stringify(gate.name)}` });
        continue;
      }
      seen.add(gate.name);
      errs.push(...enumError('spec.featureGates.name', gate.name, KNOWN_GATES));
      errs.push(...enumError('spec.featureGates.configuration', gate.configuration, ['Enabled', 'Disabled']));
    }
  }
  const h = spec.clusterHealthCheck;
  if (!h) errs.push({ field: 'spec.clusterHealthCheck', message: 'Required value' });
  else {
    errs.push(...positiveDuration('spec.clusterHealthCheck.period', h.period));
    errs.push(...positiveInt('spec.clusterHealthCheck.failureThreshold', h.failureThreshold));
    errs.push(...positiveInt('spec.clusterHealthCheck.successThreshold', h.successThreshold));
    errs.push(...positiveDuration('spec.clusterHealthCheck.timeout', h.timeout));
  }
  const sync = spec.syncController;
  if (!sync) errs.push({ field: 'spec.syncController', message: 'Required value' });
  else errs.push(...enumError('spec.syncController.adoptResources', sync.adoptResources, ['Enabled', 'Disabled']));
  return errs;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function isIP(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (/^(\d{1,3})(\.\d{1,3}){3}$/.test(h)) return h.split('.').every((o) => Number(o) <= 255);
  return h.includes(':') && /^[0-9a-fA-F:.]+$/.test(h);
}

function validateAPIEndpoint(endpoint: string): FieldError[] {
  const field = 'spec.apiEndpoint';
  if (!endpoint) return [{ field, message: 'Required value' }];
  // client-go treats a bare host[:port] as https.
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(endpoint) ? endpoint : `https://${endpoint}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (cause) {
    return [{ field, message: `Invalid value: ${JSON.stringify(endpoint)}: ${(cause as Error).message}` }];
  }
  const errs = enumError(field, url.protocol.replace(/:$/, ''), ['http', 'https']);
  if (!isIP(url.hostname) && (!DNS1123_SUBDOMAIN.test(url.hostname) || url.hostname.length > 253)) {
    errs.push({ field, message: `Invalid value: ${JSON.stringify(url.hostname)}: must be a valid IP address or DNS-1123 subdomain` });
  }
  return errs;
}

/** Validate a KubeFedCluster spec (`status` is written by kfed and checked by its writer). */
export function validateKubeFedCluster(cluster: KubeFedCluster): FieldError[] {
  const spec = cluster.spec;
  const errs = validateAPIEndpoint(spec.apiEndpoint);
  const secret = spec.secretRef?.name;
  if (!secret) errs.push({ field: 'spec.secretRef.name', message: 'Required value' });
  else if (!DNS1123_SUBDOMAIN.test(secret)) errs.push({ field: 'spec.secretRef.name', message: `Invalid value: ${JSON.stringify(secret)}: must be a DNS-1123 subdomain` });
  const tls = spec.disabledTLSValidations ?? [];
  for (const v of tls) errs.push(...enumError('spec.disabledTLSValidations', v, TLS_VALIDATIONS));
  if (tls.includes('*') && tls.length > 1) {
    errs.push({ field: 'spec.disabledTLSValidations', message: 'when * is specified, it is expected to be the only option in list' });
  }
  if (spec.proxyURL) {
    try {
      new URL(spec.proxyURL);
    } catch {
      errs.push({ field: 'spec.proxyURL', message: `Invalid value: ${JSON.stringify(spec.proxyURL)}: not a URL` });
    }
  }
  return errs;
}

function validateAPIResource(r: APIResource | undefined, path: string, requireDottedGroup: boolean): FieldError[] {
  if (!r) return [{ field: path, message: 'Required value' }];
  const errs: FieldError[] = [];
  if (requireDottedGroup) {
    if (!r.group) errs.push({ field: `${path}.group`, message: 'Required value' });
    else if (!r.group.includes('.')) errs.push({ field: `${path}.group`, message: `Invalid value: ${JSON.stringify(r.group)}: should be a domain with at least one dot` });
  }
  if (r.group && !DNS1123_SUBDOMAIN.test(r.group)) errs.push({ field: `${path}.group`, message: `Invalid value: ${JSON.stringify(r.group)}: must be a DNS-1123 subdomain` });
  for (const [key, value] of [['version', r.version], ['kind', r.kind?.toLowerCase()], ['pluralName', r.pluralName]] as const) {
    if (!value) errs.push({ field: `${path}.${key}`, message: 'Required value' });
    else if (!DNS1035_LABEL.test(value)) errs.push({ field: `${path}.${key}`, message: `Invalid value: ${JSON.stringify(value)}: must be a DNS-1035 label` });
  }
  errs.push(...enumError(`${path}.scope`, r.scope, ['Cluster', 'Namespaced']));
  return errs;
}

/** Validate a defaulted FederatedTypeConfig: the name must be `TARGET_PLURAL(.TARGET_GROUP)`. */
export function validateFederatedTypeConfig(ftc: FederatedTypeConfig): FieldError[] {
  const errs: FieldError[] = [];
  const spec = ftc.spec;
  if (spec.targetType && ftc.metadata.name !== groupQualifiedName(spec.targetType)) {
    errs.push({ field: 'metadata.name', message: "name must be 'TARGET_PLURAL_NAME(.TARGET_GROUP_NAME)'" });
  }
  errs.push(...validateAPIResource(spec.targetType, 'spec.targetType', false));
  errs.push(...enumError('spec.propagation', spec.propagation, ['Enabled', 'Disabled']));
  errs.push(...validateAPIResource(spec.federatedType, 'spec.federatedType', true));
  if (spec.statusType) errs.push(...validateAPIResource(spec.statusType, 'spec.statusType', true));
  if (spec.statusCollection !== undefined) errs.push(...enumError('spec.statusCollection', spec.statusCollection, ['Enabled', 'Disabled']));
  return errs;
}
