// `kfed controller`: run the control plane against a host cluster until SIGINT/SIGTERM.
// Every flag can also come from the environment (KFED_<FLAG>); a flag on the command
// line wins over the environment, which wins over the host's KubeFedConfig, which wins
// over the defaults.
import { Option, type Command } from 'commander';
import type { ConfigFlags } from '../config/config.js';
import type { LogLevel } from '../observability/logger.js';
import { bool, defaultKubeconfigPath, failure, int, namespaceName, runningInPod } from './cli-support.js';
import { replicaIdentity, runUntilSignal } from './controller-command-runtime.js';

interface ControllerFlags {
  kubeconfig?: string;
  context?: string;
  kubefedNamespace: string;
  metricsAddr: string;
  dnsListen?: string;
  dnsGeoipDb?: string;
  dnsExternalDns: boolean;
  publishExternalDns: boolean;
  dnsEndpointNamespaces?: string;
  dnsEndpointSelector?: string;
  dnsWorkers?: string;
  dnsNameserverAddresses?: string;
  dnsService?: string;
  dnsLatencyTable?: string;
  dnsDefaultLocation?: string;
  dnsUnlocatedClients?: string;
  dnsRateLimit?: string;
  dnsMaxUdpPayload?: string;
  dnsTcpIdleTimeout?: string;
  dnsMaxTcpConnections?: string;
  leaderElect: boolean;
  leaderElectionId: string;
  healthCheckPeriod?: string;
  healthCheckTimeout?: string;
  healthCheckFailureThreshold?: number;
  healthCheckSuccessThreshold?: number;
  healthCheckFastProbeInterval?: string;
  rspUnschedulableAfter?: string;
  rspReplanInterval?: string;
  logLevel: LogLevel;
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** `--flag` with its KFED_ environment variable. */
function opt(flags: string, description: string, env: string): Option {
  return new Option(flags, description).env(env);
}

function dnsOptionFlags(f: ControllerFlags): ConfigFlags {
  const out: ConfigFlags = {};
  if (f.dnsNameserverAddresses !== undefined) out.dnsNameServerAddresses = f.dnsNameserverAddresses;
  if (f.dnsService !== undefined) out.dnsService = f.dnsService;
  if (f.dnsLatencyTable !== undefined) out.dnsLatencyTable = f.dnsLatencyTable;
  if (f.dnsDefaultLocation !== undefined) out.dnsDefaultLocation = f.dnsDefaultLocation;
  if (f.dnsUnlocatedClients !== undefined) out.dnsUnlocatedClients = f.dnsUnlocatedClients;
  if (f.dnsRateLimit !== undefined) out.dnsRateLimit = f.dnsRateLimit;
  if (f.dnsMaxUdpPayload !== undefined) out.dnsMaxUdpPayload = f.dnsMaxUdpPayload;
  if (f.dnsTcpIdleTimeout !== undefined) out.dnsTcpIdleTimeout = f.dnsTcpIdleTimeout;
  if (f.dnsMaxTcpConnections !== undefined) out.dnsMaxTcpConnections = f.dnsMaxTcpConnections;
  return out;
}

export function registerControllerCommand(program: Command): void {
  program
    .command('controller')
    .description('run the kfed control plane (every controller, the embedded DNS server, /metrics) against a host cluster')
    .addOption(opt('--kubeconfig <path>', 'kubeconfig of the host cluster (default: in-cluster config in a pod, else $KUBECONFIG or ~/.kube/config)', 'KFED_KUBECONFIG'))
    .addOption(opt('--context <context>', 'kubeconfig context of the host cluster (default: current context)', 'KFED_CONTEXT'))
    .addOption(opt('--kubefed-namespace <ns>', 'namespace of the control plane, its KubeFedClusters, Domains and KubeFedConfig', 'KFED_NAMESPACE').argParser(namespaceName).default('kube-federation-system'))
    .addOption(opt('--metrics-addr <addr>', 'where to serve /metrics, /healthz and /readyz (host:port, :port; 0 disables)', 'KFED_METRICS_ADDR').default(':8080'))
    .addOption(opt('--dns-listen <addr>', 'serve DNS on UDP and TCP here (host:port, :port, [v6]:port; e.g. :5353); every replica serves; default: off', 'KFED_DNS_LISTEN'))
    .addOption(opt('--dns-geoip-db <path>', 'MMDB file for client locations (latency/geo answers); "bundled" = GeoLite2 shipped with kfed, "none" = no geolocation', 'KFED_DNS_GEOIP_DB'))
    .addOption(opt('--dns-external-dns [bool]', 'also serve externaldns.k8s.io/v1alpha1 DNSEndpoints', 'KFED_DNS_EXTERNAL_DNS').argParser(bool).default(true))
    .addOption(opt('--dns-endpoint-namespaces <list>', 'also read externaldns.k8s.io DNSEndpoints from these namespaces (comma-separated; * = every namespace); default: only the KubeFed namespace and the namespaces of kfed\'s records', 'KFED_DNS_ENDPOINT_NAMESPACES'))
    .addOption(opt('--dns-endpoint-selector <labels>', 'also read externaldns.k8s.io DNSEndpoints whose labels match (key=value, key!=value, key, !key; comma-separated)', 'KFED_DNS_ENDPOINT_SELECTOR'))
    .addOption(opt('--publish-external-dns [bool]', 'also publish externaldns.k8s.io/v1alpha1 DNSEndpoints through DNSProviders (off: external-dns publishes its own)', 'KFED_PUBLISH_EXTERNAL_DNS').argParser(bool).default(false))
    .addOption(opt('--dns-workers <n|auto>', 'answer DNS in N worker processes sharing the socket (batched UDP sends, one process and geolocation database each); "auto" = one per core; 0 = in this process (default)', 'KFED_DNS_WORKERS'))
    .addOption(opt('--dns-nameserver-addresses <ips>', 'addresses of the Domains\' in-zone name servers (A/AAAA at ns1.<domain> and the like), comma-separated; default: the --dns-service load balancer\'s', 'KFED_DNS_NAMESERVER_ADDRESSES'))
    .addOption(opt('--dns-service <name>', 'Service in --kubefed-namespace whose load-balancer IPs are the name servers\' addresses when --dns-nameserver-addresses is not given (the chart passes its kfed-dns Service)', 'KFED_DNS_SERVICE'))
    .addOption(opt('--dns-latency-table <file>', 'YAML/JSON region-to-region latencies for latency routing (latencyMs: {from: {to: ms}}, regions: {name: {lat, lon}}); default: the built-in table', 'KFED_DNS_LATENCY_TABLE'))
    .addOption(opt('--dns-default-location <loc>', 'location assumed for clients the geolocation database cannot place: country:XX and/or region:NAME, comma-separated', 'KFED_DNS_DEFAULT_LOCATION'))
    .addOption(opt('--dns-unlocated-clients <mode>', 'geo answers to unlocated clients: "default" (the * clusters when a record has them, else every cluster) or "all"', 'KFED_DNS_UNLOCATED_CLIENTS').choices(['default', 'all']).default('default'))
    .addOption(opt('--dns-rate-limit <spec>', 'UDP response-rate limiting per client prefix: "off", responses per second, or responses-per-second=,burst=,slip=,ipv4-prefix=,ipv6-prefix=,exempt-loopback= (default 100/s per /24 or /56, slip 2)', 'KFED_DNS_RATE_LIMIT'))
    .addOption(opt('--dns-max-udp-payload <bytes>', 'largest UDP answer sent and advertised in EDNS (512-4096)', 'KFED_DNS_MAX_UDP_PAYLOAD').default('1232'))
    .addOption(opt('--dns-tcp-idle-timeout <duration>', 'idle DNS TCP connections are closed after this', 'KFED_DNS_TCP_IDLE_TIMEOUT').default('10s'))
    .addOption(opt('--dns-max-tcp-connections <n>', 'concurrent DNS TCP connections; more are refused', 'KFED_DNS_MAX_TCP_CONNECTIONS').default('256'))
    .addOption(opt('--leader-elect [bool]', 'elect a leader with a coordination.k8s.io Lease so only one replica reconciles', 'KFED_LEADER_ELECT').argParser(bool).default(true))
    .addOption(opt('--leader-election-id <name>', 'name of the Lease (in --kubefed-namespace)', 'KFED_LEADER_ELECTION_ID').default('kubefed-controller-manager'))
    .addOption(opt('--health-check-period <duration>', 'override KubeFedConfig spec.clusterHealthCheck.period', 'KFED_HEALTH_CHECK_PERIOD'))
    .addOption(opt('--health-check-timeout <duration>', 'override KubeFedConfig spec.clusterHealthCheck.timeout', 'KFED_HEALTH_CHECK_TIMEOUT'))
    .addOption(opt('--health-check-failure-threshold <n>', 'override KubeFedConfig spec.clusterHealthCheck.failureThreshold', 'KFED_HEALTH_CHECK_FAILURE_THRESHOLD').argParser(int))
    .addOption(opt('--health-check-success-threshold <n>', 'override KubeFedConfig spec.clusterHealthCheck.successThreshold', 'KFED_HEALTH_CHECK_SUCCESS_THRESHOLD').argParser(int))
    .addOption(opt('--health-check-fast-probe-interval <duration>', 'spacing of confirmation probes when a member refuses connections (0 disables the fast path)', 'KFED_HEALTH_CHECK_FAST_PROBE_INTERVAL').default('200ms'))
    .addOption(opt('--rsp-unschedulable-after <duration>', 'ReplicaSchedulingPreference: a pod Unschedulable this long counts against its cluster\'s capacity', 'KFED_RSP_UNSCHEDULABLE_AFTER').default('60s'))
    .addOption(opt('--rsp-replan-interval <duration>', 'ReplicaSchedulingPreference: re-plan every RSP this often', 'KFED_RSP_REPLAN_INTERVAL').default('30s'))
    .addOption(opt('--log-level <level>', 'log level of the JSON logs on stdout', 'KFED_LOG_LEVEL').choices(LOG_LEVELS).default('info'))
    .action(async (f: ControllerFlags) => {
      const inCluster = f.kubeconfig === undefined && runningInPod();
      const flags: ConfigFlags = {
        ...(inCluster ? { inCluster: true } : { kubeconfigPath: f.kubeconfig ?? defaultKubeconfigPath() }),
        ...(f.context !== undefined ? { context: f.context } : {}),
        kubefedNamespace: f.kubefedNamespace,
        metricsAddr: f.metricsAddr,
        ...(f.dnsListen !== undefined ? { dnsListen: f.dnsListen } : {}),
        ...(f.dnsGeoipDb !== undefined ? { dnsGeoDatabase: f.dnsGeoipDb } : {}),
        dnsExternalDNS: f.dnsExternalDns,
        publishExternalDNS: f.publishExternalDns,
        ...(f.dnsEndpointNamespaces !== undefined ? { dnsEndpointNamespaces: f.dnsEndpointNamespaces } : {}),
        ...(f.dnsEndpointSelector !== undefined ? { dnsEndpointSelector: f.dnsEndpointSelector } : {}),
        ...(f.dnsWorkers !== undefined ? { dnsWorkers: f.dnsWorkers } : {}),
        ...dnsOptionFlags(f),
        leaderElect: f.leaderElect,
        leaderElectionId: f.leaderElectionId,
        identity: replicaIdentity(),
        ...(f.healthCheckPeriod !== undefined ? { healthCheckPeriod: f.healthCheckPeriod } : {}),
        ...(f.healthCheckTimeout !== undefined ? { healthCheckTimeout: f.healthCheckTimeout } : {}),
        ...(f.healthCheckFailureThreshold !== undefined ? { healthCheckFailureThreshold: f.healthCheckFailureThreshold } : {}),
        ...(f.healthCheckSuccessThreshold !== undefined ? { healthCheckSuccessThreshold: f.healthCheckSuccessThreshold } : {}),
        ...(f.healthCheckFastProbeInterval !== undefined ? { healthCheckFastProbeInterval: f.healthCheckFastProbeInterval } : {}),
        ...(f.rspUnschedulableAfter !== undefined ? { rspUnschedulableAfter: f.rspUnschedulableAfter } : {}),
        ...(f.rspReplanInterval !== undefined ? { rspReplanInterval: f.rspReplanInterval } : {}),
        logLevel: f.logLevel,
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
