// Renders charts/kfed (with the Helm subset renderer) and derives the generated files:
// the chart's crds/ (copies of the repository's crds/), its FederatedTypeConfig template
// (from defaultTypeConfigs()), and the kustomize files deploy/crds/crds.yaml and
// deploy/base/kfed.yaml (the chart rendered with default values). Tests compare the committed files with these;
//   KFED_UPDATE_MANIFESTS=1 npx vitest run test/unit/deploy
// rewrites them (the test then reports what it wrote).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';
import type { KubeObject } from '../../../src/api/meta.js';
import { defaultTypeConfigs } from '../../../src/propagation/types/default-types.js';
import { renderTemplate, type RenderContext } from './helm-subset.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const CHART_DIR = join(REPO, 'charts', 'kfed');
export const DEPLOY_DIR = join(REPO, 'deploy');
export const DEFAULT_NAMESPACE = 'kube-federation-system';
export const DEFAULT_RELEASE = 'kfed';

export interface Release {
  name: string;
  namespace: string;
}

export interface RenderedChart {
  /** Template file name -> rendered text (NOTES.txt included). */
  files: Map<string, string>;
  /** Every object the templates produce, in file order (NOTES.txt excluded). */
  objects: KubeObject[];
  values: Record<string, unknown>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Helm's value coalescing: maps merge key by key, anything else is replaced. */
export function mergeValues(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = mergeValues(base[k], v);
  return out;
}

export function chartMetadata(): { name: string; version: string; appVersion: string; kubeVersion: string } {
  return parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { name: string; version: string; appVersion: string; kubeVersion: string };
}

export function defaultValues(): Record<string, unknown> {
  return parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Record<string, unknown>;
}

/** Splits rendered text as Helm does (on `---` lines) and drops empty documents. */
export function parseManifests(text: string, where: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const obj = doc.toJS() as KubeObject | null;
    if (obj !== null) out.push(obj);
  }
  return out;
}

export function renderChart(overrides: unknown = {}, release: Release = { name: DEFAULT_RELEASE, namespace: DEFAULT_NAMESPACE }): RenderedChart {
  const meta = chartMetadata();
  const values = mergeValues(defaultValues(), overrides) as Record<string, unknown>;
  const ctx: RenderContext = {
    Values: values,
    Release: { Name: release.name, Namespace: release.namespace, Service: 'Helm' },
    Chart: { Name: meta.name, Version: meta.version, AppVersion: meta.appVersion },
  };
  const files = new Map<string, string>();
  const objects: KubeObject[] = [];
  const dir = join(CHART_DIR, 'templates');
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('_')) continue;
    const text = renderTemplate(readFileSync(join(dir, name), 'utf8'), ctx, `templates/${name}`);
    files.set(name, text);
    if (name !== 'NOTES.txt') objects.push(...parseManifests(text, `templates/${name}`));
  }
  return { files, objects, values };
}

function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFilesUnder(p));
    else if (/\.ya?ml$/.test(name) && name !== 'kustomization.yaml') out.push(p);
  }
  return out;
}

/** The repository's CRD files (crds/**), by file name; names are unique across folders. */
export function repoCrdFiles(): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of yamlFilesUnder(join(REPO, 'crds'))) {
    const name = basename(p);
    if (out.has(name)) throw new Error(`crds/: two files named ${name}; the chart's flat crds/ folder needs unique names`);
    out.set(name, readFileSync(p, 'utf8'));
  }
  return out;
}

export function chartCrdFiles(): Map<string, string> {
  const dir = join(CHART_DIR, 'crds');
  return new Map(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n), 'utf8')]));
}

const NS_PLACEHOLDER = 'kfed-namespace-placeholder';
const GENERATED = (by: string): string => `# Generated by test/unit/deploy/manifests.ts (${by}); do not edit.\n`;

/** templates/federatedtypeconfigs.yaml: defaultTypeConfigs() with the release namespace. */
export function federatedTypeConfigsTemplate(): string {
  const docs = defaultTypeConfigs(NS_PLACEHOLDER).map((ftc) => stringify(ftc, { lineWidth: 0 }).replaceAll(`namespace: ${NS_PLACEHOLDER}`, 'namespace: {{ .Release.Namespace }}'));
  return [
    '{{- if .Values.defaultTypes.enabled }}',
    GENERATED('from defaultTypeConfigs() in src/propagation/types/default-types.ts').trimEnd(),
    docs.join('---\n').trimEnd(),
    '{{- end }}',
    '',
  ].join('\n');
}

const NAMESPACE_DOC = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: DEFAULT_NAMESPACE } };

/** deploy/crds/crds.yaml and deploy/base/kfed.yaml, by path relative to deploy/. */
export function kustomizeBaseFiles(): Map<string, string> {
  const crds = [...repoCrdFiles().values()].map((t) => t.replace(/^(#[^\n]*\n)+/, '').trimEnd()).join('\n---\n');
  const chart = renderChart();
  const kfed = [NAMESPACE_DOC, ...chart.objects].map((o) => stringify(o, { lineWidth: 0 }).trimEnd()).join('\n---\n');
  return new Map([
    ['crds/crds.yaml', `${GENERATED('copies of crds/')}${crds}\n`],
    ['base/kfed.yaml', `${GENERATED(`charts/kfed rendered with default values, release ${DEFAULT_RELEASE} in ${DEFAULT_NAMESPACE}`)}${kfed}\n`],
  ]);
}
