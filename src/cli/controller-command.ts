// `kfed controller`: run the control plane against a host cluster until SIGINT/SIGTERM.
// Every flag can also come from the environment (KFED_<FLAG>); a flag on the command
// line wins over the environment, which wins over the host's KubeFedConfig, which wins
// over the defaults. The flags are one table whose keys are ConfigFlags' own: what the
// user gave passes straight into src/config, which holds every default (CONFIG_DEFAULTS).
import { Option, type Command } from 'commander';
import { CONFIG_DEFAULTS, type ConfigFlags } from '../config/config.js';
import type { LogLevel } from '../observability/logger.js';
import { bool, defaultKubeconfigPath, failure, int, namespaceName, runningInPod } from './cli-support.js';
import { replicaIdentity, runUntilSignal } from './controller-command-runtime.js';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const D = CONFIG_DEFAULTS;

/** One row per flag: the ConfigFlags key it sets, its KFED_ environment variable, its help. */
interface FlagRow {
  key: keyof ConfigFlags | 'kubeconfig';
  flags: string;
  env: string;
  help: string;
  /** Shown in --help; applied by buildConfig (src/config), not here. */
  default?: string | number | boolean;
  parse?: (value: string) => unknown;
  choices?: readonly string[];
}

const FLAGS: readonly FlagRow[] = [
  { key: 'kubeconfig', flags: '--kubeconfig <path>', env: 'KFED_KUBECONFIG', help: 'kubeconfig of the host cluster (default: in-cluster config in a pod, else $KUBECONFIG or ~/.kube/config)' },
  { key: 'context', flags: '--context <context>', env: 'KFED_CONTEXT', help: 'kubeconfig context of the host cluster (default: current context)' },
  { key: 'kubefedNamespace', flags: '--kubefed-namespace <ns>', env: 'KFED_NAMESPACE', help: 'namespace of the control plane, its KubeFedClusters, Domains and KubeFedConfig', default: D.kubefedNamespace, parse: namespaceName },
  { key: 'metricsAddr', flags: '--metrics-addr <addr>', env: 'KFED_METRICS_ADDR', help: 'where to serve /metrics, /healthz and /readyz (host:port, :port; 0 disables)', default: D.metricsAddr },
  { key: 'dnsListen', flags: '--dns-listen <addr>', env: 'KFED_DNS_LISTEN', help: 'serve DNS on UDP and TCP here (host:port, :port, [v6]:port; e.g. :5353); every replica serves; default: off' },
  { key: 'dnsGeoDatabase', flags: '--dns-geoip-db <path>', env: 'KFED_DNS_GEOIP_DB', help: 'MMDB file for client locations (latency/geo answers); "bundled" = GeoLite2 shipped with kfed, "none" = no geolocation', default: D.dnsGeoDatabase },
  { key: 'dnsExternalDNS', flags: '--dns-external-dns [bool]', env: 'KFED_DNS_EXTERNAL_DNS', help: 'also serve externaldns.k8s.io/v1alpha1 DNSEndpoints', default: D.dnsExternalDNS, parse: bool },
  { key: 'dnsEndpointNamespaces', flags: '--dns-endpoint-namespaces <list>', env: 'KFED_DNS_ENDPOINT_NAMESPACES', help: 'also read externaldns.k8s.io DNSEndpoints from these namespaces (comma-separated; * = every namespace); default: only the KubeFed namespace and the namespaces of kfed\'s records' },
  { key: 'dnsEndpointSelector', flags: '--dns-endpoint-selector <labels>', env: 'KFED_DNS_ENDPOINT_SELECTOR', help: 'also read externaldns.k8s.io DNSEndpoints whose labels match (key=value, key!=value, key, !key; comma-separated)' },
  { key: 'publishExternalDNS', flags: '--publish-external-dns [bool]', env: 'KFED_PUBLISH_EXTERNAL_DNS', help: 'also publish externaldns.k8s.io/v1alpha1 DNSEndpoints through DNSProviders (off: external-dns publishes its own)', default: D.publishExternalDNS, parse: bool },
  { key: 'dnsWorkers', flags: '--dns-workers <n|auto>', env: 'KFED_DNS_WORKERS', help: 'answer DNS in N worker processes sharing the socket (batched UDP sends, one process and geolocation database each); "auto" = one per core; 0 = in this process', default: D.dnsWorkers },
  { key: 'dnsNameServerAddresses', flags: '--dns-nameserver-addresses <ips>', env: 'KFED_DNS_NAMESERVER_ADDRESSES', help: 'addresses of the Domains\' in-zone name servers (A/AAAA at ns1.<domain> and the like), comma-separated; default: the --dns-service load balancer\'s' },
  { key: 'dnsService', flags: '--dns-service <name>', env: 'KFED_DNS_SERVICE', help: 'Service in --kubefed-namespace whose load-balancer IPs are the name servers\' addresses when --dns-nameserver-addresses is not given (the chart passes its kfed-dns Service)' },
  { key: 'dnsLatencyTable', flags: '--dns-latency-table <file>', env: 'KFED_DNS_LATENCY_TABLE', help: 'YAML/JSON region-to-region latencies for latency routing (latencyMs: {from: {to: ms}}, regions: {name: {lat, lon}}); default: the built-in table' },
  { key: 'dnsDefaultLocation', flags: '--dns-default-location <loc>', env: 'KFED_DNS_DEFAULT_LOCATION', help: 'location assumed for clients the geolocation database cannot place: country:XX and/or region:NAME, comma-separated' },
  { key: 'dnsUnlocatedClients', flags: '--dns-unlocated-clients <mode>', env: 'KFED_DNS_UNLOCATED_CLIENTS', help: 'geo answers to unlocated clients: "default" (the * clusters when a record has them, else every cluster) or "all"', default: D.dnsUnlocatedClients, choices: ['default', 'all'] },
  { key: 'dnsRateLimit', flags: '--dns-rate-limit <spec>', env: 'KFED_DNS_RATE_LIMIT', help: 'UDP response-rate limiting per client prefix: "off", responses per second, or responses-per-second=,burst=,slip=,ipv4-prefix=,ipv6-prefix=,exempt-loopback= (default 100/s per /24 or /56, slip 2)' },
  { key: 'dnsMaxUdpPayload', flags: '--dns-max-udp-payload <bytes>', env: 'KFED_DNS_MAX_UDP_PAYLOAD', help: 'largest UDP answer sent and advertised in EDNS (512-4096)', default: D.dnsMaxUdpPayload },
  { key: 'dnsTcpIdleTimeout', flags: '--dns-tcp-idle-timeout <duration>', env: 'KFED_DNS_TCP_IDLE_TIMEOUT', help: 'idle DNS TCP connections are closed after this', default: D.dnsTcpIdleTimeout },
  { key: 'dnsUdpThreads', flags: '--dns-udp-threads <n>', env: 'KFED_DNS_UDP_THREADS', help: 'UDP serving threads per serving process (1-16): extra threads answer cached questions in C from their own SO_REUSEPORT sockets and one shared answer cache', default: D.dnsUdpThreads },
  { key: 'dnsMaxTcpConnections', flags: '--dns-max-tcp-connections <n>', env: 'KFED_DNS_MAX_TCP_CONNECTIONS', help: 'concurrent DNS TCP connections; more are refused', default: D.dnsMaxTcpConnections },
  { key: 'leaderElect', flags: '--leader-elect [bool]', env: 'KFED_LEADER_ELECT', help: 'elect a leader with a coordination.k8s.io Lease so only one replica reconciles', default: D.leaderElect, parse: bool },
  { key: 'leaderElectionId', flags: '--leader-election-id <name>', env: 'KFED_LEADER_ELECTION_ID', help: 'name of the Lease (in --kubefed-namespace)', default: D.leaderElectionId },
  { key: 'healthCheckPeriod', flags: '--health-check-period <duration>', env: 'KFED_HEALTH_CHECK_PERIOD', help: 'override KubeFedConfig spec.clusterHealthCheck.period' },
  { key: 'healthCheckTimeout', flags: '--health-check-timeout <duration>', env: 'KFED_HEALTH_CHECK_TIMEOUT', help: 'override KubeFedConfig spec.clusterHealthCheck.timeout' },
  { key: 'healthCheckFailureThreshold', flags: '--health-check-failure-threshold <n>', env: 'KFED_HEALTH_CHECK_FAILURE_THRESHOLD', help: 'override KubeFedConfig spec.clusterHealthCheck.failureThreshold', parse: int },
  { key: 'healthCheckSuccessThreshold', flags: '--health-check-success-threshold <n>', env: 'KFED_HEALTH_CHECK_SUCCESS_THRESHOLD', help: 'override KubeFedConfig spec.clusterHealthCheck.successThreshold', parse: int },
  { key: 'healthCheckFastProbeInterval', flags: '--health-check-fast-probe-interval <duration>', env: 'KFED_HEALTH_CHECK_FAST_PROBE_INTERVAL', help: 'spacing of confirmation probes when a member refuses connections (0 disables the fast path)', default: D.healthCheckFastProbeInterval },
  { key: 'rspUnschedulableAfter', flags: '--rsp-unschedulable-after <duration>', env: 'KFED_RSP_UNSCHEDULABLE_AFTER', help: 'ReplicaSchedulingPreference: a pod Unschedulable this long counts against its cluster\'s capacity', default: D.rspUnschedulableAfter },
  { key: 'rspReplanInterval', flags: '--rsp-replan-interval <duration>', env: 'KFED_RSP_REPLAN_INTERVAL', help: 'ReplicaSchedulingPreference: re-plan every RSP this often', default: D.rspReplanInterval },
  { key: 'policyPropagatePlainResources', flags: '--policy-propagate-plain-resources [bool]', env: 'KFED_POLICY_PROPAGATE_PLAIN_RESOURCES', help: 'PropagationPolicies also federate the plain host objects they select by target kind (Karmada-style): kfed keeps a generated Federated<Kind> per selected object', default: D.policyPropagatePlainResources, parse: bool },
  { key: 'logLevel', flags: '--log-level <level>', env: 'KFED_LOG_LEVEL', help: 'log level of the JSON logs on stdout', default: D.logLevel, choices: LOG_LEVELS },
];

