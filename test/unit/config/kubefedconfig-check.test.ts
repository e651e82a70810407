import { describe, expect, it } from 'vitest';
import type { KubeFedConfig } from '../../../src/api/core.js';
import { defaultKubeFedConfig } from '../../../src/api/core-validation.js';
import { checkKubeFedConfig, compareKubeFedConfig } from '../../../src/config/kubefedconfig-check.js';

const kfc = (spec: Record<string, unknown>): KubeFedConfig => ({ apiVersion: 'core.kubefed.io/v1beta1', kind: 'KubeFedConfig', metadata: { name: 'kubefed', namespace: 'kube-federation-system' }, spec: { scope: 'Cluster', ...spec } } as KubeFedConfig);

describe('checkKubeFedConfig (start-up)', () => {
  it('keeps a valid config as it is', () => {
    const c = checkKubeFedConfig(kfc({ scope: 'Namespaced', clusterHealthCheck: { period: '2s' } }));
    expect(c.problems).toEqual([]);
    expect(c.config.spec.clusterHealthCheck?.period).toBe('2s');
  });

  it.each([
    [{ clusterHealthCheck: { period: '10 seconds' } }, 'spec.clusterHealthCheck.period', (c: KubeFedConfig) => c.spec.clusterHealthCheck?.period, '1s'],
    [{ clusterHealthCheck: { timeout: '0s' } }, 'spec.clusterHealthCheck.timeout', (c: KubeFedConfig) => c.spec.clusterHealthCheck?.timeout, '1500ms'],
    [{ clusterHealthCheck: { failureThreshold: 0 } }, 'spec.clusterHealthCheck.failureThreshold', (c: KubeFedConfig) => c.spec.clusterHealthCheck?.failureThreshold, 2],
    [{ leaderElect: { renewDeadline: '20s' } }, 'spec.leaderElect.leaseDuration', (c: KubeFedConfig) => c.spec.leaderElect?.renewDeadline, '10s'],
    [{ leaderElect: { retryPeriod: '-5s' } }, 'spec.leaderElect.retryPeriod', (c: KubeFedConfig) => c.spec.leaderElect?.retryPeriod, '5s'],
    [{ controllerDuration: { availableDelay: 'forever' } }, 'spec.controllerDuration.availableDelay', (c: KubeFedConfig) => c.spec.controllerDuration?.availableDelay, '20s'],
    [{ syncController: { adoptResources: 'Maybe' } }, 'spec.syncController.adoptResources', (c: KubeFedConfig) => c.spec.syncController?.adoptResources, 'Enabled'],
  ])('%j: falls back to the default and names %s', (spec, field, get, want) => {
    const c = checkKubeFedConfig(kfc({ scope: 'Namespaced', ...spec }));
    expect(c.problems.join('; ')).toContain(field);
    expect(get(c.config)).toEqual(want);
    expect(c.config.spec.scope).toBe('Namespaced');
  });
});

describe('compareKubeFedConfig (run time)', () => {
  const running = defaultKubeFedConfig(kfc({}));
  it('unchanged, invalid, or which fields need a restart', () => {
    expect(compareKubeFedConfig(running, kfc({}))).toEqual({ kind: 'unchanged' });
    expect(compareKubeFedConfig(running, kfc({ clusterHealthCheck: { period: 'soon' } }))).toMatchObject({ kind: 'invalid', problems: [expect.stringContaining('spec.clusterHealthCheck.period')] });
    expect(compareKubeFedConfig(running, kfc({ clusterHealthCheck: { period: '2s' }, scope: 'Namespaced' }))).toEqual({ kind: 'restartRequired', fields: ['spec.scope', 'spec.clusterHealthCheck'] });
  });
});
