// No Docker engine runs on the build machines, so the image is never built here. What
// can be checked without one: the Dockerfile's shape (multi-stage, production-only
// dependencies, non-root numeric user, small base) and that it agrees with the chart
// (command, user, ports, version) and with package.json. test/e2e/deploy/image-layout
// compiles the code and runs the entry the image runs, in the image's file layout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, chartMetadata, renderChart } from './manifests.js';

interface Instruction {
  op: string;
  args: string;
}

interface Stage {
  from: string;
  name: string | undefined;
  steps: Instruction[];
}

/** Dockerfile -> stages of instructions (comments dropped, `\` continuations joined, ARGs before FROM substituted). */
function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const m = /^(\w+)\s+(.*)$/s.exec(line);
    if (!m) throw new Error(`Dockerfile: cannot parse "${line}"`);
    const op = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (op === 'ARG' && stages.length === 0) {
      const [k, v] = args.split('=');
      globalArgs.set(k!, v ?? '');
      continue;
    }
    if (op === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args.replace(/\$\{(\w+)\}/g, (_s, k: string) => globalArgs.get(k) ?? ''));
      if (!from) throw new Error(`Dockerfile: cannot parse FROM ${args}`);
      stages.push({ from: from[1]!, name: from[2], steps: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile: ${op} before FROM`);
    stage.steps.push({ op, args });
  }
  return stages;
}

const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const final = stages.at(-1)!;
const last = (op: string): string | undefined => final.steps.filter((s) => s.op === op).at(-1)?.args;
const chart = renderChart();
const deployment = chart.objects.find((o) => o.kind === 'Deployment') as unknown as {
  spec: { template: { spec: { securityContext: Record<string, unknown>; containers: { image: string; command: string[]; args: string[]; ports: { containerPort: number; protocol: string }[] }[] } } };
};
const container = deployment.spec.template.spec.containers[0]!;
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };

describe('Dockerfile', () => {
  it('is multi-stage: build with npm ci + npm run build, production-only dependencies, small runtime base', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    const runs = (s: Stage): string[] => s.steps.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(runs(stages[0]!).join(' && ')).toMatch(/npm ci\b.*npm run build/);
    expect(runs(stages[1]!).join(' ')).toMatch(/npm ci --omit=dev/);
    expect(final.from).toMatch(/^node:20-[a-z]+-slim$|^gcr\.io\/distroless\/nodejs20/);
    // The runtime stage installs nothing and copies only what runs.
    expect(runs(final)).toEqual([]);
    const copies = final.steps.filter((s) => s.op === 'COPY').map((s) => s.args);
    expect(copies).toEqual([
      '--from=deps /src/node_modules ./node_modules', '--from=build /src/dist ./dist',
      // The DNS server's batched-UDP addon, where src/dnsserver/udp-batch.ts looks for it.
      '--from=build /src/native/udp-batch/build/Release/udp_batch.node ./native/udp-batch/build/Release/udp_batch.node',
      'package.json ./', 'bin ./bin', 'crds ./crds',
    ]);
    // The build stage builds that addon and fails if it cannot.
    expect(stages[0]!.steps.some((s) => s.op === 'ENV' && /KFED_NATIVE_REQUIRED=1/.test(s.args))).toBe(true);
  });

  it('runs as a numeric non-root user, the same the chart sets', () => {
    const user = last('USER');
    expect(user).toMatch(/^\d+:\d+$/);
    const [uid, gid] = user!.split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    const psc = deployment.spec.template.spec.securityContext;
    expect(psc).toMatchObject({ runAsNonRoot: true, runAsUser: uid, runAsGroup: gid });
    expect(chart.values['securityContext']).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  it("its ENTRYPOINT is the chart's command and the package's bin; CMD is the chart's subcommand", () => {
    expect(JSON.parse(last('ENTRYPOINT')!)).toEqual(container.command);
    expect(container.command[1]).toBe(`/app/${pkg.bin['kfed']}`);
    expect(JSON.parse(last('CMD')!)).toEqual([container.args[0]]);
    expect(final.steps.find((s) => s.op === 'WORKDIR')?.args).toBe('/app');
  });

  it('exposes exactly the container ports of the chart', () => {
    const exposed = last('EXPOSE')!.split(/\s+/).sort();
    expect(exposed).toEqual(container.ports.map((p) => `${p.containerPort}/${p.protocol.toLowerCase()}`).sort());
  });

  it("carries the version of package.json, which is the chart's appVersion and default image tag", () => {
    expect(last('LABEL')).toContain(`org.opencontainers.image.version="${pkg.version}"`);
    expect(chartMetadata().appVersion).toBe(pkg.version);
    expect(container.image).toBe(`kfed:${pkg.version}`);
  });

  it('.dockerignore keeps dependencies, build output, tests and VCS data out of the context', () => {
    const ignored = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', 'dist', '.git', 'test', 'bench', 'coverage']) expect(ignored).toContain(p);
    // ...but not what the build stage needs.
    for (const p of ['src', 'bin', 'crds', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) expect(ignored).not.toContain(p);
  });
});
