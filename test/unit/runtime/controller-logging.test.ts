// How reconcile failures are logged: a write conflict (a stale read, retried as a matter of course)
// at debug, anything else at warn with its causes.
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Controller } from '../../../src/runtime/controller.js';
import { isConflictError, oneLine } from '../../../src/runtime/errors.js';
import { KubeApiError } from '../../../src/kube/errors.js';

function conflict(): KubeApiError {
  return new KubeApiError('PUT /apis/core.kubefed.io/v1beta1/kubefedclusters/c1/status: Conflict: the object has been modified', {
    code: 409,
    reason: 'Conflict',
    context: { verb: 'PUT', path: '/apis/core.kubefed.io/v1beta1/kubefedclusters/c1/status' },
  });
}

describe('oneLine / isConflictError', () => {
  it('joins causes and finds a conflict anywhere in the chain', () => {
    const wrapped = new Error('write status of KubeFedCluster c1', { cause: conflict() });
    expect(oneLine(wrapped)).toBe('write status of KubeFedCluster c1: PUT /apis/core.kubefed.io/v1beta1/kubefedclusters/c1/status: Conflict: the object has been modified');
    expect(isConflictError(wrapped)).toBe(true);
    expect(isConflictError(conflict())).toBe(true);
    expect(isConflictError(new Error('boom', { cause: new Error('deeper') }))).toBe(false);
    expect(isConflictError(undefined)).toBe(false);
    expect(oneLine('plain')).toBe('plain');
  });
});

describe('Controller logging', () => {
  it('logs a conflict at debug and other failures at warn, with their causes', async () => {
    const lines: { level: number; msg: string; err?: string; key?: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const logger = pino({ level: 'debug' }, sink);
    let call = 0;
    const c = new Controller<string>({
      name: 'logging',
      workers: 1,
      logger,
      queue: { baseDelayMs: 1, maxDelayMs: 5, qps: 1000, burst: 1000 },
      reconcile: async () => {
        call++;
        if (call === 1) throw new Error('write status of KubeFedCluster c1', { cause: conflict() });
        if (call === 2) throw new Error('write status of KubeFedCluster c1', { cause: new Error('socket hang up') });
      },
    });
    const ac = new AbortController();
    const running = c.start(ac.signal);
    c.enqueue('c1');
    for (let i = 0; i < 200 && call < 3; i++) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await running;
    expect(call).toBe(3);
    const failures = lines.filter((l) => l.key === 'c1' && /requeued/.test(l.msg));
    expect(failures.map((l) => [l.level, l.msg])).toEqual([
      [20, 'reconcile hit a write conflict; requeued with backoff'],
      [40, 'reconcile failed; requeued with backoff'],
    ]);
    expect(failures[1]!.err).toBe('write status of KubeFedCluster c1: socket hang up');
  });
});
