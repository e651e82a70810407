// The chart's crds/, its FederatedTypeConfig template and the kustomize base's generated
// files must equal what they are generated from, so there is one source of truth:
// crds/ for schemas, defaultTypeConfigs() for type configs, charts/kfed for everything
// else. KFED_UPDATE_MANIFESTS=1 rewrites them instead of failing.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { defaultTypeConfigs } from '../../../src/propagation/types/default-types.js';
import { CHART_DIR, DEPLOY_DIR, chartCrdFiles, federatedTypeConfigsTemplate, kustomizeBaseFiles, renderChart, repoCrdFiles } from './manifests.js';

const update = process.env.KFED_UPDATE_MANIFESTS === '1';

function readOrEmpty(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

describe('generated manifests', () => {
  it("the chart's crds/ are exact copies of the repository's crds/", () => {
    const want = repoCrdFiles();
    if (update) {
      const dir = join(CHART_DIR, 'crds');
      mkdirSync(dir, { recursive: true });
      for (const n of readdirSync(dir)) if (!want.has(n)) rmSync(join(dir, n));
      for (const [n, text] of want) writeFileSync(join(dir, n), text);
    }
    const got = chartCrdFiles();
    expect([...got.keys()]).toEqual([...want.keys()].sort());
    for (const [n, text] of want) expect(got.get(n), `charts/kfed/crds/${n} differs from crds/; rerun with KFED_UPDATE_MANIFESTS=1`).toBe(text);
  });

  it('every chart CRD file holds exactly one CustomResourceDefinition', () => {
    for (const [n, text] of chartCrdFiles()) {
      const docs = parseAllDocuments(text).map((d) => d.toJS() as { kind?: string } | null).filter((d) => d !== null);
      expect(docs.map((d) => d.kind), n).toEqual(['CustomResourceDefinition']);
    }
  });

  it('templates/federatedtypeconfigs.yaml is the output of defaultTypeConfigs()', () => {
    const path = join(CHART_DIR, 'templates', 'federatedtypeconfigs.yaml');
    if (update) writeFileSync(path, federatedTypeConfigsTemplate());
    expect(readOrEmpty(path)).toBe(federatedTypeConfigsTemplate());
    // And rendered, it is exactly the generator's objects in the release namespace.
    const ftcs = renderChart({}, { name: 'x', namespace: 'fed-ns' }).objects.filter((o) => o.kind === 'FederatedTypeConfig');
    expect(ftcs).toEqual(defaultTypeConfigs('fed-ns'));
    expect(renderChart({ defaultTypes: { enabled: false } }).objects.filter((o) => o.kind === 'FederatedTypeConfig')).toEqual([]);
  });

  it('the kustomize base is the chart rendered with default values, plus the CRDs', () => {
    const want = kustomizeBaseFiles();
    if (update) for (const [n, text] of want) writeFileSync(join(DEPLOY_DIR, n), text);
    for (const [n, text] of want) expect(readOrEmpty(join(DEPLOY_DIR, n)), `deploy/${n} is stale; rerun with KFED_UPDATE_MANIFESTS=1`).toBe(text);
  });
});
