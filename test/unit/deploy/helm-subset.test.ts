// The subset renderer follows Helm's (Go text/template + Sprig) semantics for what it
// supports, and refuses everything else instead of guessing.
import { describe, expect, it } from 'vitest';
import { renderTemplate, toYaml, truthy, type RenderContext } from './helm-subset.js';

const ctx = (values: unknown): RenderContext => ({
  Values: values,
  Release: { Name: 'rel', Namespace: 'ns', Service: 'Helm' },
  Chart: { Name: 'kfed', Version: '0.1.0', AppVersion: '0.1.0' },
});
const r = (src: string, values: unknown = {}): string => renderTemplate(src, ctx(values), 't');

describe('helm subset renderer', () => {
  it.each([
    ['{{ .Values.a.b }}', { a: { b: 'x' } }, 'x'],
    ['{{ .Release.Name }}/{{ .Release.Namespace }}/{{ .Chart.AppVersion }}', {}, 'rel/ns/0.1.0'],
    ['{{ .Values.n }}', { n: 2 }, '2'],
    ['{{ .Values.t }}', { t: true }, 'true'],
    ['{{ .Values.s | quote }}', { s: 'a b' }, '"a b"'],
    ['{{ .Values.tag | default .Chart.AppVersion }}', { tag: '' }, '0.1.0'],
    ['{{ .Values.tag | default "1.0" }}', { tag: '2.0' }, '2.0'],
    ['{{ default "d" .Values.x }}', { x: 0 }, 'd'],
    ['a\n  {{- .Values.x }}\nb', { x: 1 }, 'a1\nb'],
    ['a  {{ .Values.x -}}  \n  b', { x: 1 }, 'a  1b'],
    ['{{/* a comment */}}x', {}, 'x'],
    ['{{- /* trimmed comment */}}\nx', {}, '\nx'],
  ])('%s', (src, values, want) => {
    expect(r(src, values)).toBe(want);
  });

  it('if / else if / else / end with Go truthiness', () => {
    const t = '{{ if .Values.a }}A{{ else if .Values.b }}B{{ else }}C{{ end }}';
    expect(r(t, { a: 'x', b: true })).toBe('A');
    expect(r(t, { a: '', b: true })).toBe('B');
    expect(r(t, { a: [], b: {} })).toBe('C');
    expect(r('{{ if not .Values.a }}no{{ end }}', { a: 0 })).toBe('no');
    expect(r('{{ if eq .Values.t "ClusterIP" }}c{{ end }}{{ if ne .Values.t "ClusterIP" }}o{{ end }}', { t: 'LoadBalancer' })).toBe('o');
    expect([0, '', false, null, [], {}].map(truthy)).toEqual([false, false, false, false, false, false]);
    expect([1, 'x', true, [0], { a: 1 }].map(truthy)).toEqual([true, true, true, true, true]);
  });

  it('with rebinds the dot and skips empty values', () => {
    const t = 'x:{{- with .Values.m }}{{ toYaml . | nindent 2 }}{{- end }}';
    expect(r(t, { m: { b: 1, a: [1, 2] } })).toBe('x:\n  a:\n  - 1\n  - 2\n  b: 1');
    expect(r(t, { m: {} })).toBe('x:');
    expect(r('{{ with .Values.s }}[{{ . }}]{{ else }}none{{ end }}', { s: '' })).toBe('none');
  });

  it("toYaml is Helm's: keys sorted, sequences not indented, no trailing newline", () => {
    expect(toYaml({ b: 1, a: { d: [{ y: 1, x: 2 }], c: 'v' } })).toBe('a:\n  c: v\n  d:\n  - x: 2\n    y: 1\nb: 1');
    expect(r('{{ toYaml .Values.l | indent 4 }}', { l: ['a'] })).toBe('    - a');
  });

  it('refuses what Helm would print differently or what the subset does not cover', () => {
    expect(() => r('{{ .Values.missing }}', {})).toThrow(/not set/);
    expect(() => r('{{ .Values.n }}', { n: 1000000 })).toThrow(/exponent/);
    expect(() => r('{{ .Values.n }}', { n: 0.5 })).toThrow(/exponent/);
    expect(() => r('{{ .Values.m }}', { m: { a: 1 } })).toThrow(/toYaml/);
    expect(() => r('{{ range .Values.l }}{{ end }}', { l: [] })).toThrow(/outside the supported subset/);
    expect(() => r('{{ include "x" . }}', {})).toThrow(/outside the supported subset/);
    expect(() => r('{{ upper .Values.s }}', { s: 'a' })).toThrow(/outside the supported subset/);
    expect(() => r('{{ default (print "a") .Values.s }}', { s: '' })).toThrow();
    expect(() => r('{{ if .Values.a }}', { a: 1 })).toThrow(/missing \{\{end\}\}/);
    expect(() => r('{{ end }}', {})).toThrow(/unexpected/);
    expect(() => r('{{ required "image.repository is required" .Values.r }}', { r: '' })).toThrow(/image.repository is required/);
  });
});
