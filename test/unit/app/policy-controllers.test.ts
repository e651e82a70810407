// The composition root starts the plain-resource controller only with
// --policy-propagate-plain-resources, beside the policy status controller (which then
// takes its conflicts).
import { describe, expect, it } from 'vitest';
import { CONTROLLERS, type ControlPlaneDeps } from '../../../src/app/controllers.js';
import { buildConfig } from '../../../src/config/config.js';
import { silentLogger } from '../../../src/observability/logger.js';
import type { Runnable } from '../../../src/runtime/runnable.js';

/** Deps whose informers are inert: the factory only constructs (nothing starts). */
function deps(policyPropagatePlainResources: boolean | undefined): ControlPlaneDeps {
  const informer = { addHandlers: () => () => undefined, hasSynced: () => false, waitForSync: () => new Promise(() => undefined), list: () => [], get: () => undefined, keys: () => [], name: 'stub' };
  const scope = { informer: () => informer, release: async () => undefined, close: async () => undefined };
  return {
    config: buildConfig({ kubeconfigPath: '/dev/null', identity: 'test', ...(policyPropagatePlainResources !== undefined ? { policyPropagatePlainResources } : {}) }),
    host: {} as never,
    members: {} as never,
    informers: { scope: () => scope } as never,
    logger: silentLogger(),
    metrics: undefined as never,
    events: () => ({ record: () => undefined, flush: async () => undefined }) as never,
    health: undefined,
    isLeader: () => true,
  };
}

const names = (r: Runnable | Runnable[] | undefined): string[] => (Array.isArray(r) ? r : r ? [r] : []).map((x) => x.name);

describe('policy controllers in the composition root', () => {
  const entry = CONTROLLERS.find((c) => c.name === 'policy-status')!;

  it('off by default: the policy status controller only', () => {
    expect(names(entry.create(deps(undefined)))).toEqual(['policy-status-controller']);
    expect(names(entry.create(deps(false)))).toEqual(['policy-status-controller']);
  });

  it('on: the plain-resource controller beside it, leader-only', () => {
    const made = entry.create(deps(true)) as Runnable[];
    expect(names(made)).toEqual(['policy-status-controller', 'plain-resource-controller']);
    expect(made.every((r) => r.needLeaderElection !== false)).toBe(true);
  });
});
