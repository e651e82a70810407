// Turning a CustomResourceDefinition object into a served resource.
import type { KubeObject } from '../../api/meta.js';
import { ALL_VERBS, type PrinterColumn, type ResourceDef } from './types.js';

type Obj = Record<string, any>;

export function crdToResource(crd: KubeObject): ResourceDef {
  const spec = (crd as Obj).spec as Obj;
  const versions = (spec.versions as Obj[]).filter((v) => v.served !== false);
  const storage = (spec.versions as Obj[]).find((v) => v.storage === true) ?? spec.versions[0];
  const schemas: Record<string, unknown> = {};
  const columnsByVersion: Record<string, PrinterColumn[]> = {};
  let statusSubresource = false;
  let scale: ResourceDef['scale'];
  for (const v of versions) {
    schemas[v.name] = v.schema?.openAPIV3Schema;
    columnsByVersion[v.name] = (v.additionalPrinterColumns ?? []) as PrinterColumn[];
    if (v.subresources?.status !== undefined) statusSubresource = true;
    if (v.subresources?.scale) {
      scale = {
        specReplicasPath: v.subresources.scale.specReplicasPath,
        statusReplicasPath: v.subresources.scale.statusReplicasPath,
        ...(v.subresources.scale.labelSelectorPath ? { labelSelectorPath: v.subresources.scale.labelSelectorPath } : {}),
      };
    }
  }
  const names = spec.names as Obj;
  return {
    group: spec.group,
    versions: versions.map((v) => v.name as string),
    storageVersion: storage.name,
    kind: names.kind,
    listKind: names.listKind ?? `${names.kind}List`,
    plural: names.plural,
    singular: names.singular ?? String(names.kind).toLowerCase(),
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    namespaced: spec.scope === 'Namespaced',
    verbs: ALL_VERBS,
    statusSubresource,
    ...(scale ? { scale } : {}),
    crd: { name: crd.metadata.name!, schemas, columnsByVersion },
    nameRule: 'path',
  };
}

/** Fill the defaults kube-apiserver writes into a CRD and its accepted names. */
export function defaultCrd(crd: KubeObject): void {
  const spec = (crd as Obj).spec as Obj;
  const names = spec.names as Obj;
  names.singular ??= String(names.kind ?? '').toLowerCase();
  names.listKind ??= `${names.kind}List`;
  spec.conversion ??= { strategy: 'None' };
  for (const v of (spec.versions ?? []) as Obj[]) v.served ??= true;
}

export function crdEstablishedStatus(crd: KubeObject, now: string): Obj {
  const spec = (crd as Obj).spec as Obj;
  return {
    acceptedNames: { ...spec.names },
    storedVersions: [(spec.versions as Obj[]).find((v) => v.storage)?.name].filter(Boolean),
    conditions: [
      { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: now },
      { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: now },
    ],
  };
}
