// A DNSProvider that failed many passes in a row (throttled for minutes, unreachable) is
// retried at least every PUBLISH_RETRY_MAX_MS, not after the queue's default backoff of up
// to 1000 s: the fault soak found records created during a long throttling never published
// within the 300 s it waited, the provider's key backing off for minutes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClusterClient } from '../../../../src/kube/cluster-client.js';
import { PUBLISH_RETRY_MAX_MS, PublishingController } from '../../../../src/dns/publish/publishing-controller.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('publishing retries', () => {
  it('a provider key that failed 25 times in a row is retried within PUBLISH_RETRY_MAX_MS', async () => {
    // Nothing is started: only the controller's work queue is driven.
    const host = { name: 'host', server: 'https://127.0.0.1:1', dynamic: {} } as unknown as ClusterClient;
    const pc = new PublishingController({ host, kubefedNamespace: 'kube-federation-system', factories: {}, defaultOwnerId: 'test' });
    const queue = pc.managed.controller!.queue;
    const key = 'soak-route53';
    // 24 failed passes, each retried once its backoff ran out.
    for (let i = 0; i < 24; i++) {
      queue.addRateLimited(key);
      const got = queue.get();
      await vi.advanceTimersByTimeAsync(1_000_000);
      await expect(got).resolves.toBe(key);
      queue.done(key);
    }
    // The 25th: uncapped, 5 ms x 2^24 (~23 hours); the queue's default cap, 1000 s.
    queue.addRateLimited(key);
    let taken: string | undefined;
    void queue.get().then((k) => (taken = k));
    await vi.advanceTimersByTimeAsync(PUBLISH_RETRY_MAX_MS + 10);
    expect(taken).toBe(key);
    expect(PUBLISH_RETRY_MAX_MS).toBeLessThanOrEqual(60_000);
  });
});
