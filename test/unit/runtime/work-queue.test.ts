import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkQueue } from '../../../src/runtime/work-queue.js';
import { KeyRateLimiter, TokenBucket } from '../../../src/runtime/rate-limiter.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Resolves to the value if the promise settles within the current microtask flush. */
async function settled<T>(p: Promise<T>): Promise<{ done: boolean; value?: T }> {
  let state: { done: boolean; value?: T } = { done: false };
  void p.then((value) => (state = { done: true, value }));
  await vi.advanceTimersByTimeAsync(0);
  return state;
}

describe('WorkQueue', () => {
  it('deduplicates a key that is waiting', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.length).toBe(0);
  });

  it('never hands a key being processed to a second worker, and requeues it on done if dirtied', async () => {
    const q = new WorkQueue();
    q.add('a');
    const first = await q.get();
    expect(first).toBe('a');
    q.add('a'); // dirtied while processing
    expect(q.length).toBe(0);
    const second = q.get();
    expect((await settled(second)).done).toBe(false);
    q.done('a');
    expect(await second).toBe('a');
    q.done('a');
    expect(q.length).toBe(0);
  });

  it('done without a re-add does not requeue', async () => {
    const q = new WorkQueue();
    q.add('a');
    await q.get();
    q.done('a');
    expect(q.length).toBe(0);
    expect((await settled(q.get())).done).toBe(false);
  });

  it('hands each ready key to exactly one of several waiting workers', async () => {
    const q = new WorkQueue();
    const waiters = [q.get(), q.get(), q.get()];
    q.add('x');
    q.add('y');
    const states = await Promise.all(waiters.map((w) => settled(w)));
    const got = states.filter((s) => s.done).map((s) => s.value);
    expect(got.sort()).toEqual(['x', 'y']);
  });

  it('addAfter delays the key and keeps the earliest requested time', async () => {
    const q = new WorkQueue();
    q.addAfter('a', 1000);
    q.addAfter('a', 300);
    q.addAfter('a', 5000);
    expect(q.length).toBe(0);
    expect(q.delayedLength).toBe(1);
    await vi.advanceTimersByTimeAsync(299);
    expect(q.length).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    // the later requests were absorbed by the earliest one
    await vi.advanceTimersByTimeAsync(10_000);
    expect(q.length).toBe(0);
  });

  it('addAfter with zero or negative delay adds at once', () => {
    const q = new WorkQueue();
    q.addAfter('a', 0);
    q.addAfter('b', -5);
    expect(q.length).toBe(2);
  });

  it('fires several delayed keys in time order', async () => {
    const q = new WorkQueue();
    q.addAfter('late', 200);
    q.addAfter('early', 100);
    await vi.advanceTimersByTimeAsync(100);
    expect(await q.get()).toBe('early');
    expect(q.length).toBe(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(await q.get()).toBe('late');
  });

  it('backs off per key exponentially from 5 ms and forget resets it', async () => {
    const q = new WorkQueue({ qps: 1000, burst: 1000 });
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = Date.now();
      q.addRateLimited('k');
      // advance in 1 ms steps until it shows up
      while (q.length === 0) await vi.advanceTimersByTimeAsync(1);
      delays.push(Date.now() - start);
      expect(await q.get()).toBe('k');
      q.done('k');
    }
    expect(delays).toEqual([5, 10, 20, 40, 80]);
    expect(q.numRequeues('k')).toBe(5);
    q.forget('k');
    expect(q.numRequeues('k')).toBe(0);
  });

  it('get resolves undefined on abort and on shutdown', async () => {
    const q = new WorkQueue();
    const ac = new AbortController();
    const p = q.get(ac.signal);
    ac.abort();
    expect(await p).toBeUndefined();
    const p2 = q.get();
    q.shutDown();
    expect(await p2).toBeUndefined();
    q.add('a');
    expect(q.length).toBe(0);
    expect(await q.get()).toBeUndefined();
  });

  it('an aborted waiter does not swallow a later key', async () => {
    const q = new WorkQueue();
    const ac = new AbortController();
    const aborted = q.get(ac.signal);
    ac.abort();
    await aborted;
    const live = q.get();
    q.add('a');
    expect(await live).toBe('a');
  });

  it('reports depth, adds and retries to the metrics hook', async () => {
    const depths: number[] = [];
    let adds = 0;
    let retries = 0;
    const q = new WorkQueue({ metrics: { depth: (d) => depths.push(d), added: () => adds++, retried: () => retries++ } });
    q.add('a');
    q.add('b');
    q.add('a');
    await q.get();
    q.addRateLimited('c');
    expect(adds).toBe(2);
    expect(retries).toBe(1);
    expect(depths).toEqual([1, 2, 1]);
  });
});

describe('KeyRateLimiter', () => {
  it('caps the per-key backoff', () => {
    const rl = new KeyRateLimiter<string>({ baseDelayMs: 5, maxDelayMs: 1000, qps: 1e6, burst: 1e6 });
    const delays = Array.from({ length: 12 }, () => rl.when('k'));
    expect(delays.slice(0, 4)).toEqual([5, 10, 20, 40]);
    expect(Math.max(...delays)).toBe(1000);
    expect(delays.at(-1)).toBe(1000);
    // 2^n overflow far past the cap still yields the cap
    for (let i = 0; i < 2000; i++) rl.when('k');
    expect(rl.when('k')).toBe(1000);
    expect(rl.when('other')).toBe(5);
  });

  it('is limited by the global token bucket once the burst is used', () => {
    const rl = new KeyRateLimiter<string>({ baseDelayMs: 5, qps: 10, burst: 3 });
    // distinct keys: each has the 5 ms base delay, the bucket decides after the burst
    expect(['a', 'b', 'c'].map((k) => rl.when(k))).toEqual([5, 5, 5]);
    expect(rl.when('d')).toBe(100);
    expect(rl.when('e')).toBe(200);
    vi.advanceTimersByTime(1000);
    // 1 s refills 10 tokens, which first pay back the two borrowed ones
    expect(rl.when('f')).toBe(5);
  });
});

describe('TokenBucket', () => {
  it('refills at qps up to burst', () => {
    const b = new TokenBucket(2, 2);
    expect(b.reserve()).toBe(0);
    expect(b.reserve()).toBe(0);
    expect(b.reserve()).toBe(500);
    vi.advanceTimersByTime(10_000);
    expect(b.reserve()).toBe(0);
    expect(b.reserve()).toBe(0);
    expect(b.reserve()).toBe(500);
  });

  it('rejects a bad configuration', () => {
    expect(() => new TokenBucket(0, 1)).toThrow(/qps/);
  });
});
