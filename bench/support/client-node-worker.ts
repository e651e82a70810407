// One thread of client-node callers (see client-node-callers.ts).
import { parentPort, workerData } from 'node:worker_threads';
import * as k8s from '@kubernetes/client-node';
import { throughputClient } from './client-node.js';
import type { WorkerReply, WorkerRequest, WriteOp } from './client-node-callers.js';

const { kubeconfigYaml, callers } = workerData as { kubeconfigYaml: string; callers: number };
const kc = new k8s.KubeConfig();
kc.loadFromString(kubeconfigYaml);
const { core } = await throughputClient(kc, callers);

function body(op: WriteOp, i: number): k8s.V1ConfigMap {
  const name = `${op.prefix}-${i}`;
  switch (op.body) {
    case 'v0':
      return { metadata: { name }, data: { v: '0' } };
    case 'v1':
      return { metadata: { name }, data: { v: '1' } };
    case 'labelled':
      return { metadata: { name, labels: { app: 'bench', shard: String(i % 10) } }, data: { key: `value-${i}` } };
  }
}

async function caller(op: WriteOp, count: number, next: Int32Array, latencies: number[]): Promise<void> {
  for (;;) {
    const i = Atomics.add(next, 0, 1);
    if (i >= count) return;
    const t0 = performance.now();
    if (op.verb === 'create') await core.createNamespacedConfigMap({ namespace: op.namespace, body: body(op, i) });
    else await core.replaceNamespacedConfigMap({ namespace: op.namespace, name: `${op.prefix}-${i}`, body: body(op, i) });
    latencies.push(performance.now() - t0);
  }
}

parentPort!.on('message', (req: WorkerRequest) => {
  const latencies: number[] = [];
  const next = new Int32Array(req.next);
  Promise.all(Array.from({ length: callers }, () => caller(req.op, req.count, next, latencies))).then(
    () => {
      const reply: WorkerReply = { latencies: Float64Array.from(latencies) };
      parentPort!.postMessage(reply);
    },
    (err: unknown) => parentPort!.postMessage({ error: (err as Error).message } satisfies WorkerReply),
  );
});
parentPort!.postMessage('ready');
