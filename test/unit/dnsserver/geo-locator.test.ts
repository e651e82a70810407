import { describe, expect, it } from 'vitest';
import { openMaxmindGeoLocator, toLocation } from '../../../src/dnsserver/geo-locator.js';

describe('MaxMind geolocation', () => {
  it('locates European, American and Asian addresses with the bundled GeoLite2 files', async () => {
    const geo = await openMaxmindGeoLocator();
    expect(geo.lookup('81.2.69.160')).toMatchObject({ country: 'GB', continent: 'EU' });
    expect(geo.lookup('8.8.8.8')).toMatchObject({ country: 'US', continent: 'NA' });
    expect(geo.lookup('133.242.0.1')).toMatchObject({ country: 'JP', continent: 'AS' });
    expect(geo.lookup('2a00:1450::1')).toMatchObject({ country: 'IE', continent: 'EU' });
    const de = geo.lookup('5.9.0.1');
    expect(de?.lat).toBeTypeOf('number');
    expect(de?.prefixLength).toBeGreaterThan(8);
    expect(de?.prefixLength).toBeLessThanOrEqual(32);
  });
  it('returns undefined for private, documentation and non-addresses', async () => {
    const geo = await openMaxmindGeoLocator();
    for (const ip of ['10.1.2.3', '192.168.1.1', '127.0.0.1', '192.0.2.1', '::1', 'not-an-ip']) expect(geo.lookup(ip)).toBeUndefined();
  });
  it('fails with context for a missing file', async () => {
    await expect(openMaxmindGeoLocator({ path: '/nonexistent/db.mmdb' })).rejects.toThrow(/open MMDB \/nonexistent\/db.mmdb/);
  });
  it('reads MaxMind GeoIP2 schema records too', () => {
    expect(toLocation({ continent: { code: 'EU' }, country: { iso_code: 'FR' }, location: { latitude: 48.8, longitude: 2.3 } }, 22)).toEqual({ country: 'FR', continent: 'EU', lat: 48.8, lon: 2.3, prefixLength: 22 });
    expect(toLocation({ registered_country: { iso_code: 'br' } }, 12)).toEqual({ country: 'BR', continent: 'SA', prefixLength: 12 });
    expect(toLocation({}, 8)).toBeUndefined();
    expect(toLocation(null, 8)).toBeUndefined();
  });
});
