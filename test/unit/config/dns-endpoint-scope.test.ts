import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError } from '../../../src/config/config.js';
import { parseEndpointNamespaces, parseEndpointSelector } from '../../../src/config/dns-endpoint-scope.js';

describe('--dns-endpoint-namespaces and --dns-endpoint-selector', () => {
  it('parse namespace lists and kubectl equality selectors', () => {
    expect(parseEndpointNamespaces(undefined)).toEqual([]);
    expect(parseEndpointNamespaces('team-b, team-a,team-b')).toEqual(['team-a', 'team-b']);
    expect(parseEndpointNamespaces('*')).toEqual(['*']);
    expect(parseEndpointSelector('')).toBeUndefined();
    expect(parseEndpointSelector('team=dns, tier!=test,managed,!legacy,example.com/owner==ops')).toEqual({
      matchLabels: { team: 'dns', 'example.com/owner': 'ops' },
      matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['test'] }, { key: 'managed', operator: 'Exists' }, { key: 'legacy', operator: 'DoesNotExist' }],
    });
  });

  it('refuses bad values with the flag named', () => {
    expect(() => parseEndpointNamespaces('Team_A')).toThrow(/dns endpoint namespaces "Team_A": "Team_A" is not a namespace name/);
    expect(() => parseEndpointSelector('team=dns=x')).toThrow(/dns endpoint selector .*invalid label value/);
    expect(() => parseEndpointSelector('!team=dns')).toThrow(/mixes ! with a value/);
    expect(() => buildConfig({ kubeconfigPath: 'k', dnsEndpointNamespaces: 'a,B' })).toThrow(ConfigError);
  });

  it('reach the Config: off by default', () => {
    expect(buildConfig({ kubeconfigPath: 'k' }).dnsEndpoints).toEqual({ externalDNSNamespaces: [] });
    expect(buildConfig({ kubeconfigPath: 'k', dnsEndpointNamespaces: 'dns', dnsEndpointSelector: 'team=dns' }).dnsEndpoints).toEqual({ externalDNSNamespaces: ['dns'], externalDNSSelector: { matchLabels: { team: 'dns' } } });
  });
});
