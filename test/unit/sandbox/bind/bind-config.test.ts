import { describe, expect, it } from 'vitest';
import { generateKey, renderNamedConf, renderZoneFile, zoneFileName } from '../../../../src/sandbox/bind/bind-config.js';
import { bindProviderObjects, locateNamed } from '../../../../src/sandbox/bind/index.js';

describe('BIND configuration for the sandbox and tests', () => {
  it('grants the key updates and transfers of every zone, on the loopback port only', () => {
    const key = generateKey();
    const conf = renderNamedConf({ dir: '/tmp/x', port: 5454, key, zones: [{ name: 'example.com' }, { name: 'example.org' }] });
    expect(conf).toContain('listen-on port 5454 { 127.0.0.1; };');
    expect(conf).toContain(`key "kfed-key" {\n  algorithm hmac-sha256;\n  secret "${key.secret}";\n};`);
    for (const zone of ['example.com', 'example.org']) {
      expect(conf).toContain(`zone "${zone}" {\n  type primary;\n  file "/tmp/x/${zone}.zone";\n  update-policy { grant kfed-key zonesub ANY; };\n  allow-transfer { key kfed-key; };\n};`);
    }
    expect(conf).toContain('recursion no;');
    expect(conf).toContain('controls { };');
  });

  it('makes keys of the size tsig-keygen makes, fresh each time', () => {
    expect(Buffer.from(generateKey().secret, 'base64')).toHaveLength(32);
    expect(Buffer.from(generateKey('k', 'hmac-sha512').secret, 'base64')).toHaveLength(64);
    expect(Buffer.from(generateKey('k', 'hmac-sha1').secret, 'base64')).toHaveLength(20);
    expect(generateKey().secret).not.toBe(generateKey().secret);
  });

  it('writes a zone with SOA, NS, the name server\'s address and the extra lines', () => {
    const text = renderZoneFile({ name: 'example.com', records: ['keep IN A 198.51.100.7'] });
    expect(text.split('\n')).toEqual([
      '$ORIGIN example.com.',
      '$TTL 300',
      '@ IN SOA ns.example.com. hostmaster.example.com. ( 1 3600 600 86400 60 )',
      '@ IN NS ns.example.com.',
      'ns IN A 192.0.2.53',
      'keep IN A 198.51.100.7',
      '',
    ]);
    expect(zoneFileName('a/b.example')).toBe('a_b.example.zone');
  });
});

describe('bindProviderObjects', () => {
  it('makes a Secret with the TSIG secret and an rfc2136 DNSProvider that references it', () => {
    const tsig = generateKey();
    const { secret, provider } = bindProviderObjects({ server: '127.0.0.1:5354', tsig, domains: ['example.com'] });
    expect(secret).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bind-tsig', namespace: 'kube-federation-system' }, type: 'Opaque', stringData: { secret: tsig.secret } });
    expect(provider).toEqual({
      apiVersion: 'dns.kfed.io/v1alpha1',
      kind: 'DNSProvider',
      metadata: { name: 'bind', namespace: 'kube-federation-system' },
      spec: { type: 'rfc2136', domains: ['example.com'], rfc2136: { server: '127.0.0.1:5354', tsigKeyName: 'kfed-key', tsigAlgorithm: 'hmac-sha256', tsigSecretRef: { name: 'bind-tsig', key: 'secret' } } },
    });
  });
});

describe('locateNamed', () => {
  it('looks on PATH first, then in the sbin folders, and says undefined when named is nowhere', () => {
    const found = locateNamed('/nonexistent');
    expect(found === undefined || /\/s?bin\/named$/.test(found)).toBe(true);
    expect(locateNamed('')).toBe(found);
  });
});
