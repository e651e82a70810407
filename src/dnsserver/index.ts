// Public API of the embedded authoritative DNS server.
export { DnsServer, type DnsServerOptions, type DnsServerPorts, type DnsLogger } from './server.js';
export { buildSnapshot, nextSerial, zonesFromDomains, type SnapshotInput, type ZoneInput, type ZoneSnapshot } from './snapshot.js';
export { openMaxmindGeoLocator, staticGeoLocator, bundledGeoLite2Paths, type GeoLocator, type ClientLocation, type MaxmindGeoOptions } from './geo-locator.js';
export { createLatencyTable, builtInRegions, greatCircleKm, type LatencyTable, type LatencyTableOptions, type Coordinates } from './regions.js';
export { Responder, RCODE, type ResponderOptions } from './answer.js';
export type { RateLimitOptions } from './rate-limit.js';
export { ClusteredDnsServer, type ClusteredDnsServerOptions, type WorkerServerOptions } from './cluster.js';
export { parseListenAddress, type ListenAddress } from './listen.js';
