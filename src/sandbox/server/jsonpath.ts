// The JSONPath subset used by printer columns: .a.b, escaped dots, [n], [*], [?(@.k=="v")].

type Step =
  | { t: 'field'; name: string }
  | { t: 'index'; i: number }
  | { t: 'all' }
  | { t: 'filter'; path: string[]; op: '==' | '!='; value: string };

function parse(path: string): Step[] {
  let s = path.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === '.') {
      i++;
      let name = '';
      while (i < s.length && s[i] !== '.' && s[i] !== '[') {
        if (s[i] === '\\' && i + 1 < s.length) {
          name += s[i + 1];
          i += 2;
        } else name += s[i++];
      }
      if (name) steps.push({ t: 'field', name });
    } else if (ch === '[') {
      const end = s.indexOf(']', i);
      const inner = s.slice(i + 1, end === -1 ? s.length : end);
      i = end === -1 ? s.length : end + 1;
      if (inner === '*') steps.push({ t: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ t: 'index', i: Number(inner) });
      else {
        const m = inner.match(/^\?\(@\.([\w.]+)\s*(==|!=)\s*["']?(.*?)["']?\)$/);
        if (m) steps.push({ t: 'filter', path: m[1]!.split('.'), op: m[2] as '==' | '!=', value: m[3]! });
        else if (/^['"].*['"]$/.test(inner)) steps.push({ t: 'field', name: inner.slice(1, -1) });
      }
    } else i++;
  }
  return steps;
}

const cache = new Map<string, Step[]>();

export function evalJsonPath(obj: unknown, path: string): unknown[] {
  let steps = cache.get(path);
  if (!steps) {
    steps = parse(path);
    cache.set(path, steps);
  }
  let cur: unknown[] = [obj];
  for (const st of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || v === undefined) continue;
      if (st.t === 'field' && typeof v === 'object' && !Array.isArray(v)) {
        const x = (v as Record<string, unknown>)[st.name];
        if (x !== undefined) next.push(x);
      } else if (st.t === 'index' && Array.isArray(v)) {
        const x = v[st.i < 0 ? v.length + st.i : st.i];
        if (x !== undefined) next.push(x);
      } else if (st.t === 'all' && Array.isArray(v)) next.push(...v);
      else if (st.t === 'filter' && Array.isArray(v)) {
        for (const item of v) {
          let f: unknown = item;
          for (const p of st.path) f = f && typeof f === 'object' ? (f as Record<string, unknown>)[p] : undefined;
          const eq = f !== undefined && String(f) === st.value;
          if (st.op === '==' ? eq : !eq) next.push(item);
        }
      } else if (st.t === 'all' && typeof v === 'object') next.push(...Object.values(v as object));
    }
    cur = next;
  }
  return cur;
}
