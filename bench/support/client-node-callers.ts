// Concurrent client-node callers spread over worker threads. One Node thread running client-node
// spends about 0.3-0.4 ms of CPU per write (request building, node-fetch, HTTP, TLS, typed
// decoding), so a single thread cannot issue more than ~3,000 writes/s however fast the server is;
// the benchmark's load generator uses more than one, as any load generator would.
import { Worker } from 'node:worker_threads';

/** The ConfigMap writes the benchmark makes; object `i` is named `${prefix}-${i}`. */
export interface WriteOp {
  verb: 'create' | 'replace';
  namespace: string;
  prefix: string;
  /** `v0`/`v1`: data {v: '0'|'1'}; `labelled`: labels app=bench, shard=i%10 and data {key: value-i} */
  body: 'v0' | 'v1' | 'labelled';
}

export interface PhaseResult {
  seconds: number;
  /** per-call latencies in ms, sorted */
  latencies: number[];
}

export interface CallerPool {
  readonly threads: number;
  readonly callers: number;
  /** Makes writes 0..count-1 of `op` with all callers; callers take the next index as they finish one. */
  run(op: WriteOp, count: number): Promise<PhaseResult>;
  close(): Promise<void>;
}

/** What a worker is told to do, and what it answers. */
export interface WorkerRequest {
  op: WriteOp;
  count: number;
  /** Int32Array[1] shared by all workers: the next index to write */
  next: SharedArrayBuffer;
}
export type WorkerReply = { latencies: Float64Array } | { error: string };

/** Workers do not inherit tsx's loader hooks, so each one registers them before loading its module. */
function tsWorker(module: URL, workerData: unknown): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(module.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}

export async function startCallerPool(kubeconfigYaml: string, threads: number, callers: number): Promise<CallerPool> {
  const perThread = Array.from({ length: threads }, (_, t) => Math.floor(callers / threads) + (t < callers % threads ? 1 : 0));
  const workers = perThread.map((n) => tsWorker(new URL('./client-node-worker.ts', import.meta.url), { kubeconfigYaml, callers: n }));
  await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    w.once('message', () => {
      w.off('error', onError);
      resolve();
    });
    w.once('error', onError);
  })));
  return {
    threads,
    callers,
    async run(op, count) {
      const next = new SharedArrayBuffer(4);
      const t0 = performance.now();
      const replies = await Promise.all(workers.map((w) => new Promise<WorkerReply>((resolve, reject) => {
        const onMessage = (reply: WorkerReply): void => {
          w.off('error', onError);
          resolve(reply);
        };
        const onError = (err: Error): void => {
          w.off('message', onMessage);
          reject(err);
        };
        w.once('message', onMessage);
        w.once('error', onError);
        w.postMessage({ op, count, next } satisfies WorkerRequest);
      })));
      const seconds = (performance.now() - t0) / 1000;
      const latencies: number[] = [];
      for (const r of replies) {
        if ('error' in r) throw new Error(`client-node caller thread: ${r.error}`);
        latencies.push(...r.latencies);
      }
      latencies.sort((a, b) => a - b);
      return { seconds, latencies };
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
