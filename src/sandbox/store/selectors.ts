// Label and field selectors as the API server parses them from query strings.
import type { KubeObject, LabelSelector } from '../../api/meta.js';

export type Requirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

export class SelectorParseError extends Error {}

const KEY_RE = /^([a-z0-9A-Z]([-a-z0-9A-Z.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Split on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function checkKey(key: string, sel: string): string {
  if (!KEY_RE.test(key)) throw new SelectorParseError(`unable to parse requirement: invalid label key "${key}" in "${sel}"`);
  return key;
}

function checkValue(v: string, sel: string): string {
  if (v.length > 63 || !VALUE_RE.test(v)) throw new SelectorParseError(`unable to parse requirement: invalid label value "${v}" in "${sel}"`);
  return v;
}

export function parseLabelSelector(sel: string | undefined): Requirement[] {
  if (!sel) return [];
  const reqs: Requirement[] = [];
  for (const part of splitTop(sel)) {
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^(\S+?)\s+(in|notin)\s+\((.*)\)$/))) {
      const values = m[3]!.split(',').map((v) => v.trim()).filter((v) => v !== '');
      values.forEach((v) => checkValue(v, sel));
      reqs.push({ key: checkKey(m[1]!, sel), op: m[2] as 'in' | 'notin', values });
    } else if ((m = part.match(/^(\S+?)\s*(==|!=|=)\s*(\S*)$/))) {
      reqs.push({ key: checkKey(m[1]!, sel), op: m[2] === '!=' ? 'neq' : 'eq', value: checkValue(m[3]!, sel) });
    } else if ((m = part.match(/^!\s*(\S+)$/))) {
      reqs.push({ key: checkKey(m[1]!, sel), op: 'notexists' });
    } else if ((m = part.match(/^(\S+)$/))) {
      reqs.push({ key: checkKey(m[1]!, sel), op: 'exists' });
    } else {
      throw new SelectorParseError(`unable to parse requirement: "${part}"`);
    }
  }
  return reqs;
}

export function matchRequirements(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  for (const r of reqs) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels![r.key]! : undefined;
    switch (r.op) {
      case 'eq': if (v !== r.value) return false; break;
      case 'neq': if (v === r.value) return false; break;
      case 'in': if (v === undefined || !r.values.includes(v)) return false; break;
      case 'notin': if (v !== undefined && r.values.includes(v)) return false; break;
      case 'exists': if (!has) return false; break;
      case 'notexists': if (has) return false; break;
    }
  }
  return true;
}

/** A metav1.LabelSelector as used in object specs (empty selects everything). */
export function matchLabelSelector(sel: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key, op: 'eq', value });
  for (const e of sel.matchExpressions ?? []) {
    if (e.operator === 'In') reqs.push({ key: e.key, op: 'in', values: e.values ?? [] });
    else if (e.operator === 'NotIn') reqs.push({ key: e.key, op: 'notin', values: e.values ?? [] });
    else if (e.operator === 'Exists') reqs.push({ key: e.key, op: 'exists' });
    else reqs.push({ key: e.key, op: 'notexists' });
  }
  return matchRequirements(reqs, labels);
}

export interface FieldRequirement {
  path: string[];
  op: 'eq' | 'neq';
  value: string;
}

export function parseFieldSelector(sel: string | undefined): FieldRequirement[] {
  if (!sel) return [];
  return splitTop(sel).map((part) => {
    const m = part.match(/^([A-Za-z0-9_.]+)\s*(==|!=|=)\s*(.*)$/);
    if (!m) throw new SelectorParseError(`invalid field selector: "${part}"`);
    return { path: m[1]!.split('.'), op: m[2] === '!=' ? 'neq' : 'eq', value: m[3]! };
  });
}

function fieldValue(obj: KubeObject, path: string[]): string {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[p];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

export function matchFields(reqs: FieldRequirement[], obj: KubeObject): boolean {
  for (const r of reqs) {
    const v = fieldValue(obj, r.path);
    if (r.op === 'eq' ? v !== r.value : v === r.value) return false;
  }
  return true;
}

export interface ObjectFilter {
  namespace?: string;
  labels: Requirement[];
  fields: FieldRequirement[];
}

export function matchFilter(f: ObjectFilter, obj: KubeObject): boolean {
  if (f.namespace && obj.metadata.namespace !== f.namespace) return false;
  return matchRequirements(f.labels, obj.metadata.labels) && matchFields(f.fields, obj);
}
