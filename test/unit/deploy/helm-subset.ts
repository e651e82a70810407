// A renderer for the small subset of Helm's Go-template language that charts/kfed uses.
//
// Why not Helm: no `helm` binary is on the build machines (Debian has no package for it,
// and tests may not download one). So the chart is written in a deliberately small subset
// and this renderer implements exactly that subset with Helm's semantics; anything outside
// it is an error, never a guess. Supported:
//   {{ .Values.a.b }} {{ .Release.Name|Namespace|Service }} {{ .Chart.Name|Version|AppVersion }} {{ . }}
//   "string" literals, integer literals, true/false
//   functions: toYaml, nindent N, indent N, quote, default D V, eq A B, ne A B, not A, required "msg" V
//   pipelines (`x | f a` calls f a x), {{- and -}} whitespace trimming, {{/* comments */}}
//   if / else if / else / end, with / else / end (rebinding `.`)
// Stricter than Helm on purpose: a missing value is an error (Helm prints nothing), and a
// number Go would print in exponent form (>= 1e6, or fractional) is an error.
import { stringify } from 'yaml';

export interface RenderContext {
  Values: unknown;
  Release: { Name: string; Namespace: string; Service: string };
  Chart: { Name: string; Version: string; AppVersion: string };
}

type Node =
  | { t: 'text'; text: string }
  | { t: 'out'; pipe: string }
  | { t: 'if' | 'with'; branches: { cond: string | undefined; body: Node[] }[] };

