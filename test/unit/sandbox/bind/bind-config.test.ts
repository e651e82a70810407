import { describe, expect, it } from 'vitest';
import { generateKey, renderNamedConf, renderZoneFile, zoneFileName } from '../../../../src/sandbox/bind/bind-config.js';

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
