// Process concerns of long-running commands (`kfed controller`, `kfed sandbox`): the
// replica's identity and stopping cleanly on SIGINT/SIGTERM.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * The Lease holder identity: the pod's name (the chart sets POD_NAME) or the host name,
 * plus a random suffix so that a restarted process never mistakes its predecessor's
 * lease for its own (client-go does the same).
 */
export function replicaIdentity(): string {
  const base = process.env.POD_NAME || hostname() || 'kfed';
  return `${base}_${randomBytes(4).toString('hex')}`;
}

export interface Stoppable {
  stop(): Promise<void>;
  /** Resolves when stopped; rejects when it failed on its own. */
  wait(): Promise<void>;
}

/** How long a clean stop may take before the process exits anyway (kubelet's grace is 30 s). */
const STOP_GRACE_MS = 20_000;
const DUPLICATE_SIGNAL_MS = 1000;

/**
 * Runs until SIGINT or SIGTERM, then stops `target` (releasing the lease, closing ports)
 * and resolves. A second signal, a second or more after the first, exits at once with
 * 130. If `target` fails by itself, it is stopped too and the failure is thrown (main
 * prints it and exits 1).
 */
export async function runUntilSignal(target: Stoppable): Promise<void> {
  let signalledAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalledAt !== undefined) {
      // Ctrl-C reaches every process of the terminal's group, and wrappers (npm, tsx)
      // relay it once more: a duplicate within a second is the same request.
      if (Date.now() - signalledAt < DUPLICATE_SIGNAL_MS) return;
      process.stderr.write(`received ${signal} again; exiting without a clean stop\n`);
      process.exit(130);
    }
    signalledAt = Date.now();
    // A stop that hangs (a wedged API call) must not keep the process past its grace period.
    setTimeout(() => {
      process.stderr.write(`clean stop did not finish within ${STOP_GRACE_MS / 1000} s; exiting\n`);
      process.exit(1);
    }, STOP_GRACE_MS).unref();
    void target.stop();
  };
  // The handlers stay installed after the stop: a signal in the last milliseconds must
  // not kill the process with the default action (exit status 130/143 instead of 0).
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await target.wait();
  } catch (err) {
    await target.stop();
    throw err;
  }
}
