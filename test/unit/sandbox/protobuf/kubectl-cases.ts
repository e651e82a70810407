// The kubectl commands whose protobuf bodies the unit tests decode, and the JSON expected of each:
// `--dry-run=client -o json` of the same command (kubectl's own Go encoding/json of the object it
// sends), or, for the commands without a dry run, the object written out here.

export interface KubectlCase {
  name: string;
  args: string[];
  /** The expected JSON, when the command cannot print it with `--dry-run=client -o json`. */
  json?: Record<string, unknown>;
}

const NS = ['-n', 'ns1'];

export const KUBECTL_CASES: KubectlCase[] = [
  { name: 'create namespace', args: ['create', 'namespace', 'ns2'] },
  { name: 'create configmap with literals and a binary file', args: ['create', 'configmap', 'cm1', ...NS, '--from-literal=a=b', '--from-literal=c=d', '--from-file=bin={BINARY}', '--from-file=text={TEXT}'] },
  { name: 'create secret generic', args: ['create', 'secret', 'generic', 's1', ...NS, '--from-literal=k=v', '--from-file=bin={BINARY}', '--type=Opaque'] },
  { name: 'create secret docker-registry', args: ['create', 'secret', 'docker-registry', 'reg', ...NS, '--docker-server=registry.example.org', '--docker-username=u', '--docker-password=p', '--docker-email=u@example.org'] },
  { name: 'create secret tls', args: ['create', 'secret', 'tls', 'tls1', ...NS, '--cert={CERT}', '--key={KEY}'] },
  { name: 'create serviceaccount', args: ['create', 'serviceaccount', 'sa1', ...NS] },
  { name: 'create role', args: ['create', 'role', 'r1', ...NS, '--verb=get,list,watch', '--resource=pods,deployments.apps', '--resource-name=web'] },
  { name: 'create clusterrole with non-resource URLs', args: ['create', 'clusterrole', 'cr1', '--verb=get', '--non-resource-url=/healthz', '--non-resource-url=/metrics'] },
  { name: 'create clusterrole with an aggregation rule', args: ['create', 'clusterrole', 'cr2', '--aggregation-rule=rbac.example.org/aggregate=true'] },
  { name: 'create rolebinding', args: ['create', 'rolebinding', 'rb1', ...NS, '--clusterrole=view', '--user=alice', '--group=devs', '--serviceaccount=ns1:robot'] },
  { name: 'create clusterrolebinding', args: ['create', 'clusterrolebinding', 'crb1', '--clusterrole=view', '--user=bob'] },
  { name: 'create deployment', args: ['create', 'deployment', 'web', ...NS, '--image=nginx:1.27', '--port=8080', '--replicas=3', '--', 'nginx', '-g', 'daemon off;'] },
  { name: 'create deployment with two images', args: ['create', 'deployment', 'pair', ...NS, '--image=nginx', '--image=busybox'] },
  { name: 'create service clusterip', args: ['create', 'service', 'clusterip', 'svc1', ...NS, '--tcp=80:8080', '--tcp=443:https'] },
  { name: 'create service clusterip headless', args: ['create', 'service', 'clusterip', 'headless', ...NS, '--clusterip=None'] },
  { name: 'create service nodeport', args: ['create', 'service', 'nodeport', 'np1', ...NS, '--tcp=80:8080', '--node-port=30080'] },
  { name: 'create service loadbalancer', args: ['create', 'service', 'loadbalancer', 'lb1', ...NS, '--tcp=443:8443'] },
  { name: 'create service externalname', args: ['create', 'service', 'externalname', 'ext1', ...NS, '--external-name=example.org'] },
  { name: 'create job', args: ['create', 'job', 'j1', ...NS, '--image=busybox', '--', 'echo', 'hi'] },
  { name: 'create cronjob', args: ['create', 'cronjob', 'cj1', ...NS, '--image=busybox', '--schedule=*/5 * * * *', '--restart=OnFailure', '--', 'date'] },
  { name: 'create ingress', args: ['create', 'ingress', 'ing1', ...NS, '--class=nginx', '--rule=foo.example.org/bar*=svc1:8080,tls=tls1', '--rule=/path=svc2:http', '--default-backend=svc3:80', '--annotation=a=b'] },
  { name: 'create poddisruptionbudget min-available', args: ['create', 'poddisruptionbudget', 'pdb1', ...NS, '--selector=app=web', '--min-available=50%'] },
  { name: 'create poddisruptionbudget max-unavailable', args: ['create', 'poddisruptionbudget', 'pdb2', ...NS, '--selector=app=web', '--max-unavailable=1'] },
  { name: 'create quota', args: ['create', 'quota', 'q1', ...NS, '--hard=cpu=1,memory=1Gi,pods=10,requests.storage=0', '--scopes=BestEffort'] },
  { name: 'create priorityclass', args: ['create', 'priorityclass', 'pc1', '--value=1000', '--global-default=true', '--description=high', '--preemption-policy=Never'] },
  { name: 'create priorityclass with value 0', args: ['create', 'priorityclass', 'pc0'] },
  {
    name: 'create token --duration=1h',
    args: ['create', 'token', 'sa1', ...NS, '--duration=1h'],
    json: {
      kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: {},
      spec: { audiences: null, expirationSeconds: 3600, boundObjectRef: null },
      status: { token: '', expirationTimestamp: null },
    },
  },
  {
    name: 'create token with audiences and a bound object',
    args: ['create', 'token', 'sa1', ...NS, '--audience=a', '--audience=b', '--bound-object-kind=Secret', '--bound-object-name=s1', '--bound-object-uid=0b6e4c3a-8d1f-4a57-9f0e-2f4b2b0c9e11'],
    json: {
      kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: {},
      spec: { audiences: ['a', 'b'], expirationSeconds: null, boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 's1', uid: '0b6e4c3a-8d1f-4a57-9f0e-2f4b2b0c9e11' } },
      status: { token: '', expirationTimestamp: null },
    },
  },
  {
    name: 'auth can-i list secrets',
    args: ['auth', 'can-i', 'list', 'secrets', ...NS],
    json: {
      kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: {},
      spec: { resourceAttributes: { namespace: 'ns1', verb: 'list', resource: 'secrets' } },
      status: { allowed: false },
    },
  },
  {
    name: 'auth whoami',
    args: ['auth', 'whoami'],
    json: { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: {}, status: { userInfo: {} } },
  },
];
