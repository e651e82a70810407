// `kfed federate TYPE NAME`, flag-compatible with kubefedctl federate.
import type { Command } from 'commander';
import { federateResource } from '../kubefedctl/federate.js';
import { parsePlacementMode, PLACEMENT_MODES, type PlacementMode } from '../kubefedctl/federate-placement.js';
import { bool, namespaceName } from './cli-support.js';
import { hostFlags, withHost, type HostFlags } from './enable-command.js';
import { federateLines, placementLine, printLines, yamlDocuments } from './kubefedctl-output.js';

function list(v: string, acc: string[] = []): string[] {
  return [...acc, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
}

export function registerFederateCommand(program: Command): void {
  hostFlags(
    program
      .command('federate')
      .description('create a federated resource from a resource in the host cluster (placed on every cluster unless a PropagationPolicy selects it)')
      .argument('<type>', 'the resource type: kind, plural, short name or plural.group')
      .argument('<name>', 'the resource name'),
  )
    .option('-n, --namespace <ns>', 'namespace of the resource', namespaceName, 'default')
    .option('-o, --output <format>', 'print the federated resources instead of creating them (yaml)')
    .option('-e, --enable-type [bool]', 'enable federation of the type first when it is not enabled', bool, false)
    .option('-c, --contents [bool]', 'namespaces only: also federate every resource in the namespace', bool, false)
    .option('-s, --skip-api-resources <names>', 'with --contents: types (or groups) to skip, comma separated', list, [])
    .option('--placement <mode>', `${PLACEMENT_MODES.join('|')}: auto writes placement on every cluster unless a PropagationPolicy selects the object (then none, so the policy places it); all always writes it (kubefedctl); none never; policy requires a policy`, parsePlacementMode, 'auto')
    .action(async (type: string, name: string, f: HostFlags & { namespace: string; output?: string; enableType: boolean; contents: boolean; skipApiResources: string[]; placement: PlacementMode }) => {
      if (f.output !== undefined && f.output !== 'yaml') throw new Error(`invalid value for --output: ${f.output} (only yaml is supported)`);
      if (f.output && f.enableType) throw new Error("flag '--enable-type' cannot be used with '--output yaml'");
      await withHost(f, async (host) => {
        const res = await federateResource(host, type, name, {
          kubefedNamespace: f.kubefedNamespace,
          namespace: f.namespace,
          contents: f.contents,
          enableType: f.enableType,
          dryRun: f.output === 'yaml',
          skipApiResources: f.skipApiResources,
          placement: f.placement,
        });
        if (f.output === 'yaml') {
          process.stdout.write(yamlDocuments(res.objects));
          // Which policy will place what, on stderr: stdout stays the objects.
          res.objects.forEach((o, i) => {
            const line = placementLine(o.kind, o.metadata.name ?? '', res.placements[i]!);
            if (line) process.stderr.write(`${line}\n`);
          });
        } else printLines(federateLines(res.steps));
      });
    });
}
