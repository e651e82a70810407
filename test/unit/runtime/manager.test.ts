import { describe, expect, it } from 'vitest';
import { Manager } from '../../../src/runtime/manager.js';
import type { LeaderElection, Runnable } from '../../../src/runtime/runnable.js';

class Probe implements Runnable {
  starts = 0;
  stops = 0;
  running = false;
  log: string[];
  constructor(
    readonly name: string,
    readonly needLeaderElection: boolean,
    log: string[],
  ) {
    this.log = log;
  }
  start(signal: AbortSignal): Promise<void> {
    this.starts++;
    this.running = true;
    this.log.push(`start ${this.name}`);
    return new Promise((resolve) => {
      signal.addEventListener('abort', () => {
        // finish asynchronously, like a controller draining in-flight work
        setTimeout(() => {
          this.running = false;
          this.stops++;
          this.log.push(`stop ${this.name}`);
          resolve();
        }, 5);
      });
    });
  }
}

/** Leadership controlled by the test. */
class ManualElection implements LeaderElection {
  private cb?: { onStartedLeading(s: AbortSignal): void; onStoppedLeading(): void };
  private term: AbortController | undefined;
  constructor(private readonly log: string[]) {}
  run(signal: AbortSignal, cb: { onStartedLeading(s: AbortSignal): void; onStoppedLeading(): void }): Promise<void> {
    this.cb = cb;
    return new Promise((resolve) => {
      signal.addEventListener('abort', () => {
        if (this.term) this.lose();
        this.log.push('released');
        resolve();
      });
    });
  }
  win(): void {
    this.term = new AbortController();
    this.cb?.onStartedLeading(this.term.signal);
  }
  lose(): void {
    this.term?.abort();
    this.term = undefined;
    this.cb?.onStoppedLeading();
  }
}

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe('Manager', () => {
  it('without election runs everything, and stops leader-only runnables first', async () => {
    const log: string[] = [];
    const m = new Manager();
    const informer = new Probe('informer', false, log);
    const ctrl = new Probe('ctrl', true, log);
    m.add(informer);
    m.add(ctrl);
    await m.start();
    expect(m.isLeader()).toBe(true);
    expect(informer.running && ctrl.running).toBe(true);
    await m.stop();
    await m.wait();
    expect(log).toEqual(['start informer', 'start ctrl', 'stop ctrl', 'stop informer']);
  });

  it('runs leader-only runnables only while leading, and restarts them on a new term', async () => {
    const log: string[] = [];
    const election = new ManualElection(log);
    let lost = 0;
    const m = new Manager({ leaderElection: election, onLeadershipLost: () => lost++ });
    const informer = new Probe('informer', false, log);
    const ctrl = new Probe('ctrl', true, log);
    m.add(informer);
    m.add(ctrl);
    await m.start();
    expect(informer.running).toBe(true);
    expect(ctrl.running).toBe(false);
    election.win();
    expect(ctrl.running).toBe(true);
    election.lose();
    await tick();
    expect(ctrl.running).toBe(false);
    expect(informer.running).toBe(true);
    expect(lost).toBe(1);
    election.win();
    expect(ctrl.starts).toBe(2);
    const late = new Probe('late', true, log);
    m.add(late);
    expect(late.running).toBe(true);
    await m.stop();
    // reconcilers stop before the lease is released; informers after
    expect(log.indexOf('stop ctrl')).toBeLessThan(log.indexOf('released'));
    expect(log.indexOf('released')).toBeLessThan(log.indexOf('stop informer'));
  });

  it('a failing runnable stops the manager and wait() rejects', async () => {
    const log: string[] = [];
    const m = new Manager();
    const other = new Probe('other', false, log);
    m.add(other);
    m.add({ name: 'bad', start: async () => Promise.reject(new Error('port in use')) });
    m.add({
      name: 'throws-sync',
      start: () => {
        throw new Error('sync throw');
      },
    });
    await m.start();
    await expect(m.wait()).rejects.toThrow(/bad failed: port in use|throws-sync failed: sync throw/);
    expect(other.running).toBe(false);
  });
});
