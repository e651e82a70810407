// The set of resources a sandbox cluster serves: built-ins plus those CRDs define.
import { BUILTIN_RESOURCES } from './builtins.js';
import { resourceKey, type ResourceDef } from './types.js';

export class ResourceRegistry {
  private readonly byKey = new Map<string, ResourceDef>();
  private generation = 0;

  constructor() {
    for (const d of BUILTIN_RESOURCES) this.byKey.set(resourceKey(d.group, d.plural), d);
  }

  /** changes whenever a resource is added or removed (discovery caches key on it) */
  get version(): number {
    return this.generation;
  }

  get(group: string, plural: string): ResourceDef | undefined {
    return this.byKey.get(resourceKey(group, plural));
  }

  /** The resource served at group/version/plural, if that version is served. */
  lookup(group: string, version: string, plural: string): ResourceDef | undefined {
    const d = this.byKey.get(resourceKey(group, plural));
    return d && d.versions.includes(version) ? d : undefined;
  }

  byKind(group: string, kind: string): ResourceDef | undefined {
    for (const d of this.byKey.values()) if (d.group === group && d.kind === kind) return d;
    return undefined;
  }

  all(): ResourceDef[] {
    return [...this.byKey.values()];
  }

  set(def: ResourceDef): void {
    this.byKey.set(resourceKey(def.group, def.plural), def);
    this.generation++;
  }

  remove(group: string, plural: string): void {
    if (this.byKey.delete(resourceKey(group, plural))) this.generation++;
  }

  isBuiltin(def: ResourceDef): boolean {
    return def.crd === undefined;
  }

  /** group -> versions served, preferred first (storage version first for CRDs) */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const d of this.byKey.values()) {
      const vs = out.get(d.group) ?? [];
      const ordered = [d.storageVersion, ...d.versions.filter((v) => v !== d.storageVersion)];
      for (const v of ordered) if (!vs.includes(v)) vs.push(v);
      out.set(d.group, vs);
    }
    return out;
  }
}
