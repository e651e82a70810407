import { describe, expect, it } from 'vitest';
import { observe, trackerFromStatus, type HealthTracker, type ProbeOutcome, type ProbeResult } from '../../../src/clusters/health-state.js';

const th = { failureThreshold: 3, successThreshold: 2 };
const r = (outcome: ProbeOutcome, at = 1000, refused = false): ProbeResult => ({ outcome, message: outcome === 'offline' ? 'connect ECONNREFUSED' : '', refused, at });

function run(start: HealthTracker, outcomes: ProbeOutcome[]): { states: (string | undefined)[]; transitions: number } {
  let t = start;
  let transitions = 0;
  const states: (string | undefined)[] = [];
  for (const [i, o] of outcomes.entries()) {
    const res = observe(t, r(o, i * 1000), th);
    t = res.tracker;
    if (res.transition) transitions++;
    states.push(t.reported);
  }
  return { states, transitions };
}

const ready: HealthTracker = { reported: 'Ready', message: '', since: 0, successRun: 0, failureRun: 0 };
const offline: HealthTracker = { reported: 'Offline', message: 'x', since: 0, successRun: 0, failureRun: 0 };

describe('consecutive thresholds', () => {
  it.each([
    { name: 'goes offline only after failureThreshold failures in a row', start: ready, seq: ['offline', 'offline', 'offline'], want: ['Ready', 'Ready', 'Offline'] },
    { name: 'a good probe resets the failure run', start: ready, seq: ['offline', 'offline', 'healthy', 'offline', 'offline'], want: ['Ready', 'Ready', 'Ready', 'Ready', 'Ready'] },
    { name: 'a single slow probe never flips a long-ready member (Kubefed would)', start: { ...ready, successRun: 50 }, seq: ['offline', 'healthy'], want: ['Ready', 'Ready'] },
    { name: 'recovers after successThreshold good probes in a row', start: offline, seq: ['healthy', 'offline', 'healthy', 'healthy'], want: ['Offline', 'Offline', 'Offline', 'Ready'] },
    { name: 'not-ready and offline failures count together', start: ready, seq: ['notReady', 'offline', 'notReady'], want: ['Ready', 'Ready', 'NotReady'] },
    { name: 'the kind of trouble switches at once while not ready', start: offline, seq: ['notReady'], want: ['NotReady'] },
    { name: 'a malformed configuration is reported at once', start: ready, seq: ['malformed'], want: ['ConfigMalformed'] },
  ] as { name: string; start: HealthTracker; seq: ProbeOutcome[]; want: string[] }[])('$name', ({ start, seq, want }) => {
    expect(run(start, seq).states).toEqual(want);
  });

  it('adopts the first result when nothing was reported yet', () => {
    const res = observe(trackerFromStatus(undefined), r('healthy', 5000), th);
    expect(res.transition).toEqual({ from: undefined, to: 'Ready', message: '' });
    expect(res.tracker.since).toBe(5000);
  });

  it('counts one transition per change, none while stable', () => {
    expect(run(ready, ['healthy', 'healthy', 'offline', 'offline', 'offline', 'offline', 'healthy', 'healthy', 'healthy']).transitions).toBe(2);
  });
});

describe('trackerFromStatus', () => {
  it('continues from what status says', () => {
    const t = trackerFromStatus({
      conditions: [
        { type: 'Ready', status: 'False', reason: 'ClusterNotReachable', lastProbeTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z', message: 'down' },
        { type: 'Offline', status: 'True', reason: 'ClusterNotReachable', lastProbeTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z', message: 'down' },
      ],
    });
    expect(t.reported).toBe('Offline');
    expect(t.since).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(trackerFromStatus({ conditions: [{ type: 'Ready', status: 'True', lastProbeTime: 'x' }] }).reported).toBe('Ready');
    expect(trackerFromStatus({ conditions: [{ type: 'Ready', status: 'False', reason: 'ClusterConfigMalformed', lastProbeTime: 'x' }] }).reported).toBe('ConfigMalformed');
  });
});
