// Values with their own decoders in kube-apiserver's Go types, checked as those decoders check
// them, with their error texts: base64 bytes ([]byte), resource.Quantity and metav1.Time.

const B64 = /[A-Za-z0-9+/]/;

/** The input byte Go's base64.StdEncoding reports as corrupt, or undefined when `s` decodes. */
export function checkBase64(s: string): number | undefined {
  // Go skips newlines in base64 input
  const chars: { c: string; at: number }[] = [];
  for (let i = 0; i < s.length; i++) if (s[i] !== '\n' && s[i] !== '\r') chars.push({ c: s[i]!, at: i });
  for (let q = 0; q < chars.length; q += 4) {
    for (let j = 0; j < 4; j++) {
      const ch = chars[q + j];
      if (!ch) return j === 0 ? undefined : chars[q]!.at;
      if (ch.c === '=') {
        // padding: only in the last two places of the last quantum, and nothing after it
        if (j < 2) return ch.at;
        if (j === 2 && chars[q + 3]?.c !== '=') return chars[q + 3] ? chars[q + 3]!.at : ch.at;
        const after = chars[q + 4];
        return after ? after.at : undefined;
      }
      if (!B64.test(ch.c)) return ch.at;
    }
  }
  return undefined;
}

const QUANTITY_RE = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const SUFFIXES = new Set(['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E']);

/** resource.Quantity's UnmarshalJSON: a string or a JSON number in quantity syntax; the error text if not. */
export function checkQuantity(v: unknown): string | undefined {
  const text = typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : JSON.stringify(v);
  const m = QUANTITY.exec(text);
  if (!m) return `quantities must match the regular expression '${QUANTITY_RE}'`;
  const suffix = m[2]!;
  if (!SUFFIXES.has(suffix) && !/^[eE][-+]?[0-9]+$/.test(suffix)) return "unable to parse quantity's suffix";
  return undefined;
}

const LAYOUT = '2006-01-02T15:04:05Z07:00';
const quote = (s: string): string => JSON.stringify(s);

/** Go's time.Parse(time.RFC3339, v) as metav1.Time decodes it: the error text, or undefined. */
export function checkTime(v: string): string | undefined {
  let rest = v;
  const cannot = (elem: string): string => `parsing time ${quote(v)} as ${quote(LAYOUT)}: cannot parse ${quote(rest)} as ${quote(elem)}`;
  const num = (elem: string, digits: number, fixed: boolean, max: number, what: string): string | undefined => {
    const m = (fixed ? new RegExp(`^[0-9]{${digits}}`) : /^[0-9]{1,2}/).exec(rest);
    if (!m) return cannot(elem);
    const n = Number(m[0]);
    rest = rest.slice(m[0].length);
    if (n > max || (what !== 'hour' && what !== 'minute' && what !== 'second' && n < 1)) return `parsing time ${quote(v)}: ${what} out of range`;
    return undefined;
  };
  const lit = (s: string): string | undefined => {
    if (!rest.startsWith(s)) return cannot(s);
    rest = rest.slice(s.length);
    return undefined;
  };
  const steps: (() => string | undefined)[] = [
    () => (/^[0-9]{4}/.test(rest) ? ((rest = rest.slice(4)), undefined) : cannot('2006')),
    () => lit('-'), () => num('01', 2, true, 12, 'month'), () => lit('-'), () => num('02', 2, true, 31, 'day'),
    () => lit('T'), () => num('15', 2, false, 23, 'hour'), () => lit(':'), () => num('04', 2, true, 59, 'minute'),
    () => lit(':'), () => num('05', 2, true, 59, 'second'),
    () => {
      const frac = /^\.[0-9]+/.exec(rest);
      if (frac) rest = rest.slice(frac[0].length);
      return undefined;
    },
    () => {
      if (rest.startsWith('Z')) return ((rest = rest.slice(1)), undefined);
      if (/^[+-][0-9]{2}:[0-9]{2}/.test(rest)) return ((rest = rest.slice(6)), undefined);
      return cannot('Z07:00');
    },
  ];
  for (const step of steps) {
    const problem = step();
    if (problem) return problem;
  }
  if (rest !== '') return `parsing time ${quote(v)}: extra text: ${quote(rest)}`;
  return undefined;
}
