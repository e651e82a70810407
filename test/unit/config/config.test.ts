import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { buildConfig, ConfigError, MAX_DNS_WORKERS, parseDnsWorkers, parseListenAddress } from '../../../src/config/config.js';

const flags = { kubeconfigPath: '/tmp/kc', identity: 'me' };

describe('buildConfig', () => {
  it('defaults: health checks every 1 s, 1.5 s timeout, thresholds 2/1 (not Kubefed\'s 10s/3s/3), and kfed extras', () => {
    const c = buildConfig(flags);
    expect(c.kubefedNamespace).toBe('kube-federation-system');
    expect(c.clusterHealthCheck).toEqual({ periodMs: 1000, timeoutMs: 1500, failureThreshold: 2, successThreshold: 1, fastProbeIntervalMs: 200 });
    expect(c.leaderElection).toMatchObject({ enabled: true, leaseName: 'kubefed-controller-manager', identity: 'me', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 5000 });
    expect(c.metricsAddr).toEqual({ host: '0.0.0.0', port: 8080 });
  });

  it('takes the KubeFedConfig, and flags over it', () => {
    const kfc = { apiVersion: 'core.kubefed.io/v1beta1', kind: 'KubeFedConfig', metadata: { name: 'kubefed' }, spec: { scope: 'Namespaced' as const, clusterHealthCheck: { period: '1s', failureThreshold: 5 } } };
    const c = buildConfig({ ...flags, healthCheckFailureThreshold: 2 }, kfc);
    expect(c.scope).toBe('Namespaced');
    expect(c.clusterHealthCheck.periodMs).toBe(1000);
    expect(c.clusterHealthCheck.failureThreshold).toBe(2);
  });

  it('policies place plain resources only when asked (--policy-propagate-plain-resources)', () => {
    expect(buildConfig(flags).policies).toEqual({ propagatePlainResources: false });
    expect(buildConfig({ ...flags, policyPropagatePlainResources: true }).policies).toEqual({ propagatePlainResources: true });
  });

  it('names every invalid field', () => {
    const kfc = { apiVersion: 'core.kubefed.io/v1beta1', kind: 'KubeFedConfig', metadata: { name: 'kubefed' }, spec: { scope: 'Cluster' as const, clusterHealthCheck: { period: 'soon' } } };
    expect(() => buildConfig(flags, kfc)).toThrow(/spec.clusterHealthCheck.period/);
    expect(() => buildConfig({ ...flags, healthCheckSuccessThreshold: 0 })).toThrow(ConfigError);
    expect(() => buildConfig({})).toThrow(/--kubeconfig/);
    expect(() => buildConfig({ ...flags, metricsAddr: 'nonsense' })).toThrow(/metrics address/);
  });
});

