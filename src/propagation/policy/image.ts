// Container image references `[registry/]repository[:tag][@digest]` and the image
// overrider's edits on one component (Karmada's semantics: add appends to the component,
// remove drops it, replace sets it).
import type { ImageOverrider } from '../../api/federation.js';

export interface ImageRef {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
}

/** Docker's rule: the first segment is a registry when it has a dot or a port, or is localhost. */
export function parseImage(image: string): ImageRef {
  let rest = image;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let registry = '';
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { registry, repository: rest, tag, digest };
}

export function formatImage(r: ImageRef): string {
  return `${r.registry ? `${r.registry}/` : ''}${r.repository}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

const FIELD = { Registry: 'registry', Repository: 'repository', Tag: 'tag' } as const;

/** The image after one overrider, or an error text. */
export function overrideImage(image: string, o: ImageOverrider): { ok: true; image: string } | { ok: false; message: string } {
  const field = FIELD[o.component];
  if (field === undefined) return { ok: false, message: `imageOverrider: unknown component ${JSON.stringify(o.component)} (Registry, Repository or Tag)` };
  if (o.operator !== 'remove' && (typeof o.value !== 'string' || o.value === '')) return { ok: false, message: `imageOverrider: ${o.component} ${o.operator} needs a value` };
  const ref = parseImage(image);
  switch (o.operator) {
    case 'add':
      ref[field] = `${ref[field]}${o.value}`;
      break;
    case 'replace':
      ref[field] = o.value ?? '';
      break;
    case 'remove':
      if (field === 'repository') return { ok: false, message: 'imageOverrider: the Repository component cannot be removed' };
      ref[field] = '';
      break;
    default:
      return { ok: false, message: `imageOverrider: unsupported operator ${JSON.stringify(o.operator)}` };
  }
  // A tag edit on a digest-pinned image would be ignored by the runtime: drop the digest.
  if (field === 'tag' && o.operator !== 'remove') ref.digest = '';
  return { ok: true, image: formatImage(ref) };
}
