// Typed overriders (Karmada's OverridePolicy shape) turned into the RFC 6902 operations the
// sync path already applies, so there is one way an override reaches a member object. The
// operations are computed against the object as the rule sees it (the template after the
// operations before it), so `/spec/template/spec/containers/1/image` is named by index
// only here, never by the user.
//
// Containers are found at the pod spec of the known workload shapes: `/spec` (Pod),
// `/spec/template/spec` (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job) and
// `/spec/jobTemplate/spec/template/spec` (CronJob), in `containers` and `initContainers`.
import type { ClusterOverride, CommandArgsOverrider, EnvOverrider, MapOverrider, OverrideRule } from '../../api/federation.js';
import { overrideImage } from './image.js';

type Doc = Record<string, unknown>;
type Outcome = { ok: true; ops: ClusterOverride[] } | { ok: false; message: string };

const POD_SPEC_PATHS = [[], ['template', 'spec'], ['jobTemplate', 'spec', 'template', 'spec']];

interface Container {
  path: string;
  value: Record<string, unknown>;
}

const esc = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Every container (and init container) of the object, with its JSON pointer. */
export function containersOf(doc: Doc): Container[] {
  const out: Container[] = [];
  for (const rel of POD_SPEC_PATHS) {
    let spec = record(doc['spec']);
    for (const k of rel) spec = record(spec?.[k]);
    if (!spec) continue;
    for (const list of ['initContainers', 'containers']) {
      const items = spec[list];
      if (!Array.isArray(items)) continue;
      items.forEach((c, i) => {
        const value = record(c);
        if (value) out.push({ path: `/spec${rel.map((k) => `/${k}`).join('')}/${list}/${i}`, value });
      });
    }
    if (out.length > 0) return out;
  }
  return out;
}

function mapOps(base: string, current: Record<string, unknown> | undefined, overriders: readonly MapOverrider[], what: string): Outcome {
  const ops: ClusterOverride[] = [];
  let present = current !== undefined;
  const keys = new Set(Object.keys(current ?? {}));
  for (const o of overriders) {
    if (!['add', 'remove', 'replace'].includes(o.operator)) return { ok: false, message: `${what}: unsupported operator ${JSON.stringify(o.operator)}` };
    for (const [k, v] of Object.entries(o.value ?? {})) {
      const path = `${base}/${esc(k)}`;
      if (o.operator === 'remove') {
        if (keys.delete(k)) ops.push({ op: 'remove', path });
      } else if (o.operator === 'replace') {
        if (keys.has(k)) ops.push({ op: 'replace', path, value: v });
      } else {
        if (!present) {
          ops.push({ op: 'add', path: base, value: {} });
          present = true;
        }
        ops.push({ op: 'add', path, value: v });
        keys.add(k);
      }
    }
  }
  return { ok: true, ops };
}

function named(doc: Doc, containerName: string, what: string): Container | string {
  const c = containersOf(doc).find((x) => x.value['name'] === containerName);
  return c ?? `${what}: no container named ${JSON.stringify(containerName)}`;
}

function listOps(doc: Doc, overriders: readonly CommandArgsOverrider[], field: 'command' | 'args', what: string): Outcome {
  const ops: ClusterOverride[] = [];
  const lists = new Map<string, string[]>();
  for (const o of overriders) {
    const c = named(doc, o.containerName, what);
    if (typeof c === 'string') return { ok: false, message: c };
    if (!Array.isArray(o.value)) return { ok: false, message: `${what}: value must be a list of strings` };
    const current = lists.get(c.path) ?? (Array.isArray(c.value[field]) ? (c.value[field] as string[]) : []);
    if (o.operator === 'add') lists.set(c.path, [...current, ...o.value]);
    else if (o.operator === 'remove') lists.set(c.path, current.filter((x) => !o.value.includes(x)));
    else return { ok: false, message: `${what}: unsupported operator ${JSON.stringify(o.operator)} (add or remove)` };
  }
  for (const [path, value] of lists) ops.push({ op: 'add', path: `${path}/${field}`, value });
  return { ok: true, ops };
}

function envOps(doc: Doc, overriders: readonly EnvOverrider[]): Outcome {
  const envs = new Map<string, Record<string, unknown>[]>();
  for (const o of overriders) {
    const c = named(doc, o.containerName, 'envOverrider');
    if (typeof c === 'string') return { ok: false, message: c };
    let env = envs.get(c.path) ?? (Array.isArray(c.value['env']) ? (structuredClone(c.value['env']) as Record<string, unknown>[]) : []);
    for (const v of o.value) {
      if (typeof v?.name !== 'string' || v.name === '') return { ok: false, message: 'envOverrider: every value needs a name' };
      const i = env.findIndex((e) => e['name'] === v.name);
      if (o.operator === 'remove') env = env.filter((e) => e['name'] !== v.name);
      else if (o.operator === 'replace') {
        if (i >= 0) env[i] = { name: v.name, value: v.value ?? '' };
      } else if (o.operator === 'add') {
        if (i >= 0) env[i] = { name: v.name, value: v.value ?? '' };
        else env.push({ name: v.name, value: v.value ?? '' });
      } else return { ok: false, message: `envOverrider: unsupported operator ${JSON.stringify(o.operator)}` };
    }
    envs.set(c.path, env);
  }
  return { ok: true, ops: [...envs].map(([path, value]) => ({ op: 'add' as const, path: `${path}/env`, value })) };
}

function imageOps(doc: Doc, rule: OverrideRule): Outcome {
  const ops: ClusterOverride[] = [];
  const images = new Map<string, string>();
  for (const o of rule.imageOverrider ?? []) {
    for (const c of containersOf(doc)) {
      if (o.containerNames && !o.containerNames.includes(String(c.value['name']))) continue;
      const current = images.get(c.path) ?? c.value['image'];
      if (typeof current !== 'string') continue;
      const r = overrideImage(current, o);
      if (!r.ok) return r;
      images.set(c.path, r.image);
    }
  }
  for (const [path, image] of images) ops.push({ op: 'add', path: `${path}/image`, value: image });
  return { ok: true, ops };
}

export function hasTypedOverriders(rule: OverrideRule): boolean {
  return [rule.imageOverrider, rule.labelsOverrider, rule.annotationsOverrider, rule.commandOverrider, rule.argsOverrider, rule.envOverrider].some((l) => (l?.length ?? 0) > 0);
}

/** The operations of a rule's typed overriders against `doc` (the object the rule applies to). */
export function typedOverriderOps(rule: OverrideRule, doc: Doc): Outcome {
  const meta = record(doc['metadata']);
  const parts: Outcome[] = [
    imageOps(doc, rule),
    mapOps('/metadata/labels', record(meta?.['labels']), rule.labelsOverrider ?? [], 'labelsOverrider'),
    mapOps('/metadata/annotations', record(meta?.['annotations']), rule.annotationsOverrider ?? [], 'annotationsOverrider'),
    listOps(doc, rule.commandOverrider ?? [], 'command', 'commandOverrider'),
    listOps(doc, rule.argsOverrider ?? [], 'args', 'argsOverrider'),
    envOps(doc, rule.envOverrider ?? []),
  ];
  const ops: ClusterOverride[] = [];
  for (const p of parts) {
    if (!p.ok) return p;
    ops.push(...p.ops);
  }
  return { ok: true, ops };
}
