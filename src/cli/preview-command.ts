// `kfed preview KIND NAME [-n NS]` and `kfed preview -f FILE`: what kfed would write to each
// member cluster, as a readable diff or (-o yaml|json) a v1 List annotated per cluster; with
// --dns, also the DNS records of a FederatedService's/FederatedIngress's record (a List item
// annotated kfed.io/preview-dns).
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseAllDocuments, stringify } from 'yaml';
import { FEDERATED_TYPE_CONFIGS, type FederatedTypeConfig } from '../api/core.js';
import type { FederatedObject } from '../api/federation.js';
import type { KubeObject } from '../api/meta.js';
import { findTypeConfig, previewFederated, PREVIEW_CLUSTER_ANNOTATION, type ObjectPreview } from '../kubefedctl/preview.js';
import { memberDiff } from '../kubefedctl/preview-diff.js';
import { PREVIEW_DNS_ANNOTATION } from '../kubefedctl/preview-dns.js';
import { dnsLines } from '../kubefedctl/preview-dns-diff.js';
import { namespaceName } from './cli-support.js';
import { hostFlags, withHost, type HostFlags } from './enable-command.js';

interface PreviewFlags extends HostFlags {
  namespace: string;
  filename?: string;
  output?: string;
  dns?: boolean;
}

/**
 * Each item annotated with its cluster, in the order of the clusters (the -o yaml|json contract);
 * after an object's clusters, with --dns, the DNSEndpoint its record would get, annotated
 * kfed.io/preview-dns: <record kind>/<name> (only when one would be written).
 */
export function previewList(previews: readonly ObjectPreview[]): KubeObject & { items: KubeObject[] } {
  const items: KubeObject[] = [];
  for (const p of previews) {
    for (const c of p.clusters) {
      if (c.action !== 'write' || !c.object) continue;
      const o = c.object;
      items.push({ ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, [PREVIEW_CLUSTER_ANNOTATION]: c.cluster } } });
    }
    const ep = p.dns?.source !== 'default' ? p.dns?.endpoint : undefined;
    if (ep) items.push({ ...ep, metadata: { ...ep.metadata, annotations: { ...ep.metadata.annotations, [PREVIEW_DNS_ANNOTATION]: `${p.dns!.recordKind}/${p.dns!.name}` } } });
  }
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } } as KubeObject & { items: KubeObject[] };
}

/** The readable default: per object and cluster, what would change (and with `dns`, its DNS records). */
export function previewText(previews: readonly ObjectPreview[], dns = false): string {
  const out: string[] = [];
  for (const p of previews) {
    out.push(`${p.target}${p.schedule ? ` (ReplicaSchedulingPreference: ${Object.entries(p.schedule).map(([c, n]) => `${c}=${n}`).join(', ')})` : ''}`);
    if (p.problem) out.push(`  nothing would be written: ${p.problem}`);
    if (!p.problem && p.clusters.length === 0) out.push('  placed in no cluster: nothing would be written');
    for (const c of p.clusters) {
      if (c.action === 'skip') out.push(`  ${c.cluster}: not written (${c.message ?? ''})`);
      else if (c.action === 'remove') out.push(`  ${c.cluster}: would be deleted (not placed there)`);
      else if (c.object) {
        const diff = memberDiff(c.live, c.object);
        if (diff.length === 0) out.push(`  ${c.cluster}: unchanged`);
        else {
          out.push(`  ${c.cluster}: ${c.live ? 'would be updated' : 'would be created'}`);
          for (const l of diff) out.push(`    ${l}`);
        }
      }
    }
    if (p.dns) out.push(...dnsLines(p.dns).map((l) => `  ${l}`));
    else if (dns) out.push(`  DNS: none: only FederatedServices and FederatedIngresses (namespaced) have DNS records`);
  }
  return `${out.join('\n')}\n`;
}

