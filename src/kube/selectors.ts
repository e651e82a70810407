// Label and field selectors rendered to the API's query-string syntax, plus local
// matching so caches and tests can apply the same selector the server applied.
import type { LabelSelector } from '../api/meta.js';
import { selectorMatches } from './label-selector.js';

export type LabelSelectorInput = string | LabelSelector;
export type FieldSelectorInput = string | Record<string, string>;

export function formatLabelSelector(sel: LabelSelectorInput | undefined): string | undefined {
  if (sel === undefined) return undefined;
  if (typeof sel === 'string') return sel || undefined;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const req of sel.matchExpressions ?? []) {
    const values = [...(req.values ?? [])].sort();
    switch (req.operator) {
      case 'In':
        if (values.length === 0) throw new Error(`label selector: operator In on ${req.key} needs values`);
        parts.push(`${req.key} in (${values.join(',')})`);
        break;
      case 'NotIn':
        if (values.length === 0) throw new Error(`label selector: operator NotIn on ${req.key} needs values`);
        parts.push(`${req.key} notin (${values.join(',')})`);
        break;
      case 'Exists':
        parts.push(req.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${req.key}`);
        break;
      default:
        throw new Error(`label selector: unknown operator ${String((req as { operator: unknown }).operator)}`);
    }
  }
  return parts.length > 0 ? parts.join(',') : undefined;
}

export function formatFieldSelector(sel: FieldSelectorInput | undefined): string | undefined {
  if (sel === undefined) return undefined;
  if (typeof sel === 'string') return sel || undefined;
  const parts = Object.entries(sel).map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(',') : undefined;
}

/** Kubernetes semantics: an empty selector matches everything; an invalid one nothing (label-selector.ts). */
export function matchesLabelSelector(labels: Record<string, string> | undefined, sel: LabelSelector): boolean {
  return selectorMatches(sel, labels);
}