function option(row: FlagRow): Option {
  const help = row.default !== undefined ? `${row.help} (default: ${JSON.stringify(row.default)})` : row.help;
  const o = new Option(row.flags, help).env(row.env);
  if (row.parse) o.argParser(row.parse);
  if (row.choices) o.choices(row.choices);
  return o;
}

/** What commander parsed, as ConfigFlags: only the flags given (on the command line or in the environment). */
function configFlags(parsed: Record<string, unknown>, options: readonly Option[]): ConfigFlags {
  const out: Record<string, unknown> = {};
  FLAGS.forEach((row, i) => {
    const value = parsed[options[i]!.attributeName()];
    if (value !== undefined && row.key !== 'kubeconfig') out[row.key] = value;
  });
  return out as ConfigFlags;
}

export function registerControllerCommand(program: Command): void {
  const options = FLAGS.map(option);
  const command = program
    .command('controller')
    .description('run the kfed control plane (every controller, the embedded DNS server, /metrics) against a host cluster');
  for (const o of options) command.addOption(o);
  command.action(async (parsed: Record<string, unknown>) => {
    const kubeconfig = parsed.kubeconfig as string | undefined;
    const inCluster = kubeconfig === undefined && runningInPod();
    const flags: ConfigFlags = {
      ...configFlags(parsed, options),
      ...(inCluster ? { inCluster: true } : { kubeconfigPath: kubeconfig ?? defaultKubeconfigPath() }),
      identity: replicaIdentity(),
    };
    let cp;
    try {
      // Loaded on use so that `kfed join` and friends start quickly.
      const [{ loadConfig }, { startControlPlane }] = await Promise.all([import('../config/load.js'), import('../app/control-plane.js')]);
      cp = await startControlPlane(await loadConfig(flags));
    } catch (err) {
      const e = err as Error & { cause?: unknown };
      throw failure(e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message);
    }
    await runUntilSignal(cp);
  });
}
