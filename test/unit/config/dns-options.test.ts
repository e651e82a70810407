// The DNS server's options (issue 18 item 3): every flag parsed, and a bad value named.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError } from '../../../src/config/config.js';
import { parseDefaultLocation, parseLatencyTable, parseRateLimit } from '../../../src/config/dns-options.js';

const flags = { kubeconfigPath: 'kubeconfig', dnsListen: ':5353' };

describe('DNS server options', () => {
  it('takes every option from its flag', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfed-dns-options-'));
    const table = join(dir, 'latency.yaml');
    writeFileSync(table, 'latencyMs:\n  af-south-1: {eu-west-1: 160, ap-southeast-1: 300}\nregions:\n  onprem-1: {lat: 52.4, lon: 4.9}\n');
    const dns = buildConfig({
      ...flags, dnsNameServerAddresses: '192.0.2.53, 2001:db8::53', dnsService: 'kfed-dns', dnsLatencyTable: table,
      dnsDefaultLocation: 'country:de,region:eu-west-1', dnsUnlocatedClients: 'all', dnsRateLimit: 'responses-per-second=20,slip=0,ipv4-prefix=32',
      dnsMaxUdpPayload: '4096', dnsTcpIdleTimeout: '2s', dnsMaxTcpConnections: '16', dnsUdpThreads: '2',
    }).dns;
    expect(dns).toMatchObject({
      nameServerAddresses: ['192.0.2.53', '2001:db8::53'], nameServerService: 'kfed-dns',
      latencyTable: { latencyMs: { 'af-south-1': { 'eu-west-1': 160, 'ap-southeast-1': 300 } }, regions: { 'onprem-1': { lat: 52.4, lon: 4.9 } } },
      defaultLocation: { country: 'DE', region: 'eu-west-1' }, unlocatedClients: 'all',
      rateLimit: { responsesPerSecond: 20, burst: 20, slip: 0, ipv4PrefixLength: 32, ipv6PrefixLength: 56, exemptLoopback: true },
      maxUdpPayload: 4096, tcpIdleTimeoutMs: 2000, maxTcpConnections: 16, udpThreads: 2,
    });
  });

  it('turns rate limiting off, or takes a bare rate', () => {
    expect(parseRateLimit('off')).toBe(false);
    expect(parseRateLimit('50')).toMatchObject({ responsesPerSecond: 50, burst: 50 });
    expect(parseRateLimit('responses-per-second=10,burst=40,exempt-loopback=false')).toMatchObject({ responsesPerSecond: 10, burst: 40, exemptLoopback: false });
  });

  it('takes a bare region map as a latency table', () => {
    expect(parseLatencyTable('{"a": {"b": 12}}', 'x')).toEqual({ latencyMs: { a: { b: 12 } }, regions: {} });
  });

  it.each([
    [{ dnsNameServerAddresses: 'ns1.example.com' }, /--dns-nameserver-addresses: "ns1.example.com" is not an IP address/],
    [{ dnsService: 'Kfed_DNS' }, /--dns-service "Kfed_DNS"/],
    [{ dnsLatencyTable: '/nonexistent/latency.yaml' }, /--dns-latency-table "\/nonexistent\/latency.yaml": ENOENT/],
    [{ dnsDefaultLocation: 'Germany' }, /--dns-default-location "Germany": expected country:XX/],
    [{ dnsUnlocatedClients: 'some' }, /--dns-unlocated-clients "some": expected default or all/],
    [{ dnsRateLimit: 'rate=5' }, /--dns-rate-limit "rate=5": unknown setting "rate"/],
    [{ dnsRateLimit: 'slip=99' }, /--dns-rate-limit slip "99": expected an integer from 0 to 10/],
    [{ dnsMaxUdpPayload: '100' }, /--dns-max-udp-payload "100": expected an integer from 512 to 4096/],
    [{ dnsTcpIdleTimeout: 'soon' }, /--dns-tcp-idle-timeout "soon"/],
    [{ dnsMaxTcpConnections: '0' }, /--dns-max-tcp-connections "0"/],
    [{ dnsUdpThreads: '0' }, /--dns-udp-threads "0": expected an integer from 1 to 16/],
    [{ dnsUdpThreads: 'many' }, /--dns-udp-threads "many"/],
  ])('refuses %j with a ConfigError naming the flag', (bad, message) => {
    expect(() => buildConfig({ ...flags, ...bad })).toThrow(ConfigError);
    expect(() => buildConfig({ ...flags, ...bad })).toThrow(message);
  });

  it('refuses a latency table entry that is not milliseconds', () => {
    expect(() => parseLatencyTable('latencyMs: {a: {b: fast}}', 't.yaml')).toThrow(/latency table t.yaml: a -> b: "fast" is not a number/);
    expect(() => parseDefaultLocation('region:EU West')).toThrow(/--dns-default-location/);
  });
});
