import { describe, expect, it } from 'vitest';
import { LeaderTerm } from '../../../src/runtime/leader-term.js';
import { Manager } from '../../../src/runtime/manager.js';
import type { LeaderElection, Runnable } from '../../../src/runtime/runnable.js';

/** A controller instance: records its own starts and stops. */
class Worker implements Runnable {
  readonly needLeaderElection = true;
  started = 0;
  stopped = 0;
  constructor(readonly name: string, private readonly finishEarly = false) {}
  start(signal: AbortSignal): Promise<void> {
    this.started++;
    if (this.finishEarly) return Promise.resolve();
    return new Promise((resolve) => signal.addEventListener('abort', () => setTimeout(() => {
      this.stopped++;
      resolve();
    }, 5), { once: true }));
  }
}

class ManualElection implements LeaderElection {
  private cb?: { onStartedLeading(s: AbortSignal): void; onStoppedLeading(): void };
  private term: AbortController | undefined;
  run(signal: AbortSignal, cb: { onStartedLeading(s: AbortSignal): void; onStoppedLeading(): void }): Promise<void> {
    this.cb = cb;
    return new Promise((resolve) => signal.addEventListener('abort', () => {
      if (this.term) this.lose();
      resolve();
    }));
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

const tick = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('LeaderTerm', () => {
  it('creates fresh runnables for every term and stops all of them when the term ends', async () => {
    const made: Worker[] = [];
    let closed = 0;
    const term = new LeaderTerm({ create: () => {
      const w = new Worker(`w${made.length}`);
      made.push(w);
      return { runnables: [w], close: () => void closed++ };
    } });
    const election = new ManualElection();
    const manager = new Manager({ leaderElection: election });
    manager.add(term);
    await manager.start();
    expect(made).toHaveLength(0);
    election.win();
    await tick();
    expect(made).toHaveLength(1);
    expect(term.liveness()).toBe(true);
    election.lose();
    await tick();
    expect(made[0]).toMatchObject({ started: 1, stopped: 1 });
    expect(closed).toBe(1);
    expect(term.current()).toEqual([]);
    election.win();
    await tick();
    // A new instance, not the old one restarted: nothing carries over between terms.
    expect(made).toHaveLength(2);
    expect(made[0]!.started).toBe(1);
    expect(made[1]!.started).toBe(1);
    expect(term.count).toBe(2);
    await manager.stop();
    expect(made[1]!.stopped).toBe(1);
    expect(closed).toBe(2);
  });

  it('starts a term only after the previous one fully stopped', async () => {
    const log: string[] = [];
    const term = new LeaderTerm({ create: () => {
      const n = log.filter((l) => l.startsWith('create')).length;
      log.push(`create ${n}`);
      return { runnables: [{ name: `r${n}`, start: (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => setTimeout(() => {
        log.push(`stopped ${n}`);
        resolve();
      }, 20))) }] };
    } });
    const first = new AbortController();
    const a = term.start(first.signal);
    await tick(1);
    first.abort();
    const b = term.start(new AbortController().signal);
    await a;
    await tick(40);
    expect(log).toEqual(['create 0', 'stopped 0', 'create 1']);
    void b;
  });

  it('is not live while a runnable that should run has stopped, or reports itself unhealthy', async () => {
    let report: true | string = true;
    const healthy: Runnable = { name: 'reporting', start: (s) => new Promise((r) => s.addEventListener('abort', () => r())), liveness: () => report };
    const term = new LeaderTerm({ create: () => ({ runnables: [healthy, new Worker('quitter', true)] }) });
    expect(term.liveness()).toBe('leader-only controllers are not running');
    const abort = new AbortController();
    const run = term.start(abort.signal);
    await tick();
    expect(term.liveness()).toBe('quitter stopped while leading: finished');

    const term2 = new LeaderTerm({ create: () => ({ runnables: [healthy] }) });
    const abort2 = new AbortController();
    const run2 = term2.start(abort2.signal);
    await tick();
    expect(term2.liveness()).toBe(true);
    report = 'caches not synced after 60 s';
    expect(term2.liveness()).toBe('reporting: caches not synced after 60 s');
    abort.abort();
    abort2.abort();
    await Promise.all([run, run2]);
  });

  it('a failing runnable ends the whole term and rejects', async () => {
    const survivor = new Worker('survivor');
    const term = new LeaderTerm({ create: () => ({ runnables: [survivor, { name: 'broken', start: () => Promise.reject(new Error('boom')) }] }) });
    await expect(term.start(new AbortController().signal)).rejects.toThrow('boom');
    expect(survivor.stopped).toBe(1);
  });
});