describe('parseListenAddress', () => {
  it('accepts host:port, :port, [v6]:port and 0', () => {
    expect(parseListenAddress('127.0.0.1:9090')).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(parseListenAddress(':0')).toEqual({ host: '0.0.0.0', port: 0 });
    expect(parseListenAddress('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseListenAddress('0')).toBeUndefined();
  });
});

describe('embedded DNS server configuration', () => {
  it('is off unless --dns-listen names an address', () => {
    expect(buildConfig(flags).dns).toBeUndefined();
    expect(buildConfig({ ...flags, dnsListen: 'off' }).dns).toBeUndefined();
    expect(buildConfig({ ...flags, dnsListen: '0' }).dns).toBeUndefined();
  });

  it('parses the listen address and the geolocation database', () => {
    expect(buildConfig({ ...flags, dnsListen: ':5353' }).dns).toEqual({
      listen: { host: '0.0.0.0', port: 5353 }, geoDatabase: { kind: 'bundled' }, externalDNS: true, workers: 0,
      nameServerAddresses: [], nameServerService: undefined, latencyTable: undefined, defaultLocation: undefined, unlocatedClients: 'default',
      rateLimit: { responsesPerSecond: 100, burst: 100, slip: 2, ipv4PrefixLength: 24, ipv6PrefixLength: 56, exemptLoopback: true },
      maxUdpPayload: 1232, tcpIdleTimeoutMs: 10_000, maxTcpConnections: 256, udpThreads: 1,
    });
    expect(buildConfig({ ...flags, dnsListen: '[::1]:53', dnsGeoDatabase: 'none', dnsExternalDNS: false }).dns).toMatchObject({ listen: { host: '::1', port: 53 }, geoDatabase: { kind: 'none' }, externalDNS: false, workers: 0 });
    expect(buildConfig({ ...flags, dnsListen: '127.0.0.1:0', dnsGeoDatabase: '/data/GeoLite2-City.mmdb' }).dns?.geoDatabase).toEqual({ kind: 'file', path: '/data/GeoLite2-City.mmdb' });
  });

  it('rejects what is not an IP and port, naming the flag', () => {
    expect(() => buildConfig({ ...flags, dnsListen: 'localhost:53' })).toThrow(/dns listen address "localhost:53": "localhost" is not an IP address/);
    expect(() => buildConfig({ ...flags, dnsListen: '127.0.0.1:99999' })).toThrow(/dns listen address .*bad port/);
    expect(() => buildConfig({ ...flags, dnsListen: '5353' })).toThrow(ConfigError);
  });
});

describe('DNS worker processes (--dns-workers)', () => {
  const dns = { ...flags, dnsListen: '127.0.0.1:5353' };

  it('defaults to 0: the server answers in the controller process', () => {
    expect(buildConfig(dns).dns?.workers).toBe(0);
    expect(parseDnsWorkers(undefined)).toBe(0);
  });

  it('takes a count, from the command line (string) or a caller (number)', () => {
    expect(buildConfig({ ...dns, dnsWorkers: '0' }).dns?.workers).toBe(0);
    expect(buildConfig({ ...dns, dnsWorkers: '2' }).dns?.workers).toBe(2);
    expect(buildConfig({ ...dns, dnsWorkers: 3 }).dns?.workers).toBe(3);
    expect(buildConfig({ ...dns, dnsWorkers: ' 4 ' }).dns?.workers).toBe(4);
    expect(parseDnsWorkers(String(MAX_DNS_WORKERS))).toBe(MAX_DNS_WORKERS);
  });

  it('auto is one worker per available core', () => {
    expect(buildConfig({ ...dns, dnsWorkers: 'auto' }).dns?.workers).toBe(Math.min(availableParallelism(), MAX_DNS_WORKERS));
    expect(parseDnsWorkers('AUTO')).toBe(Math.min(availableParallelism(), MAX_DNS_WORKERS));
  });

  it.each(['-1', 'abc', '1.5', '', '2x', '1e1', String(MAX_DNS_WORKERS + 1)])('rejects %j with an error naming the value and what is accepted', (v) => {
    expect(() => buildConfig({ ...dns, dnsWorkers: v })).toThrow(ConfigError);
    expect(() => buildConfig({ ...dns, dnsWorkers: v })).toThrow(`dns workers ${JSON.stringify(v)}: expected 0 (serve in this process), a number of worker processes from 1 to ${MAX_DNS_WORKERS}, or auto`);
  });

  it('rejects negative and fractional numbers from callers too', () => {
    expect(() => parseDnsWorkers(-1)).toThrow(/dns workers -1: expected 0/);
    expect(() => parseDnsWorkers(2.5)).toThrow(ConfigError);
  });

  it('validates the value even with DNS off, so a bad KFED_DNS_WORKERS is not silently kept', () => {
    expect(buildConfig({ ...flags, dnsWorkers: '2' }).dns).toBeUndefined();
    expect(() => buildConfig({ ...flags, dnsWorkers: 'abc' })).toThrow(ConfigError);
  });
});
