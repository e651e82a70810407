import { describe, expect, it } from 'vitest';
import { backbone } from '../../../src/dnsserver/backbone.js';
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
  it('orders latencies by the backbone by default', () => {
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

  // Where the fibre does not follow the great circle, the default follows the fibre: for each
  // client region, the region of the set it should be sent to, and the one the great circle
  // alone would have picked (when that differs).
  const routes: [string, string[], string, string?][] = [
    ['af-south-1', ['eu-west-1', 'ap-southeast-1', 'us-east-1'], 'eu-west-1', 'ap-southeast-1'],
    ['africa-south1', ['eu-west-1', 'ap-southeast-1', 'us-east-1'], 'eu-west-1', 'ap-southeast-1'],
    ['af-south-1', ['eu-west-2', 'ap-south-1', 'sa-east-1'], 'eu-west-2', 'sa-east-1'],
    ['il-central-1', ['eu-central-1', 'me-central-1'], 'eu-central-1', 'me-central-1'],
    ['me-central-1', ['eu-central-1', 'ap-south-1'], 'ap-south-1'],
    ['sa-east-1', ['us-east-1', 'eu-west-1'], 'us-east-1'],
    ['ap-south-1', ['eu-central-1', 'ap-southeast-1'], 'ap-southeast-1'],
    ['ap-southeast-2', ['ap-southeast-1', 'us-west-2'], 'ap-southeast-1'],
    ['newzealandnorth', ['australiaeast', 'westus'], 'australiaeast'],
    ['ap-northeast-2', ['ap-northeast-1', 'ap-southeast-1', 'us-west-2'], 'ap-northeast-1'],
    ['us-west-2', ['us-east-1', 'eu-west-1', 'ap-northeast-1'], 'us-east-1'],
    ['eu-north-1', ['eu-central-1', 'us-east-1'], 'eu-central-1'],
  ];
  const closest = (from: string, set: string[], ms: (a: string, b: string) => number) =>
    [...set].sort((a, b) => ms(from, a) - ms(from, b))[0];
  const coords = builtInRegions();
  for (const [from, set, want, greatCircle] of routes) {
    it(`sends ${from} to ${want} of ${set.join(', ')}`, () => {
      expect(closest(from, set, (a, b) => t.latency(t.regionIndex(a), t.regionIndex(b)))).toBe(want);
      if (greatCircle) expect(closest(from, set, (a, b) => greatCircleKm(coords[a]!, coords[b]!))).toBe(greatCircle);
    });
  }
  it('stays near the published round trips (within 35%)', () => {
    const published: [string, string, number][] = [
      ['us-east-1', 'eu-west-1', 70], ['us-east-1', 'us-west-2', 65], ['eu-west-1', 'eu-central-1', 22],
      ['us-east-1', 'sa-east-1', 115], ['ap-northeast-1', 'us-west-2', 100], ['ap-southeast-1', 'ap-northeast-1', 70],
      ['ap-southeast-2', 'ap-southeast-1', 92], ['eu-central-1', 'ap-northeast-1', 230], ['af-south-1', 'eu-west-2', 150],
      ['ap-south-1', 'ap-southeast-1', 60], ['eu-west-1', 'sa-east-1', 185], ['us-east-1', 'ap-southeast-1', 215],
    ];
    for (const [a, b, ms] of published) {
      const got = t.latency(t.regionIndex(a), t.regionIndex(b));
      expect(got, `${a} - ${b}: ${got.toFixed(0)} ms, published ~${ms}`).toBeGreaterThan(ms * 0.65);
      expect(got, `${a} - ${b}: ${got.toFixed(0)} ms, published ~${ms}`).toBeLessThan(ms * 1.35);
    }
  });
  it('is symmetric and joins every metro to every other', () => {
    const bb = backbone();
    for (let i = 0; i < bb.metros.length; i++) {
      for (let j = 0; j < bb.metros.length; j++) {
        expect(bb.latency(i, j)).toBe(bb.latency(j, i));
        expect(bb.latency(i, j)).toBeLessThan(450);
      }
    }
  });
  it('places a region given by coordinates at its nearest metro', () => {
    const c = createLatencyTable({ regions: { 'onprem-cpt': { lat: -33.9, lon: 18.5 } } });
    const from = c.regionIndex('onprem-cpt');
    expect(c.latency(from, c.regionIndex('af-south-1'))).toBeLessThan(1);
    expect(c.latency(from, c.regionIndex('eu-west-2'))).toBeLessThan(c.latency(from, c.regionIndex('ap-southeast-1')));
  });
});
