// The chart and the kustomize base ship every file of crds/; each of them must be checked
// against the TypeScript API types by one of the schema tests, so a CRD added without
// such a check fails here instead of drifting from the code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './manifests.js';

/** Test files that compare CRD schemas with the TypeScript types, and the CRD folders they own. */
const SCHEMA_TESTS = ['test/unit/api/crds.test.ts', 'test/unit/dns/crds.test.ts', 'test/unit/dns/publish/crd.test.ts'];
/** crds/types is generated from src/propagation and compared with the generator's output. */
const GENERATED = { dir: 'crds/types', test: 'test/unit/propagation/types/federated-crd.test.ts' };

describe('CRD coverage', () => {
  it('every CRD under crds/ is compared with the TypeScript types by a test', () => {
    const tests = SCHEMA_TESTS.map((t) => readFileSync(join(REPO, t), 'utf8')).join('\n');
    const uncovered: string[] = [];
    let checked = 0;
    for (const dir of readdirSync(join(REPO, 'crds'))) {
      const rel = `crds/${dir}`;
      if (rel === GENERATED.dir) continue;
      for (const f of readdirSync(join(REPO, rel)).filter((n) => n.endsWith('.yaml'))) {
        checked++;
        if (!tests.includes(`'${f}'`) && !tests.includes(`'${dir}/${f}'`)) uncovered.push(`${rel}/${f}`);
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(uncovered, `CRDs no schema test checks (${SCHEMA_TESTS.join(', ')})`).toEqual([]);
    expect(readFileSync(join(REPO, GENERATED.test), 'utf8')).toContain("crds/types/");
  });
});
