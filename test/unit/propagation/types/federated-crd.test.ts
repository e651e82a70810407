import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { groupQualifiedName } from '../../../../src/api/core.js';
import { validateFederatedTypeConfig } from '../../../../src/api/core-validation.js';
import {
  federatedTypeCRD, federatedTypeConfigFor, nameMatchesResource, resolveTargetResource, type JSONSchemaProps, type TargetAPIResource,
} from '../../../../src/propagation/types/federated-crd.js';
import { DEFAULT_FEDERATED_TYPES, defaultTypeConfigs } from '../../../../src/propagation/types/default-types.js';
import { renderDefaultTypeCRDs } from '../../../../scripts/generate-crds.js';
import { templateSchema } from '../../../../src/propagation/types/template-schema.js';
import { BUILTIN_SCHEMAS } from '../../../../src/sandbox/openapi/builtin-schemas.js';

const byPlural = (plural: string): TargetAPIResource => {
  const t = DEFAULT_FEDERATED_TYPES.find((x) => x.plural === plural);
  if (!t) throw new Error(plural);
  return t;
};

const schemaFor = (gvk: { group: string; version: string; kind: string }): JSONSchemaProps | undefined => templateSchema(BUILTIN_SCHEMAS, gvk);

describe('federatedTypeCRD', () => {
  it('names a FederatedDeployment like kubefedctl', () => {
    const crd = federatedTypeCRD(byPlural('deployments'));
    expect(crd.metadata.name).toBe('federateddeployments.types.kubefed.io');
    expect(crd.spec.names).toEqual({ kind: 'FederatedDeployment', listKind: 'FederatedDeploymentList', plural: 'federateddeployments', singular: 'federateddeployment', shortNames: ['fdeploy'] });
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.versions[0]?.name).toBe('v1beta1');
    expect(crd.spec.versions[0]?.subresources).toEqual({ status: {} });
  });

  it('has a structural schema with a template preserving unknown fields, placement and overrides', () => {
    const spec = federatedTypeCRD(byPlural('deployments')).spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!;
    expect(spec.properties!.template).toMatchObject({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    expect(Object.keys(spec.properties!.placement!.properties!)).toEqual(['clusters', 'clusterSelector']);
    const op = spec.properties!.overrides!.items!.properties!.clusterOverrides!.items!;
    expect(op.required).toEqual(['path']);
    expect(op.properties!.op!.pattern).toBe('^(add|remove|replace)?$');
    expect(spec.properties!.retainReplicas).toMatchObject({ type: 'boolean' });
  });

  it('every schema node has a type or preserves unknown fields (structural)', () => {
    const walk = (s: JSONSchemaProps, path: string): string[] => {
      const bad = s.type === undefined && !s['x-kubernetes-preserve-unknown-fields'] ? [path] : [];
      for (const [k, v] of Object.entries(s.properties ?? {})) bad.push(...walk(v, `${path}.${k}`));
      if (s.items) bad.push(...walk(s.items, `${path}[]`));
      if (s.additionalProperties) bad.push(...walk(s.additionalProperties, `${path}{}`));
      return bad;
    };
    for (const t of DEFAULT_FEDERATED_TYPES) expect(walk(federatedTypeCRD(t).spec.versions[0]!.schema.openAPIV3Schema, t.kind)).toEqual([]);
  });

  it('adds retainReplicas and replica columns only for targets with replicas', () => {
    const cm = federatedTypeCRD(byPlural('configmaps')).spec.versions[0]!;
    expect(cm.schema.openAPIV3Schema.properties!.spec!.properties!.retainReplicas).toBeUndefined();
    expect(cm.additionalPrinterColumns!.map((c) => c.name)).toEqual(['ready', 'propagation', 'age']);
    expect(federatedTypeCRD(byPlural('deployments')).spec.versions[0]!.additionalPrinterColumns!.map((c) => c.name)).toEqual(['ready', 'replicas', 'available', 'propagation', 'age']);
  });

  it('FederatedNamespace is namespaced although Namespace is not; ClusterRole stays cluster-scoped', () => {
    expect(federatedTypeCRD(byPlural('namespaces')).spec.scope).toBe('Namespaced');
    expect(federatedTypeCRD(byPlural('namespaces')).spec.names.shortNames).toEqual(['fns']);
    expect(federatedTypeCRD(byPlural('clusterroles')).spec.scope).toBe('Cluster');
    expect(federatedTypeCRD(byPlural('clusterroles')).spec.names.shortNames).toBeUndefined();
  });

  it('honours a custom federated group and version', () => {
    const crd = federatedTypeCRD(byPlural('services'), { federatedGroup: 'fed.example.org', federatedVersion: 'v1' });
    expect(crd.metadata.name).toBe('federatedservices.fed.example.org');
    expect(crd.spec.versions[0]!.name).toBe('v1');
  });
});

describe('federatedTypeConfigFor', () => {
  it('names FTCs plural.group and validates', () => {
    const ftc = federatedTypeConfigFor(byPlural('deployments'));
    expect(ftc).toEqual({
      apiVersion: 'core.kubefed.io/v1beta1', kind: 'FederatedTypeConfig',
      metadata: { name: 'deployments.apps', namespace: 'kube-federation-system' },
      spec: {
        federatedType: { group: 'types.kubefed.io', version: 'v1beta1', kind: 'FederatedDeployment', pluralName: 'federateddeployments', scope: 'Namespaced' },
        propagation: 'Enabled',
        targetType: { group: 'apps', version: 'v1', kind: 'Deployment', pluralName: 'deployments', scope: 'Namespaced' },
      },
    });
    for (const c of defaultTypeConfigs('kfed')) {
      expect(validateFederatedTypeConfig(c)).toEqual([]);
      expect(c.metadata.namespace).toBe('kfed');
    }
    expect(defaultTypeConfigs().map((c) => c.metadata.name)).toEqual([
      'clusterroles.rbac.authorization.k8s.io', 'configmaps', 'deployments.apps', 'ingresses.networking.k8s.io', 'jobs.batch',
      'namespaces', 'replicasets.apps', 'secrets', 'serviceaccounts', 'services',
    ]);
  });
  it('core-group targets have no group and the FTC name is the plural', () => {
    const ftc = federatedTypeConfigFor(byPlural('services'), { statusCollection: true });
    expect(ftc.metadata.name).toBe('services');
    expect(ftc.spec.targetType.group).toBeUndefined();
    expect(ftc.spec.statusCollection).toBe('Enabled');
    expect(groupQualifiedName(ftc.spec.federatedType)).toBe('federatedservices.types.kubefed.io');
  });
});

describe('resolveTargetResource', () => {
  const extra: TargetAPIResource = { group: 'example.org', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', shortNames: [], namespaced: true, hasReplicas: false };
  const cases: [string, string][] = [['deployments', 'Deployment'], ['Deployment', 'Deployment'], ['deploy', 'Deployment'], ['deployments.apps', 'Deployment'], ['svc', 'Service'], ['cm', 'ConfigMap'], ['ns', 'Namespace'], ['ingresses.networking.k8s.io', 'Ingress']];
  for (const [key, kind] of cases) {
    it(`resolves ${key}`, () => expect(resolveTargetResource(key, DEFAULT_FEDERATED_TYPES).kind).toBe(kind));
  }
  it('asks for a group-qualified name when ambiguous', () => {
    expect(() => resolveTargetResource('deployments', [...DEFAULT_FEDERATED_TYPES, extra])).toThrow(/deployments.apps, deployments.example.org/);
    expect(resolveTargetResource('deployments.example.org', [...DEFAULT_FEDERATED_TYPES, extra]).group).toBe('example.org');
  });
  it('fails on an unknown type', () => {
    expect(() => resolveTargetResource('widgets', DEFAULT_FEDERATED_TYPES)).toThrow(/unable to find api resource named "widgets"/);
    expect(nameMatchesResource('SERVICES', byPlural('services'))).toBe(true);
  });
});

describe('crds/types', () => {
  const dir = new URL('../../../../crds/types/', import.meta.url);
  it('the committed YAML equals the generator output (run: npx tsx scripts/generate-crds.ts)', () => {
    const rendered = renderDefaultTypeCRDs();
    const committed = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
    expect(committed).toEqual([...rendered.keys()].sort());
    for (const [name, text] of rendered) expect(readFileSync(new URL(name, dir), 'utf8'), name).toBe(text);
  });
  it('the YAML parses back to the CRD objects', () => {
    const text = readFileSync(new URL('federatedservices.types.kubefed.io.yaml', dir), 'utf8');
    const templateSchema = schemaFor({ group: '', version: 'v1', kind: 'Service' });
    expect(templateSchema?.properties?.spec?.properties?.ports?.items?.properties?.port).toEqual({ type: 'integer', format: 'int32' });
    expect(parse(text)).toEqual(federatedTypeCRD(byPlural('services'), { templateSchema }));
  });
});
