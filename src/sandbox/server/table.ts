// Server-side Table output (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`).
import type { KubeObject } from '../../api/meta.js';
import type { PrinterColumn, ResourceDef } from '../resources/types.js';
import { evalJsonPath } from './jsonpath.js';

type Obj = Record<string, any>;
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** kubectl lists Table first and plain JSON as a fallback; honour the first preference. */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  const comma = accept.indexOf(',');
  return (comma === -1 ? accept : accept.slice(0, comma)).includes('as=Table');
}

function columnsFor(def: ResourceDef, version: string): PrinterColumn[] {
  if (def.crd) {
    const cols = def.crd.columnsByVersion[version] ?? [];
    return cols.length > 0 ? cols : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
  }
  return def.columns ?? [];
}

/** Cells that real kube-apiserver computes rather than reads by JSONPath. */
function specialCell(kind: string, col: string, o: Obj): unknown {
  switch (`${kind}/${col}`) {
    case 'Deployment/Ready':
      return `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`;
    case 'Secret/Data':
    case 'ConfigMap/Data':
      return Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length;
    case 'ServiceAccount/Secrets':
      return (o.secrets ?? []).length;
    case 'Service/External-IP': {
      const ing = (o.status?.loadBalancer?.ingress ?? []) as Obj[];
      if (ing.length > 0) return ing.map((i) => i.ip ?? i.hostname).join(',');
      return o.spec?.type === 'LoadBalancer' ? '<pending>' : '<none>';
    }
    case 'Service/Port(s)': {
      const ports = (o.spec?.ports ?? []) as Obj[];
      if (ports.length === 0) return '<none>';
      return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
    }
    case 'Deployment/Selector':
    case 'ReplicaSet/Selector':
      return formatLabelSelector(o.spec?.selector);
    case 'Node/Status': {
      const ready = ((o.status?.conditions ?? []) as Obj[]).find((c) => c.type === 'Ready');
      return ready?.status === 'True' ? 'Ready' : 'NotReady';
    }
    default:
      return undefined;
  }
}

/** apimachinery's FormatLabelSelector: `app=web,tier in (a,b)`, `<none>` for an empty selector. */
function formatLabelSelector(sel: Obj | undefined): string {
  const parts = Object.entries((sel?.matchLabels ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`);
  for (const e of (sel?.matchExpressions ?? []) as Obj[]) {
    const values = ((e.values ?? []) as string[]).join(',');
    switch (e.operator) {
      case 'In': parts.push(`${e.key} in (${values})`); break;
      case 'NotIn': parts.push(`${e.key} notin (${values})`); break;
      case 'Exists': parts.push(String(e.key)); break;
      case 'DoesNotExist': parts.push(`!${e.key}`); break;
    }
  }
  return parts.length > 0 ? parts.join(',') : '<none>';
}

/** kube's duration.HumanDuration: how `kubectl get` shows ages. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const y = Math.floor(h / 24 / 365);
  if (h < 24 * 365 * 8) return `${y}y${Math.floor(h / 24) % 365}d`;
  return `${y}y`;
}

function cell(def: ResourceDef, col: PrinterColumn, o: Obj): unknown {
  if (!def.crd) {
    const s = specialCell(def.kind, col.name, o);
    if (s !== undefined) return s;
  }
  const vals = evalJsonPath(o, col.jsonPath);
  if (vals.length === 0) return col.type === 'string' && !def.crd ? '<none>' : null;
  if (col.type === 'date' && typeof vals[0] === 'string') {
    const t = Date.parse(vals[0]);
    return Number.isNaN(t) ? vals[0] : humanDuration(Date.now() - t);
  }
  if (vals.length === 1) {
    const v = vals[0];
    return typeof v === 'object' && v !== null ? JSON.stringify(v) : v;
  }
  return vals.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
}

export function toTable(def: ResourceDef, version: string, objs: KubeObject[], meta: Obj, include: IncludeObject): Obj {
  const cols = columnsFor(def, version);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: meta,
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
      ...cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
    ],
    rows: objs.map((o) => tableRow(def, cols, o, include)),
  };
}

function tableRow(def: ResourceDef, cols: PrinterColumn[], o: KubeObject, include: IncludeObject): Obj {
  const row: Obj = { cells: [o.metadata.name, ...cols.map((c) => cell(def, c, o as Obj))] };
  if (include === 'Object') row.object = o;
  else if (include === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
  return row;
}
