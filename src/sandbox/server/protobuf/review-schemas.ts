// k8s.io/api authorization/v1 access reviews and authentication/v1 SelfSubjectReview
// (generated.proto): what `kubectl auth can-i` and `kubectl auth whoami` write.
import { objectMeta } from './meta-schemas.js';
import { bool, lazy, list, map, message, obj, ref, str } from './schema.js';

/** `type ExtraValue []string`: on the wire {items = 1}, in JSON the list itself. */
const extraValue = lazy(() => message('ExtraValue', { 1: list('items', 'string', 'null') }, 'items'));

/** FieldSelectorRequirement and LabelSelectorRequirement have the same fields. */
const selectorRequirement = (name: string) => lazy(() => message(name, {
  1: str('key', 'keep'),
  2: str('operator', 'keep'),
  3: list('values', 'string'),
}));

const selectorAttributes = (name: string, requirement: string) => lazy(() => message(name, {
  1: str('rawSelector'),
  2: list('requirements', selectorRequirement(requirement)),
}));

const resourceAttributes = lazy(() => message('ResourceAttributes', {
  1: str('namespace'),
  2: str('verb'),
  3: str('group'),
  4: str('version'),
  5: str('resource'),
  6: str('subresource'),
  7: str('name'),
  8: ref('fieldSelector', selectorAttributes('FieldSelectorAttributes', 'FieldSelectorRequirement')),
  9: ref('labelSelector', selectorAttributes('LabelSelectorAttributes', 'LabelSelectorRequirement')),
}));

const nonResourceAttributes = lazy(() => message('NonResourceAttributes', {
  1: str('path'),
  2: str('verb'),
}));

const accessReviewStatus = lazy(() => message('SubjectAccessReviewStatus', {
  1: bool('allowed', 'keep'),
  4: bool('denied'),
  2: str('reason'),
  3: str('evaluationError'),
}));

export const selfSubjectAccessReview = lazy(() => message('SelfSubjectAccessReview', {
  1: obj('metadata', objectMeta),
  2: obj('spec', lazy(() => message('SelfSubjectAccessReviewSpec', {
    1: ref('resourceAttributes', resourceAttributes),
    2: ref('nonResourceAttributes', nonResourceAttributes),
  }))),
  3: obj('status', accessReviewStatus),
}));

/** SubjectAccessReview and LocalSubjectAccessReview have the same fields. */
export const subjectAccessReview = (name: string) => lazy(() => message(name, {
  1: obj('metadata', objectMeta),
  2: obj('spec', lazy(() => message('SubjectAccessReviewSpec', {
    1: ref('resourceAttributes', resourceAttributes),
    2: ref('nonResourceAttributes', nonResourceAttributes),
    3: str('user'),
    4: list('groups', 'string'),
    5: map('extra', extraValue),
    6: str('uid'),
  }))),
  3: obj('status', accessReviewStatus),
}));

export const selfSubjectRulesReview = lazy(() => message('SelfSubjectRulesReview', {
  1: obj('metadata', objectMeta),
  2: obj('spec', lazy(() => message('SelfSubjectRulesReviewSpec', { 1: str('namespace') }))),
  3: obj('status', lazy(() => message('SubjectRulesReviewStatus', {
    1: list('resourceRules', lazy(() => message('ResourceRule', {
      1: list('verbs', 'string', 'null'),
      2: list('apiGroups', 'string'),
      3: list('resources', 'string'),
      4: list('resourceNames', 'string'),
    })), 'null'),
    2: list('nonResourceRules', lazy(() => message('NonResourceRule', {
      1: list('verbs', 'string', 'null'),
      2: list('nonResourceURLs', 'string'),
    })), 'null'),
    3: bool('incomplete', 'keep'),
    4: str('evaluationError'),
  }))),
}));

export const selfSubjectReview = lazy(() => message('SelfSubjectReview', {
  1: obj('metadata', objectMeta),
  2: obj('status', lazy(() => message('SelfSubjectReviewStatus', {
    1: obj('userInfo', lazy(() => message('UserInfo', {
      1: str('username'),
      2: str('uid'),
      3: list('groups', 'string'),
      4: map('extra', extraValue),
    }))),
  }))),
}));
