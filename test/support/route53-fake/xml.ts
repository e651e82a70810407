// Just enough XML for Route53's REST/XML API as the AWS SDK speaks it: elements, text
// and the five entities plus numeric references (no attributes are read, no CDATA).
export interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (m, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return ENTITIES[ref] ?? m;
  });
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function parseXml(body: string): XmlNode {
  const root: XmlNode = { name: '#root', children: [], text: '' };
  const stack: XmlNode[] = [root];
  const re = /<\?[^>]*\?>|<!--[\s\S]*?-->|<\/([^\s>]+)\s*>|<([^\s/>]+)[^>]*?(\/?)>|([^<]+)/g;
  for (const m of body.matchAll(re)) {
    const top = stack[stack.length - 1] as XmlNode;
    if (m[1] !== undefined) {
      if (top.name !== m[1]) throw new Error(`xml: </${m[1]}> closes <${top.name}>`);
      stack.pop();
    } else if (m[2] !== undefined) {
      const node: XmlNode = { name: m[2].replace(/^.*:/, ''), children: [], text: '' };
      top.children.push(node);
      if (m[3] !== '/') stack.push(node);
    } else if (m[4] !== undefined) top.text += decode(m[4]);
  }
  if (stack.length !== 1) throw new Error('xml: unclosed element');
  const doc = root.children[0];
  if (!doc) throw new Error('xml: empty document');
  return doc;
}

export function child(n: XmlNode | undefined, name: string): XmlNode | undefined {
  return n?.children.find((c) => c.name === name);
}

export function children(n: XmlNode | undefined, name: string): XmlNode[] {
  return n?.children.filter((c) => c.name === name) ?? [];
}

export function text(n: XmlNode | undefined, name: string): string | undefined {
  const c = child(n, name);
  return c ? c.text.trim() : undefined;
}

/** A value to serialize: text, a nested object, a list of [element name, value] pairs. */
export type XmlValue = string | number | boolean | undefined | XmlObject | XmlList;
export interface XmlObject {
  [name: string]: XmlValue;
}
export interface XmlList {
  member: string;
  items: XmlValue[];
}

export function isList(v: XmlValue): v is XmlList {
  return typeof v === 'object' && v !== null && 'member' in v && Array.isArray((v as XmlList).items);
}

export function toXml(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (isList(value)) return `<${name}>${value.items.map((i) => toXml(value.member, i)).join('')}</${name}>`;
  if (typeof value === 'object') return `<${name}>${Object.entries(value).map(([k, v]) => toXml(k, v)).join('')}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';

export function document(root: string, body: XmlObject): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NS}">${Object.entries(body).map(([k, v]) => toXml(k, v)).join('')}</${root}>`;
}
