// metav1.LabelSelector evaluation with Kubernetes semantics (LabelSelectorAsSelector):
// matchLabels and matchExpressions are ANDed; an empty selector matches everything. The one
// evaluator in kfed: placement, policies and local cache matching (selectors.ts) use it, so
// they agree on every input, an unknown operator included (it selects nothing, as the API
// server would refuse it).
import type { LabelSelector, LabelSelectorRequirement } from '../api/meta.js';

/** Why a selector is invalid (as the API server would reject it), or undefined when valid. */
export function selectorError(selector: LabelSelector): string | undefined {
  for (const [i, req] of (selector.matchExpressions ?? []).entries()) {
    const where = `matchExpressions[${i}] (key ${JSON.stringify(req.key)})`;
    if (!req.key) return `${where}: key must be non-empty`;
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (!req.values || req.values.length === 0) return `${where}: values must be non-empty for operator ${req.operator}`;
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (req.values && req.values.length > 0) return `${where}: values must be empty for operator ${req.operator}`;
        break;
      default:
        return `${where}: ${JSON.stringify(req.operator)} is not a valid label selector operator`;
    }
  }
  return undefined;
}

function requirementMatches(req: LabelSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = labels[req.key];
  switch (req.operator) {
    case 'In':
      return has && (req.values ?? []).includes(value ?? '');
    case 'NotIn':
      // A missing key satisfies NotIn, as in Kubernetes.
      return !has || !(req.values ?? []).includes(value ?? '');
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}

/**
 * Does `selector` select an object with `labels`? A missing selector selects nothing
 * (Kubefed's nil clusterSelector); `{}` selects everything. Invalid selectors select nothing;
 * call `selectorError` first to report them.
 */
export function selectorMatches(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  if (!selector) return false;
  if (selectorError(selector) !== undefined) return false;
  const l = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (l[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every((req) => requirementMatches(req, l));
}