/** Every object of the file (List items flattened). */
async function objectsFromFile(path: string): Promise<KubeObject[]> {
  const text = path === '-' ? await new Promise<string>((resolve, reject) => {
    let s = '';
    process.stdin.on('data', (d: Buffer) => (s += d.toString())).on('end', () => resolve(s)).on('error', reject);
  }) : await readFile(path, 'utf8');
  const docs = parseAllDocuments(text);
  const bad = docs.find((d) => d.errors.length > 0);
  if (bad) throw new Error(`${path}: ${bad.errors[0]!.message}`);
  const objs = docs.map((d) => d.toJS() as KubeObject | null).flatMap((o) => (o && typeof o === 'object' ? (o.kind === 'List' ? ((o as { items?: KubeObject[] }).items ?? []) : [o]) : []));
  return objs.filter((o) => typeof o.kind === 'string');
}

function federatedOf(objs: readonly KubeObject[]): FederatedObject[] {
  return objs.filter((o) => o.kind.startsWith('Federated') && typeof o.spec === 'object') as FederatedObject[];
}

export function registerPreviewCommand(program: Command): void {
  hostFlags(
    program
      .command('preview')
      .description('show what kfed would write to each member cluster for a federated object (placement, RSP, policies, overrides), writing nothing')
      .argument('[kind]', 'federated or target type: FederatedDeployment, deployment, deployments.apps, ...')
      .argument('[name]', 'the federated object\'s name'),
  )
    .option('-n, --namespace <ns>', 'namespace of the federated object', namespaceName, 'default')
    .option('-f, --filename <file>', 'preview the federated objects of this file (- for stdin) instead of one on the host')
    .option('-o, --output <format>', 'yaml or json: a v1 List of the objects, each annotated kfed.io/preview-cluster')
    .option('--dns', 'also the DNS records of a FederatedService\'s (FederatedIngress\'s) ServiceDNSRecord (IngressDNSRecord) of the same name, from the members\' current load balancers; a record or Domain in -f FILE wins over the host\'s')
    .action(async (kind: string | undefined, name: string | undefined, f: PreviewFlags) => {
      if (f.output !== undefined && f.output !== 'yaml' && f.output !== 'json') throw new Error(`invalid value for --output: ${f.output} (yaml or json)`);
      if (f.filename === undefined && (kind === undefined || name === undefined)) throw new Error('give KIND NAME, or -f FILE');
      if (f.filename !== undefined && kind !== undefined) throw new Error('give KIND NAME or -f FILE, not both');
      await withHost(f, async (host) => {
        let objects: FederatedObject[];
        let given: KubeObject[] | undefined;
        if (f.filename !== undefined) {
          given = await objectsFromFile(f.filename);
          objects = federatedOf(given);
          if (objects.length === 0) throw new Error(`${f.filename}: no federated objects (kind Federated<Kind>) in it`);
        } else {
          const ftcs = (await host.dynamic.list<FederatedTypeConfig>(FEDERATED_TYPE_CONFIGS, { namespace: f.kubefedNamespace })).items;
          const ftc = findTypeConfig(ftcs, kind!);
          if (!ftc) throw new Error(`no FederatedTypeConfig in ${f.kubefedNamespace} federates "${kind}"`);
          const t = ftc.spec.federatedType;
          const ref = { group: t.group ?? '', version: t.version, resource: t.pluralName, namespaced: t.scope === 'Namespaced', kind: t.kind };
          const fed = await host.dynamic.getIfExists<FederatedObject>(ref, name!, ref.namespaced ? { namespace: f.namespace } : {});
          if (!fed) throw new Error(`${t.kind} ${ref.namespaced ? `${f.namespace}/` : ''}${name} not found`);
          objects = [fed];
        }
        const previews = await previewFederated(host, objects, { kubefedNamespace: f.kubefedNamespace, dns: f.dns === true, ...(given ? { given } : {}) });
        if (f.output === 'json') process.stdout.write(`${JSON.stringify(previewList(previews), null, 2)}\n`);
        else if (f.output === 'yaml') process.stdout.write(stringify(previewList(previews), { lineWidth: 0 }));
        else process.stdout.write(previewText(previews, f.dns === true));
      });
    });
}
