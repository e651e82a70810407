// The floor for the apiserver benchmark's writes, run as its own process: an HTTPS keep-alive
// server (same PKI code, same Node https module as the sandbox) that checks the bearer token,
// parses each request body as JSON and answers it with the object plus server metadata, and does
// nothing else: no storage, validation, managed fields or watch events. What client-node callers
// reach against it is the most they can issue on this machine, whatever the server does.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { createCa, createServingCert } from '../../src/sandbox/pki.js';

const kubeconfigPath = process.argv[2];
if (!kubeconfigPath) throw new Error('usage: floor-server-main.ts KUBECONFIG_PATH');
const token = randomUUID();
const ca = await createCa('kfed-bench-floor-ca');
const tls = await createServingCert(ca, '127.0.0.1');
let rv = 0;

const server = createServer({ cert: tls.certPem, key: tls.keyPem, keepAlive: true }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end('{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Unauthorized","code":401}');
      return;
    }
    const obj = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { metadata?: Record<string, unknown> }) : {};
    obj.metadata = { ...obj.metadata, uid: randomUUID(), resourceVersion: String(++rv), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    const body = JSON.stringify({ kind: 'ConfigMap', apiVersion: 'v1', ...obj });
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  writeFileSync(kubeconfigPath, [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: floor',
    '  cluster:',
    `    server: https://127.0.0.1:${port}`,
    `    certificate-authority-data: ${Buffer.from(ca.certPem).toString('base64')}`,
    'users:',
    '- name: floor',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: floor',
    '  context: {cluster: floor, user: floor}',
    'current-context: floor',
    '',
  ].join('\n'));
  process.stdout.write('ready\n');
});
