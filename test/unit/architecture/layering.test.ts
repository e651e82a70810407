// Issue 12's layering checks: src/ has no import cycles (file level), and lint refuses an
// upward import, @kubernetes/client-node outside src/kube, and a provider reaching past
// src/dns's model.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { cycles, folderEdges, importGraph, subfolderEdges } from '../../../scripts/import-graph.js';

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await new ESLint().lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering', () => {
  it('src/ has no import cycle between files', () => {
    const graph = importGraph('src');
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])], ['d', new Set(['a'])]]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
  });

  it('nothing imports src/cli or src/app', () => {
    const edges = folderEdges(importGraph('src'));
    for (const [from, to] of edges) {
      if (from !== 'cli') expect(to.has('cli'), from).toBe(false);
      if (from !== 'cli' && from !== 'app') expect(to.has('app'), from).toBe(false);
    }
  });

  it("propagation's folders import only down: types, plain -> sync -> policy, scheduling -> policy, all -> its shared root files", () => {
    const allowed: Record<string, string[]> = { '.': [], policy: ['.'], sync: ['.', 'policy'], scheduling: ['.', 'policy'], types: ['.', 'policy', 'sync'], plain: ['.', 'policy', 'sync'] };
    const edges = subfolderEdges(importGraph('src'), 'src/propagation');
    expect([...edges.keys()].sort()).toEqual(['plain', 'policy', 'scheduling', 'sync', 'types']);
    for (const [from, to] of edges) for (const t of to) expect(allowed[from], `${from} -> ${t}`).toContain(t);
  });

  it('lint fails on an upward import and on client-node outside src/kube', { timeout: 60_000 }, async () => {
    expect(await restricted('src/runtime/probe.ts', "import { CONTROLLERS } from '../app/controllers.js';\nexport const x = CONTROLLERS;\n")).toHaveLength(1);
    expect(await restricted('src/kube/probe.ts', "import { keyOf } from '../propagation/keys.js';\nexport const x = keyOf;\n")).toHaveLength(1);
    expect(await restricted('src/dns/probe.ts', "import { keyOf } from '../propagation/keys.js';\nexport const x = keyOf;\n")).toHaveLength(1);
    expect(await restricted('src/clusters/probe.ts', "import { KubeConfig } from '@kubernetes/client-node';\nexport const x = KubeConfig;\n")).toHaveLength(1);
    // Downward imports pass.
    expect(await restricted('src/propagation/probe.ts', "import { Controller } from '../runtime/controller.js';\nimport type { ResourceRef } from '../kube/resource.js';\nexport const x: [unknown, ResourceRef?] = [Controller];\n")).toEqual([]);
    expect(await restricted('src/kube/probe.ts', "import { KubeConfig } from '@kubernetes/client-node';\nexport const x = KubeConfig;\n")).toEqual([]);
  });

  it("lint keeps propagation's folders to their jobs' order (types -> sync -> policy, scheduling -> policy)", { timeout: 60_000 }, async () => {
    const probe = (spec: string): string => `import { x } from '${spec}';\nexport const y = x;\n`;
    expect(await restricted('src/propagation/policy/probe.ts', probe('../sync/propagate.js'))).toHaveLength(1);
    expect(await restricted('src/propagation/sync/probe.ts', probe('../types/federated-crd.js'))).toHaveLength(1);
    expect(await restricted('src/propagation/sync/probe.ts', probe('../scheduling/rsp-schedule.js'))).toHaveLength(1);
    expect(await restricted('src/propagation/scheduling/probe.ts', probe('../sync/keys.js'))).toHaveLength(1);
    expect(await restricted('src/propagation/probe.ts', probe('./sync/keys.js'))).toHaveLength(1);
    // The layer's own rule still holds inside a folder, and allowed imports pass.
    expect(await restricted('src/propagation/sync/probe.ts', probe('../../dns/plan.js'))).toHaveLength(1);
    expect(await restricted('src/propagation/sync/probe.ts', probe('../policy/placement.js'))).toEqual([]);
    expect(await restricted('src/propagation/types/probe.ts', probe('../sync/sync-controller.js'))).toEqual([]);
    expect(await restricted('src/kubefedctl/probe.ts', probe('../propagation/types/federated-crd.js'))).toEqual([]);
    expect(await restricted('src/propagation/types/probe.ts', probe('../../kubefedctl/enable.js'))).toHaveLength(1);
  });

  it('lint keeps providers to src/api and src/dns\'s model, routing and provider interface', { timeout: 60_000 }, async () => {
    const ok = "import type { Endpoint } from '../../src/dns/endpoint.js';\nimport type { Provider } from '../../src/dns/publish/provider.js';\nimport type { DNSEndpoint } from '../../src/api/multiclusterdns.js';\nexport type X = [Endpoint, Provider, DNSEndpoint];\n";
    expect(await restricted('providers/route53/probe.ts', ok)).toEqual([]);
    expect(await restricted('providers/route53/probe.ts', "import { planChanges } from '../../src/dns/plan.js';\nexport const x = planChanges;\n")).toHaveLength(1);
    expect(await restricted('providers/route53/probe.ts', "import { Informer } from '../../src/kube/informer.js';\nexport const x = Informer;\n")).toHaveLength(1);
  });
});
