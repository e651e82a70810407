// The file-level import graph of src/ (and any other folder), its cycles and its
// folder-to-folder edges: issue 12 asks for a graph without cycles, and the folder edges
// are what the lint layering rules in eslint.config.js constrain.
//
//   npx tsx scripts/import-graph.ts [root=src]       prints cycles (exit 1 if any) and folder edges
//
// Type-only imports count: a cycle through types still ties two files together for
// anyone reading or moving them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Graph = Map<string, Set<string>>;

const SPECIFIER = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Relative specifiers of a source text (`./x.js`, `../y/z.js`); packages are left out. */
export function relativeImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec && spec.startsWith('.')) out.push(spec);
  }
  return out;
}

/** Files (relative to `base`) and the files each imports, for every .ts file under `root`. */
export function importGraph(root: string, base = process.cwd()): Graph {
  const graph: Graph = new Map();
  for (const file of tsFiles(resolve(base, root))) {
    const from = relative(base, file);
    const targets = new Set<string>();
    for (const spec of relativeImports(readFileSync(file, 'utf8'))) {
      const target = relative(base, resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      targets.add(target);
    }
    graph.set(from, targets);
  }
  return graph;
}

/** Strongly connected components with more than one file (or a file importing itself): the cycles. */
export function cycles(graph: Graph): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.has(v)) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indices.has(v)) visit(v);
  return out;
}

/** `src/a -> src/b` edges between top-level folders of `root` (a file's folder is its first path segment under root). */
export function folderEdges(graph: Graph, root = 'src'): Map<string, Set<string>> {
  const folder = (file: string): string => {
    const parts = relative(root, file).split(/[\\/]/);
    return parts.length > 1 ? parts[0]! : '.';
  };
  const edges = new Map<string, Set<string>>();
  for (const [from, targets] of graph) {
    for (const to of targets) {
      if (relative(root, to).startsWith('..')) continue;
      const a = folder(from);
      const b = folder(to);
      if (a === b) continue;
      if (!edges.has(a)) edges.set(a, new Set());
      edges.get(a)!.add(b);
    }
  }
  return edges;
}

/** Edges between the folders inside `folder` (`.` is its own files), e.g. src/propagation's jobs. */
export function subfolderEdges(graph: Graph, folder: string): Map<string, Set<string>> {
  const inside = (f: string): boolean => !relative(folder, f).startsWith('..');
  return folderEdges(new Map([...graph].filter(([f]) => inside(f)).map(([f, to]) => [f, new Set([...to].filter(inside))])), folder);
}

/** Top-level folders of `root` that hold folders of their own. */
function foldersWithSubfolders(graph: Graph, root: string): string[] {
  const out = new Set<string>();
  for (const f of graph.keys()) {
    const parts = relative(root, f).split(/[\\/]/);
    if (parts.length > 2) out.add(join(root, parts[0]!));
  }
  return [...out].sort();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? 'src';
  const graph = importGraph(root);
  for (const [from, to] of [...folderEdges(graph, root)].sort()) console.log(`${from} -> ${[...to].sort().join(', ')}`);
  for (const folder of foldersWithSubfolders(graph, root)) {
    for (const [from, to] of [...subfolderEdges(graph, folder)].sort()) console.log(`${relative(root, folder)}/${from} -> ${[...to].sort().join(', ')}`);
  }
  const found = cycles(graph);
  for (const c of found) console.log(`cycle: ${c.join(' <-> ')}`);
  console.log(`${graph.size} files, ${found.length} cycles`);
  process.exitCode = found.length > 0 ? 1 : 0;
}
