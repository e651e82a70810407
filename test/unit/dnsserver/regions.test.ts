import { describe, expect, it } from 'vitest';
import { builtInRegions, createLatencyTable, greatCircleKm } from '../../../src/dnsserver/regions.js';

describe('latency table', () => {
  const t = createLatencyTable();
  it('knows AWS, GCP and Azure regions', () => {
    for (const r of ['eu-west-1', 'us-east-1', 'ap-northeast-1', 'europe-west3', 'us-central1', 'asia-southeast1', 'westeurope', 'eastus', 'japaneast']) {
      expect(t.regionIndex(r)).toBeGreaterThanOrEqual(0);
    }
    expect(Object.keys(builtInRegions()).length).toBeGreaterThan(120);
  });
  it('great-circle distance is about right (Frankfurt-New York ~6,200 km)', () => {
    expect(greatCircleKm({ lat: 50.11, lon: 8.68 }, { lat: 40.71, lon: -74.0 })).toBeGreaterThan(6000);
    expect(greatCircleKm({ lat: 50.11, lon: 8.68 }, { lat: 40.71, lon: -74.0 })).toBeLessThan(6400);
  });
  const nearest: [string, number, number, RegExp][] = [
    ['Berlin', 52.5, 13.4, /^(europe-west10|germanynorth)$/],
    ['Sydney', -33.9, 151.2, /^(ap-southeast-2|australia-southeast1|australiaeast)$/],
    ['Sao Paulo', -23.5, -46.6, /^(sa-east-1|southamerica-east1|brazilsouth)$/],
  ];
  for (const [city, lat, lon, want] of nearest) {
    it(`places a client in ${city} at the nearest region`, () => expect(t.regionName(t.nearestRegion(lat, lon))).toMatch(want));
  }
  it('orders latencies by distance by default', () => {
    const fra = t.regionIndex('eu-central-1');
    expect(t.latency(fra, t.regionIndex('eu-west-1'))).toBeLessThan(t.latency(fra, t.regionIndex('us-east-1')));
    expect(t.latency(fra, t.regionIndex('us-east-1'))).toBeLessThan(t.latency(fra, t.regionIndex('ap-northeast-1')));
    expect(t.latency(fra, fra)).toBe(0);
    expect(t.latency(fra, -1)).toBe(Infinity);
  });
  it('takes custom regions and measured latencies (symmetric)', () => {
    const c = createLatencyTable({ regions: { 'onprem-fra': { lat: 50.1, lon: 8.7 } }, latencyMs: { 'eu-central-1': { 'us-east-1': 5 }, lab: { 'eu-west-1': 1 } } });
    expect(c.latency(c.regionIndex('us-east-1'), c.regionIndex('eu-central-1'))).toBe(5);
    expect(c.latency(c.regionIndex('onprem-fra'), c.regionIndex('eu-central-1'))).toBeLessThan(1);
    expect(c.latency(c.regionIndex('lab'), c.regionIndex('eu-west-1'))).toBe(1);
    expect(c.latency(c.regionIndex('lab'), c.regionIndex('us-east-1'))).toBe(Infinity);
    expect(() => createLatencyTable({ latencyMs: { a: { b: -1 } } })).toThrow(/bad entry a -> b/);
  });
});
