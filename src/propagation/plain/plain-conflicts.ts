// The plain objects a policy selects that kfed will not federate because a Federated<Kind>
// of that name was written by someone else: one line per (object, policy), read by the
// policy status controller (a PolicyConflictSource), which adds them to the policies'
// `conflicts`. Changes are announced with the policy keys whose lines changed.
import type { PolicyConflictSource } from '../policy/policy-status.js';

export class PlainConflicts implements PolicyConflictSource {
  /** plain object id -> policy key -> line */
  private readonly byObject = new Map<string, Map<string, string>>();
  private readonly listeners = new Set<(keys: readonly string[]) => void>();

  /** Sets the lines of one plain object (none: it has no conflict); returns whether they were new. */
  set(id: string, lines: ReadonlyMap<string, string>): boolean {
    const prev = this.byObject.get(id) ?? new Map<string, string>();
    const changed = new Set<string>();
    for (const [k, v] of prev) if (lines.get(k) !== v) changed.add(k);
    for (const [k, v] of lines) if (prev.get(k) !== v) changed.add(k);
    if (lines.size > 0) this.byObject.set(id, new Map(lines));
    else this.byObject.delete(id);
    if (changed.size > 0) for (const l of this.listeners) l([...changed]);
    return [...lines.keys()].some((k) => prev.get(k) !== lines.get(k));
  }

  conflicts(): ReadonlyMap<string, readonly string[]> {
    const out = new Map<string, string[]>();
    for (const lines of this.byObject.values()) {
      for (const [key, line] of lines) out.set(key, [...(out.get(key) ?? []), line]);
    }
    return out;
  }

  onChange(fn: (policyKeys: readonly string[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
