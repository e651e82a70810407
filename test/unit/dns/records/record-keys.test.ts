import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../src/api/meta.js';
import {
  endpointKey,
  endpointKeyOfDNSEndpoint,
  parseEndpointKey,
  recordKeyOfEndpointSlice,
  recordKeyOfIngress,
  recordKeyOfService,
} from '../../../../src/dns/records/record-keys.js';

const obj = (kind: string, metadata: KubeObject['metadata']): KubeObject => ({ apiVersion: 'v1', kind, metadata });

describe('record keys of member objects', () => {
  it('a Service and an Ingress map to their own ns/name', () => {
    expect(recordKeyOfService(obj('Service', { name: 'go-app', namespace: 'go-app' }))).toBe('go-app/go-app');
    expect(recordKeyOfIngress(obj('Ingress', { name: 'web', namespace: 'shop' }))).toBe('shop/web');
    expect(recordKeyOfService(obj('Service', { name: 'x' }))).toBeUndefined();
  });

  it('an EndpointSlice maps to the Service in its service-name label', () => {
    const slice = obj('EndpointSlice', { name: 'go-app-abc12', namespace: 'go-app', labels: { 'kubernetes.io/service-name': 'go-app' } });
    expect(recordKeyOfEndpointSlice(slice)).toBe('go-app/go-app');
    expect(recordKeyOfEndpointSlice(obj('EndpointSlice', { name: 'orphan', namespace: 'go-app' }))).toBeUndefined();
  });
});

describe('DNSEndpoint controller keys', () => {
  it('round-trips kind and record key', () => {
    expect(endpointKey('service', 'go-app/go-app')).toBe('service:go-app/go-app');
    expect(parseEndpointKey('ingress:shop/web')).toEqual({ kind: 'ingress', namespace: 'shop', name: 'web', recordKey: 'shop/web' });
    expect(parseEndpointKey('zone:x/y')).toBeUndefined();
    expect(parseEndpointKey('service:no-namespace')).toBeUndefined();
  });

  it('maps a DNSEndpoint to the record that controls it, and nothing else', () => {
    const owned = (kind: string, apiVersion = 'multiclusterdns.kubefed.io/v1alpha1', controller = true): KubeObject =>
      obj('DNSEndpoint', { name: 'service-go-app', namespace: 'go-app', ownerReferences: [{ apiVersion, kind, name: 'go-app', uid: 'u1', controller }] });
    expect(endpointKeyOfDNSEndpoint(owned('ServiceDNSRecord'))).toBe('service:go-app/go-app');
    expect(endpointKeyOfDNSEndpoint(owned('IngressDNSRecord'))).toBe('ingress:go-app/go-app');
    expect(endpointKeyOfDNSEndpoint(owned('ServiceDNSRecord', 'example.org/v1'))).toBeUndefined();
    expect(endpointKeyOfDNSEndpoint(owned('ServiceDNSRecord', undefined, false))).toBeUndefined();
    expect(endpointKeyOfDNSEndpoint(obj('DNSEndpoint', { name: 'hand-made', namespace: 'x' }))).toBeUndefined();
  });
});
