// Generates src/sandbox/openapi/builtin-openapi.json: the OpenAPI v3 schemas of the built-in kinds
// the embedded sandbox serves (src/sandbox/resources/builtins.ts), and everything they reference,
// as a real kube-apiserver publishes them. The sandbox decodes built-in kinds strictly and typed
// from these schemas and serves its /openapi/v2 and /openapi/v3 documents from them.
//
//   npx tsx scripts/gen-builtin-openapi.ts            # kube-apiserver from the build cache (scripts/build-go-tools.sh apiserver)
//
// Pruned to the served kinds (about 300 definitions of the server's 900), descriptions kept:
// `kubectl explain` prints them. The v2 definitions are derived from these (openapi/v2-schema.ts);
// this script checks the derivation against the server's own /openapi/v2 and fails on a difference.
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'node:https';
import { startRealSandbox } from '../src/sandbox/real/real-sandbox.js';
import { defaultToolsDir } from '../src/sandbox/real/binaries.js';
import { BUILTIN_RESOURCES } from '../src/sandbox/resources/builtins.js';
import { v2Definition } from '../src/sandbox/openapi/v2-schema.js';

type Obj = Record<string, any>;

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'sandbox', 'openapi', 'builtin-openapi.json');
/** Kinds every document refers to beyond the served ones. */
const EXTRA_ROOTS = ['io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent', 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch', 'io.k8s.api.autoscaling.v1.Scale'];

function get(url: string, token: string, ca: string): Promise<Obj> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${url}: ${res.statusCode}`));
        else resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Obj);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

function refsOf(schema: unknown, out: (name: string) => void): void {
  JSON.stringify(schema, (k, v: unknown) => {
    if (k === '$ref' && typeof v === 'string') out(v.split('/').pop()!);
    return v;
  });
}

/** Object keys sorted at every level, for comparing documents whatever their key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Obj).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
}

async function main(): Promise<void> {
  const toolsDir = defaultToolsDir(process.env, homedir());
  const sb = await startRealSandbox({ clusters: 1, toolsDir, out: (l) => console.error(l) });
  try {
    const c = sb.clusters[0]!;
    const fetch = (path: string): Promise<Obj> => get(`${c.url}${path}`, c.adminToken, c.caPem);
    const version = (await fetch('/version')).gitVersion as string;
    const all: Obj = {};
    const gvs = new Set(BUILTIN_RESOURCES.map((d) => gvPath(d.group, d.storageVersion)));
    gvs.add('apis/autoscaling/v1');
    for (const gv of gvs) {
      const doc = await fetch(`/openapi/v3/${gv}`);
      for (const [name, s] of Object.entries(doc.components.schemas as Obj)) {
        const prev = all[name] as Obj | undefined;
        // meta kinds (DeleteOptions, WatchEvent) list one GVK per group document: keep the union
        if (prev?.['x-kubernetes-group-version-kind'] && (s as Obj)['x-kubernetes-group-version-kind']) {
          const seen = new Set((prev['x-kubernetes-group-version-kind'] as Obj[]).map((g) => JSON.stringify(g)));
          for (const g of (s as Obj)['x-kubernetes-group-version-kind'] as Obj[]) if (!seen.has(JSON.stringify(g))) prev['x-kubernetes-group-version-kind'].push(g);
        } else {
          all[name] = s;
        }
      }
    }
    const roots = Object.keys(all).filter((n) => ((all[n] as Obj)['x-kubernetes-group-version-kind'] as Obj[] | undefined)?.some((g) =>
      BUILTIN_RESOURCES.some((d) => d.group === g.group && d.storageVersion === g.version && (d.kind === g.kind || d.listKind === g.kind))));
    const keep = new Set<string>();
    const visit = (n: string): void => {
      if (keep.has(n)) return;
      if (!all[n]) throw new Error(`${n} is referenced but in no document`);
      keep.add(n);
      refsOf(all[n], visit);
    };
    for (const r of [...roots, ...EXTRA_ROOTS]) visit(r);
    const schemas: Obj = {};
    const gvkOrder = (a: Obj, b: Obj): number => (`${a.group}/${a.version}/${a.kind}` < `${b.group}/${b.version}/${b.kind}` ? -1 : 1);
    for (const n of [...keep].sort()) {
      schemas[n] = all[n];
      (schemas[n]['x-kubernetes-group-version-kind'] as Obj[] | undefined)?.sort(gvkOrder);
    }
    for (const d of BUILTIN_RESOURCES) {
      if (!roots.some((r) => (all[r] as Obj)['x-kubernetes-group-version-kind'].some((g: Obj) => g.group === d.group && g.kind === d.kind))) throw new Error(`no schema for ${d.kind}`);
    }

    // the sandbox's v2 definitions are derived from these: check the derivation against the server's
    const v2 = (await fetch('/openapi/v2')).definitions as Obj;
    const different = [...keep].filter((n) => {
      const mine = v2Definition(schemas[n] as Obj) as Obj;
      const theirs = { ...(v2[n] as Obj) };
      // the server's v2 GVK list of meta kinds names every group it serves, ours the served groups
      if (Array.isArray(theirs['x-kubernetes-group-version-kind']) && Array.isArray(mine['x-kubernetes-group-version-kind'])) {
        const ours = new Set((mine['x-kubernetes-group-version-kind'] as Obj[]).map((g) => JSON.stringify(g)));
        theirs['x-kubernetes-group-version-kind'] = (theirs['x-kubernetes-group-version-kind'] as Obj[]).filter((g) => ours.has(JSON.stringify(g)));
        mine['x-kubernetes-group-version-kind'] = (mine['x-kubernetes-group-version-kind'] as Obj[]).filter((g) => (theirs['x-kubernetes-group-version-kind'] as Obj[]).some((t) => JSON.stringify(t) === JSON.stringify(g)));
        (theirs['x-kubernetes-group-version-kind'] as Obj[]).sort(gvkOrder);
      }
      return canonical(mine) !== canonical(theirs);
    });
    if (different.length > 0) throw new Error(`the v2 derivation differs from ${version}'s /openapi/v2 for: ${different.join(', ')}`);

    const data = { kubernetes: version, generatedBy: 'scripts/gen-builtin-openapi.ts', schemas };
    const text = `${JSON.stringify(data)}\n`;
    writeFileSync(OUT, text);
    console.error(`gen-builtin-openapi: ${keep.size} schemas from ${version} (${roots.length} kinds and lists), ${(text.length / 1024).toFixed(0)} KiB -> ${OUT}`);
  } finally {
    await sb.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
