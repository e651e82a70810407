// Restarting a type's sync controller leaves nothing behind on the controller's stop
// signal: disabling and re-enabling a FederatedTypeConfig many times, with every default
// type running, keeps the abort listeners on the caller's signal (one relay) and on the
// controller's own sync signal (one per running type) bounded.
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEDERATED_TYPE_CONFIGS, type FederatedTypeConfig } from '../../../src/api/core.js';
import { syncEventSink } from '../../../src/propagation/sync/events.js';
import { TypeConfigController } from '../../../src/propagation/types/type-config-controller.js';
import { KUBEFED_NS, startEnv, until, type Env } from '../../support/propagation.js';

const CYCLES = 200;
const TYPE = 'configmaps';

let env: Env;
let ctl: TypeConfigController;
const stop = new AbortController();
let running: Promise<void>;

const listeners = (s: AbortSignal): number => getEventListeners(s, 'abort').length;
// The signal every sync controller is stopped through (private; read here to count on it).
const syncSignal = (): AbortSignal => ctl['signal']!;

async function setPropagation(value: 'Enabled' | 'Disabled'): Promise<void> {
  await env.host.dynamic.patch(FEDERATED_TYPE_CONFIGS, TYPE, { spec: { propagation: value } }, { namespace: KUBEFED_NS, type: 'merge' });
}

beforeAll(async () => {
  env = await startEnv();
  await env.stopController(); // this suite holds the stop signal itself
  ctl = new TypeConfigController({
    host: env.host, members: env.members, kubefedNamespace: KUBEFED_NS, clusterTimeoutMs: 2000, memberInformer: { backoffMaxMs: 500 }, events: syncEventSink(env.host),
  });
  running = ctl.start(stop.signal);
  const types = await env.host.dynamic.list<FederatedTypeConfig>(FEDERATED_TYPE_CONFIGS, { namespace: KUBEFED_NS });
  await until(() => types.items.every((t) => ctl.syncController(t.metadata.name ?? '')), 20_000);
}, 60_000);

afterAll(async () => {
  stop.abort();
  await running;
  await env?.close();
});

describe('sync controller restarts', () => {
  it(`keeps abort listeners bounded over ${CYCLES} disable/enable cycles of one type`, async () => {
    const types = (await env.host.dynamic.list<FederatedTypeConfig>(FEDERATED_TYPE_CONFIGS, { namespace: KUBEFED_NS })).items.length;
    expect(types).toBeGreaterThanOrEqual(10); // with the builder's relay, past Node's cap of 10 on one signal
    const before = { caller: listeners(stop.signal), sync: listeners(syncSignal()) };
    for (let i = 0; i < CYCLES; i++) {
      const previous = ctl.syncController(TYPE);
      await setPropagation('Disabled');
      await until(() => !ctl.syncController(TYPE), 10_000, 5);
      await setPropagation('Enabled');
      await until(() => {
        const next = ctl.syncController(TYPE);
        return next !== undefined && next !== previous;
      }, 10_000, 5);
    }
    const after = { caller: listeners(stop.signal), sync: listeners(syncSignal()) };
    expect(after).toEqual(before);
    expect(after.sync).toBe(types); // one per running sync controller
    expect(after.caller).toBeLessThanOrEqual(3); // relays, whatever the number of types
  }, 240_000);
});
