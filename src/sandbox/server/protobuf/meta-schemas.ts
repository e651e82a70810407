// k8s.io/apimachinery pkg/apis/meta/v1 messages (generated.proto) that typed writes carry.
import { bool, int64, lazy, list, map, message, ref, scalar, str } from './schema.js';

export const ownerReference = lazy(() => message('OwnerReference', {
  5: str('apiVersion', 'keep'),
  1: str('kind', 'keep'),
  3: str('name', 'keep'),
  4: str('uid', 'keep'),
  6: bool('controller', 'ptr'),
  7: bool('blockOwnerDeletion', 'ptr'),
}));

export const objectMeta = lazy(() => message('ObjectMeta', {
  1: str('name'),
  2: str('generateName'),
  3: str('namespace'),
  4: str('selfLink'),
  5: str('uid'),
  6: str('resourceVersion'),
  7: int64('generation'),
  // `omitempty,omitzero` since 1.37: the zero Time is left out.
  8: scalar('creationTimestamp', 'time'),
  9: scalar('deletionTimestamp', 'time', 'ptr'),
  10: int64('deletionGracePeriodSeconds', 'ptr'),
  11: map('labels', 'string'),
  12: map('annotations', 'string'),
  13: list('ownerReferences', ownerReference),
  14: list('finalizers', 'string'),
}));

export const labelSelectorRequirement = lazy(() => message('LabelSelectorRequirement', {
  1: str('key', 'keep'),
  2: str('operator', 'keep'),
  3: list('values', 'string'),
}));

export const labelSelector = lazy(() => message('LabelSelector', {
  1: map('matchLabels', 'string'),
  2: list('matchExpressions', labelSelectorRequirement),
}));

export const condition = lazy(() => message('Condition', {
  1: str('type', 'keep'),
  2: str('status', 'keep'),
  3: int64('observedGeneration'),
  4: scalar('lastTransitionTime', 'time', 'keep'),
  5: str('reason', 'keep'),
  6: str('message', 'keep'),
}));

export const preconditions = lazy(() => message('Preconditions', {
  1: str('uid', 'ptr'),
  2: str('resourceVersion', 'ptr'),
}));

export const deleteOptions = lazy(() => message('DeleteOptions', {
  1: int64('gracePeriodSeconds', 'ptr'),
  2: ref('preconditions', preconditions),
  3: bool('orphanDependents', 'ptr'),
  4: str('propagationPolicy', 'ptr'),
  5: list('dryRun', 'string'),
  6: bool('ignoreStoreReadErrorWithClusterBreakingPotential', 'ptr'),
}));

