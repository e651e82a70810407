// Per-member health bookkeeping with true consecutive thresholds (a pure state machine).
//
// Kubefed counted how many periods the *reported* state had lasted and suppressed an
// opposite probe result only while that count was below the threshold; once a member
// had been Ready for `failureThreshold` periods, a single failed probe turned it
// offline. Here a Ready member becomes not ready only after `failureThreshold` failed
// probes in a row, and a not-ready member becomes Ready only after `successThreshold`
// good probes in a row; any opposite result resets the run.
import type { ClusterCondition, KubeFedClusterStatus } from '../api/core.js';

/** What one probe saw. `malformed`: no client could be built (missing Secret, bad TLS option). */
export type ProbeOutcome = 'healthy' | 'notReady' | 'offline' | 'malformed';

/** The state written to status. */
export type HealthState = 'Ready' | 'NotReady' | 'Offline' | 'ConfigMalformed';

export interface ProbeResult {
  outcome: ProbeOutcome;
  /** Human-readable detail for the condition message (never credentials). */
  message: string;
  /** The connection was refused (or reset before any response): a definite sign the server is down. */
  refused: boolean;
  /** From /version when it was asked for and answered. */
  version?: string;
  /** Epoch ms when the probe finished. */
  at: number;
}

export interface Thresholds {
  failureThreshold: number;
  successThreshold: number;
}

export interface HealthTracker {
  /** What status says now; undefined before the first probe of a member with no status. */
  reported: HealthState | undefined;
  /** The message that goes with `reported`. */
  message: string;
  /** When `reported` last changed (epoch ms); 0 when unknown. */
  since: number;
  successRun: number;
  failureRun: number;
}

export interface Transition {
  from: HealthState | undefined;
  to: HealthState;
  message: string;
}

export function stateOf(outcome: ProbeOutcome): HealthState {
  switch (outcome) {
    case 'healthy':
      return 'Ready';
    case 'notReady':
      return 'NotReady';
    case 'offline':
      return 'Offline';
    case 'malformed':
      return 'ConfigMalformed';
  }
}

function condition(status: KubeFedClusterStatus | undefined, type: ClusterCondition['type']): ClusterCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * Starts from what status already says, so a new leader (or a restart) continues the
 * previous one's state instead of re-deciding from a single probe.
 */
export function trackerFromStatus(status: KubeFedClusterStatus | undefined): HealthTracker {
  const ready = condition(status, 'Ready');
  const offline = condition(status, 'Offline');
  let reported: HealthState | undefined;
  let message = '';
  let sinceText: string | undefined;
  if (ready?.status === 'True') {
    reported = 'Ready';
    message = ready.message ?? '';
    sinceText = ready.lastTransitionTime;
  } else if (offline?.status === 'True') {
    reported = 'Offline';
    message = offline.message ?? '';
    sinceText = offline.lastTransitionTime;
  } else if (ready?.status === 'False') {
    reported = ready.reason === 'ClusterConfigMalformed' ? 'ConfigMalformed' : 'NotReady';
    message = ready.message ?? '';
    sinceText = ready.lastTransitionTime;
  }
  const since = sinceText ? Date.parse(sinceText) : 0;
  return { reported, message, since: Number.isNaN(since) ? 0 : since, successRun: 0, failureRun: 0 };
}

/** Applies one probe result; returns the new tracker and the transition to write, if any. */
export function observe(t: HealthTracker, r: ProbeResult, th: Thresholds): { tracker: HealthTracker; transition?: Transition } {
  const next: HealthTracker = { ...t };
  const to = stateOf(r.outcome);
  if (r.outcome === 'healthy') {
    next.successRun = t.successRun + 1;
    next.failureRun = 0;
  } else {
    next.failureRun = t.failureRun + 1;
    next.successRun = 0;
  }
  let change: boolean;
  if (t.reported === undefined) {
    // Nothing reported yet: the first result is all there is to say (as Kubefed).
    change = true;
  } else if (t.reported === to) {
    change = false;
  } else if (r.outcome === 'malformed') {
    // A configuration fact, not a flaky signal: no need to confirm it.
    change = true;
  } else if (t.reported === 'Ready') {
    change = next.failureRun >= th.failureThreshold;
  } else if (to === 'Ready') {
    change = next.successRun >= th.successThreshold;
  } else {
    // Already not ready; only the kind of trouble changed (offline <-> not ready).
    change = true;
  }
  if (!change) return { tracker: next };
  const transition: Transition = { from: t.reported, to, message: r.message };
  next.reported = to;
  next.message = r.message;
  next.since = r.at;
  return { tracker: next, transition };
}
