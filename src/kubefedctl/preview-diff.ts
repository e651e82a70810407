// The default output of `kfed preview`: per cluster, a line diff between what the member
// holds now and what kfed would write. The member object is first cut down to the fields
// kfed writes (server defaults, status and managed fields are not kfed's business), so the
// diff shows only what the write would change.
import { stringify } from 'yaml';
import type { KubeObject } from '../api/meta.js';

/** `live` restricted to the shape of `want`: keys of objects `want` has, array items by index. */
export function projectOnto(live: unknown, want: unknown): unknown {
  if (Array.isArray(want)) {
    if (!Array.isArray(live)) return live;
    return live.map((v, i) => (i < want.length ? projectOnto(v, want[i]) : v));
  }
  if (want !== null && typeof want === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return live;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(want as Record<string, unknown>)) {
      if (k in (live as Record<string, unknown>)) out[k] = projectOnto((live as Record<string, unknown>)[k], (want as Record<string, unknown>)[k]);
    }
    return out;
  }
  return live;
}

/** Lines of `a` and `b` aligned by their longest common subsequence: ' ' both, '-' only a, '+' only b. */
export function lineDiff(a: readonly string[], b: readonly string[]): string[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push(`  ${a[i++]}`);
      j++;
    } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push(`- ${a[i++]}`);
    else out.push(`+ ${b[j++]}`);
  }
  return out;
}

function yamlLines(o: unknown): string[] {
  return stringify(o, { lineWidth: 0 }).trimEnd().split('\n');
}

/** The changed lines with `context` unchanged lines around each run of changes, `...` for the rest. */
export function withContext(diff: readonly string[], context = 3): string[] {
  const keep = diff.map(() => false);
  diff.forEach((l, i) => {
    if (l.startsWith('  ')) return;
    for (let k = Math.max(0, i - context); k <= Math.min(diff.length - 1, i + context); k++) keep[k] = true;
  });
  const out: string[] = [];
  diff.forEach((l, i) => {
    if (keep[i]) out.push(l);
    else if (out[out.length - 1] !== '  ...') out.push('  ...');
  });
  return out;
}

/** The diff lines for one cluster (3 lines of context; all of it for a new object); empty when the write would change nothing. */
export function memberDiff(live: KubeObject | undefined, want: KubeObject): string[] {
  const before = live ? yamlLines(projectOnto(live, want)) : [];
  const after = yamlLines(want);
  const diff = lineDiff(before, after);
  if (!diff.some((l) => !l.startsWith('  '))) return [];
  return live ? withContext(diff) : diff;
}