interface Token {
  kind: 'text' | 'action';
  text: string;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

function lex(src: string, file: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      out.push({ kind: 'text', text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    const close = src.indexOf('}}', open);
    if (close < 0) throw new TemplateError(`${file}: unclosed action at offset ${open}`);
    let inner = src.slice(open + 2, close);
    if (/^-\s/.test(inner)) {
      text = text.replace(/\s+$/, '');
      inner = inner.slice(1);
    }
    let trimAfter = false;
    if (/\s-$/.test(inner)) {
      trimAfter = true;
      inner = inner.slice(0, -1);
    }
    out.push({ kind: 'text', text });
    out.push({ kind: 'action', text: inner.trim() });
    i = close + 2;
    if (trimAfter) while (i < src.length && /\s/.test(src[i]!)) i++;
  }
  return out;
}

function parse(tokens: Token[], file: string): Node[] {
  let pos = 0;
  const block = (closers: readonly string[]): { body: Node[]; closer: string } => {
    const body: Node[] = [];
    while (pos < tokens.length) {
      const tok = tokens[pos++]!;
      if (tok.kind === 'text') {
        if (tok.text) body.push({ t: 'text', text: tok.text });
        continue;
      }
      const a = tok.text;
      if (a.startsWith('/*')) {
        if (!a.endsWith('*/')) throw new TemplateError(`${file}: malformed comment {{${a}}}`);
        continue;
      }
      const word = /^(\w+)\b\s*(.*)$/s.exec(a);
      const kw = word?.[1];
      if (kw === 'end' || kw === 'else') {
        if (!closers.includes(kw)) throw new TemplateError(`${file}: unexpected {{${a}}}`);
        return { body, closer: a };
      }
      if (kw === 'if' || kw === 'with') {
        const branches: { cond: string | undefined; body: Node[] }[] = [];
        let cond: string | undefined = word![2]!;
        for (;;) {
          const r = block(['end', 'else']);
          branches.push({ cond, body: r.body });
          if (r.closer === 'end') break;
          const rest = r.closer.replace(/^else\s*/, '');
          if (rest === '') cond = undefined;
          else if (kw === 'if' && rest.startsWith('if ')) cond = rest.slice(3).trim();
          else throw new TemplateError(`${file}: unsupported {{${r.closer}}}`);
          if (cond === undefined) {
            const last = block(['end']);
            branches.push({ cond: undefined, body: last.body });
            break;
          }
        }
        body.push({ t: kw, branches });
        continue;
      }
      if (kw && ['range', 'define', 'template', 'include', 'block', 'tpl'].includes(kw)) {
        throw new TemplateError(`${file}: {{${kw}}} is outside the supported subset`);
      }
      body.push({ t: 'out', pipe: a });
    }
    if (closers.length > 0) throw new TemplateError(`${file}: missing {{end}}`);
    return { body, closer: '' };
  };
  return block([]).body;
}

/** Go template truthiness: false, 0, nil, and empty strings, lists and maps are false. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function splitArgs(s: string, where: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (/\s/.test(s[i]!)) {
      i++;
      continue;
    }
    const m = s[i] === '"' ? /^"(?:[^"\\]|\\.)*"/.exec(s.slice(i)) : /^[^\s"]+/.exec(s.slice(i));
    if (!m) throw new TemplateError(`${where}: unterminated string in "${s}"`);
    out.push(m[0]);
    i += m[0].length;
  }
  return out;
}

function goString(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || Math.abs(v) >= 1e6) throw new TemplateError(`${where}: number ${v} would print in Go's exponent form; quote it in values.yaml`);
    return String(v);
  }
  throw new TemplateError(`${where}: cannot print a ${v === null ? 'null' : typeof v} directly; use toYaml`);
}

/** Helm's toYaml: sorted keys (Go maps), sequences not indented, no trailing newline. */
export function toYaml(v: unknown): string {
  return stringify(v, { sortMapEntries: true, indentSeq: false, lineWidth: 0 }).replace(/\n$/, '');
}

function indentLines(s: string, n: number): string {
  const pad = ' '.repeat(n);
  return s.split('\n').map((l) => pad + l).join('\n');
}

class Evaluator {
  constructor(
    private readonly ctx: RenderContext,
    private readonly file: string,
  ) {}

  private lookup(path: string, dot: unknown): unknown {
    if (path === '.') return dot;
    const parts = path.slice(1).split('.');
    let cur: unknown = parts[0] === 'Values' || parts[0] === 'Release' || parts[0] === 'Chart' ? this.ctx : dot;
    for (const p of parts) {
      if (cur === null || typeof cur !== 'object' || !(p in cur)) {
        throw new TemplateError(`${this.file}: ${path} is not set (define it in values.yaml)`);
      }
      cur = (cur as Record<string, unknown>)[p];
    }
    return cur;
  }

  private term(arg: string, dot: unknown): unknown {
    if (arg.startsWith('"')) return JSON.parse(arg) as string;
    if (/^-?\d+$/.test(arg)) return Number(arg);
    if (arg === 'true' || arg === 'false') return arg === 'true';
    if (arg.startsWith('.')) return this.lookup(arg, dot);
    throw new TemplateError(`${this.file}: "${arg}" is outside the supported subset`);
  }

  private call(fn: string, args: unknown[]): unknown {
    const where = `${this.file}: ${fn}`;
    const want = (n: number): void => {
      if (args.length !== n) throw new TemplateError(`${where} takes ${n} argument(s), got ${args.length}`);
    };
    switch (fn) {
      case 'toYaml':
        want(1);
        return toYaml(args[0]);
      case 'nindent':
      case 'indent': {
        want(2);
        const n = args[0];
        if (typeof n !== 'number') throw new TemplateError(`${where}: first argument must be a number`);
        const s = indentLines(goString(args[1], where), n);
        return fn === 'nindent' ? `\n${s}` : s;
      }
      case 'quote': {
        want(1);
        const s = goString(args[0], where);
        if (!/^[\x20-\x7e]*$/.test(s)) throw new TemplateError(`${where}: only printable ASCII is supported`);
        return JSON.stringify(s);
      }
      case 'default':
        want(2);
        return truthy(args[1]) ? args[1] : args[0];
      case 'eq':
      case 'ne':
        want(2);
        return fn === 'eq' ? args[0] === args[1] : args[0] !== args[1];
      case 'not':
        want(1);
        return !truthy(args[0]);
      case 'required':
        want(2);
        if (!truthy(args[1])) throw new TemplateError(`${this.file}: ${goString(args[0], where)}`);
        return args[1];
      default:
        throw new TemplateError(`${this.file}: function "${fn}" is outside the supported subset`);
    }
  }

  pipeline(src: string, dot: unknown): unknown {
    const stages = src.split(/\s\|\s/);
    let value: unknown;
    stages.forEach((stage, i) => {
      const [head, ...rest] = splitArgs(stage.trim(), this.file);
      if (head === undefined) throw new TemplateError(`${this.file}: empty pipeline stage in {{${src}}}`);
      const isCall = /^[a-zA-Z]\w*$/.test(head) && head !== 'true' && head !== 'false';
      if (!isCall) {
        if (i > 0 || rest.length > 0) throw new TemplateError(`${this.file}: cannot apply "${head}" in {{${src}}}`);
        value = this.term(head, dot);
        return;
      }
      const args: unknown[] = rest.map((a) => (a.startsWith('(') ? this.badParen(src) : this.term(a, dot)));
      if (i > 0) args.push(value);
      value = this.call(head, args);
    });
    return value;
  }

  private badParen(src: string): never {
    throw new TemplateError(`${this.file}: parentheses are outside the supported subset in {{${src}}}`);
  }

  render(nodes: Node[], dot: unknown): string {
    let out = '';
    for (const n of nodes) {
      if (n.t === 'text') out += n.text;
      else if (n.t === 'out') out += goString(this.pipeline(n.pipe, dot), `${this.file}: {{${n.pipe}}}`);
      else {
        for (const b of n.branches) {
          if (b.cond === undefined) {
            out += this.render(b.body, dot);
            break;
          }
          const v = this.pipeline(b.cond, dot);
          if (truthy(v)) {
            out += this.render(b.body, n.t === 'with' ? v : dot);
            break;
          }
        }
      }
    }
    return out;
  }
}

/** Renders one template file's text. */
export function renderTemplate(src: string, ctx: RenderContext, file = 'template'): string {
  const nodes = parse(lex(src, file), file);
  return new Evaluator(ctx, file).render(nodes, ctx.Values);
}
