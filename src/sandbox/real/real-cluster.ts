// One sandbox cluster on real servers: etcd, kube-apiserver and kube-controller-manager (the
// namespace, garbage-collector, service-account and root-CA controllers only; with the kwok
// option also the Deployment and ReplicaSet controllers, kube-scheduler and kwok) as child
// processes, kfed's simulation as an agent through the API, and a front proxy (front-proxy.ts)
// that clients connect to.
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newToken } from '../auth/authn.js';
import { createServingCert, type CertificateAuthority } from '../pki.js';
import type { ClusterTopology } from '../topology.js';
import { lbPool, podIp } from '../topology.js';
import { WRITE_VERBS, type FaultControls, type RequestCounts, type SandboxMember } from '../member.js';
import { NO_FAULTS } from '../server/api-server.js';
import { ApiClient } from './api-client.js';
import { SimulationAgent } from './agent.js';
import type { RealBinaries } from './binaries.js';
import { FrontProxy } from './front-proxy.js';
import { ServerProcess, startOnFreePorts } from './process.js';
import { kwokStages } from './kwok-stages.js';
import { apiserverArgs, clusterFiles, componentKubeconfig, etcdArgs, kcmArgs, KCM_CONTROLLERS, kwokArgs, KWOK_KCM_CONTROLLERS, schedulerArgs, type ClusterFiles } from './server-args.js';

export interface RealClusterOptions {
  index: number;
  topology: ClusterTopology;
  ca: CertificateAuthority;
  bins: RealBinaries;
  /** a private folder for this cluster's data, keys and logs */
  workDir: string;
  /** how long kube-apiserver may take to become ready (default 120 s: 2 busy cores) */
  readyTimeoutMs?: number;
  /**
   * Pods for real: kube-controller-manager's Deployment and ReplicaSet controllers create them,
   * kube-scheduler places them on the agent's nodes and kwok runs them (kwok-stages.ts); the agent
   * then leaves Deployment and ReplicaSet status to those controllers. Needs bins.kubeScheduler and bins.kwok.
   */
  kwok?: boolean;
}


export class RealCluster implements SandboxMember {
  readonly name: string;
  readonly caPem: string;
  readonly adminToken = newToken();
  readonly counts: RequestCounts = { byVerb: {}, writes: 0 };
  private etcd!: ServerProcess;
  private apiserver!: ServerProcess;
  private kcm!: ServerProcess;
  /** kube-scheduler and kwok, with the kwok option */
  private podServers: ServerProcess[] = [];
  private proxy!: FrontProxy;
  private api!: ApiClient;
  private agent!: SimulationAgent;
  private etcdPort = 0;
  private apiPort = 0;
  private readonly readyTimeoutMs: number;

  private constructor(readonly options: RealClusterOptions) {
    this.name = options.topology.name;
    this.caPem = options.ca.certPem;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  }

  static async create(options: RealClusterOptions): Promise<RealCluster> {
    const c = new RealCluster(options);
    try {
      await c.boot();
    } catch (err) {
      await c.close();
      throw new Error(`${c.name}: start real API server`, { cause: err });
    }
    return c;
  }

  get url(): string {
    return this.proxy.url;
  }

  get running(): boolean {
    return this.proxy.listening && this.apiserver.alive;
  }

  /** The kube-apiserver's own address (the proxy forwards to it). */
  get apiserverUrl(): string {
    return `https://127.0.0.1:${this.apiPort}`;
  }

  private async boot(): Promise<void> {
    const d = this.options.workDir;
    await mkdir(join(d, 'etcd'), { recursive: true, mode: 0o700 });
    const tls = await createServingCert(this.options.ca, this.name);
    const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const files = clusterFiles(d);
    await writeFile(files.ca, this.caPem);
    await writeFile(files.cert, tls.certPem);
    await writeFile(files.key, tls.keyPem, { mode: 0o600 });
    await writeFile(files.sa, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    await writeFile(files.saPub, sa.publicKey.export({ type: 'spki', format: 'pem' }));
    // static tokens: the kubeconfig's admin and the cluster's own components
    const tokens = { kcm: newToken(), scheduler: newToken(), kwok: newToken() };
    const tokenLine = (token: string, user: string): string => `${token},${user},${user},"system:masters"\n`;
    await writeFile(files.tokens, tokenLine(this.adminToken, 'kubernetes-admin') + tokenLine(tokens.kcm, 'system:kube-controller-manager')
      + (this.options.kwok ? tokenLine(tokens.scheduler, 'system:kube-scheduler') + tokenLine(tokens.kwok, 'kwok-controller') : ''), { mode: 0o600 });

    // Ports are picked free just before each server binds them, and picked again if another
    // process took one in between (startOnFreePorts).
    const etcd = await startOnFreePorts(2, ([client, peer]) => {
      const proc = new ServerProcess(`${this.name} etcd`, this.options.bins.etcd, etcdArgs(this.name, join(d, 'etcd'), client!, peer!), join(d, 'etcd.log'));
      return {
        proc,
        ready: () => proc.waitReady(async () => {
          const r = await fetch(`http://127.0.0.1:${client!}/health`);
          return r.ok && ((await r.json()) as { health?: string }).health === 'true';
        }, 60_000),
      };
    });
    this.etcd = etcd.proc;
    this.etcdPort = etcd.ports[0]!;
    const api = await startOnFreePorts(1, ([port]) => {
      this.apiPort = port!;
      this.api?.close();
      this.api = new ApiClient(this.apiserverUrl, this.adminToken, this.caPem);
      const proc = new ServerProcess(`${this.name} kube-apiserver`, this.options.bins.kubeApiserver, apiserverArgs(files, this.etcdPort, port!, this.options.index), join(d, 'kube-apiserver.log'));
      return { proc, ready: () => this.waitApiserver(proc) };
    });
    this.apiserver = api.proc;
    await writeFile(files.kcmKubeconfig, componentKubeconfig(this.apiserverUrl, files.ca, tokens.kcm), { mode: 0o600 });
    this.kcm = new ServerProcess(`${this.name} kube-controller-manager`, this.options.bins.kubeControllerManager, kcmArgs(files, this.options.kwok ? KWOK_KCM_CONTROLLERS : KCM_CONTROLLERS), join(d, 'kube-controller-manager.log'));
    this.kcm.start();
    if (this.options.kwok) await this.startPodServers(files, tokens);
    this.agent = new SimulationAgent(this.api, { topology: this.options.topology, allocateLbIp: lbPool(this.options.index), podIp: podIp(this.options.index), workloads: !this.options.kwok });
    await this.agent.start();
    this.proxy = new FrontProxy({
      tls, caPem: this.caPem, upstreamPort: this.apiPort,
      onRequest: (verb) => {
        this.counts.byVerb[verb] = (this.counts.byVerb[verb] ?? 0) + 1;
        if (WRITE_VERBS.has(verb)) this.counts.writes++;
      },
    });
    await this.proxy.start();
  }

  private async startPodServers(files: ClusterFiles, tokens: { scheduler: string; kwok: string }): Promise<void> {
    const { kubeScheduler, kwok } = this.options.bins;
    if (!kubeScheduler || !kwok) throw new Error(`${this.name}: the kwok option needs kube-scheduler and kwok (scripts/build-go-tools.sh kwok)`);
    const d = this.options.workDir;
    await writeFile(files.schedulerKubeconfig, componentKubeconfig(this.apiserverUrl, files.ca, tokens.scheduler), { mode: 0o600 });
    await writeFile(files.kwokKubeconfig, componentKubeconfig(this.apiserverUrl, files.ca, tokens.kwok), { mode: 0o600 });
    await writeFile(files.kwokStages, kwokStages());
    this.podServers = [
      new ServerProcess(`${this.name} kube-scheduler`, kubeScheduler, schedulerArgs(files), join(d, 'kube-scheduler.log')),
      // its own HOME: kwok also reads ~/.kwok/kwok.yaml when there is one
      new ServerProcess(`${this.name} kwok`, kwok, kwokArgs(files, this.options.index), join(d, 'kwok.log'), { HOME: d }),
    ];
    for (const p of this.podServers) p.start();
  }

  private waitApiserver(proc: ServerProcess): Promise<void> {
    return proc.waitReady(async () => {
      const r = await this.api.call('GET', '/readyz', undefined, { timeoutMs: 2000 });
      return r.status === 200;
    }, this.readyTimeoutMs);
  }

  private async startApiserver(): Promise<void> {
    // a restart keeps the port: the controller manager's kubeconfig and the proxy point at it
    this.apiserver.start();
    await this.waitApiserver(this.apiserver);
  }

  /** Kill kube-apiserver (a crash) and close the proxy; etcd keeps the state. */
  async stop(): Promise<void> {
    await this.proxy.stop();
    await this.apiserver.kill();
  }

  async start(): Promise<void> {
    if (!this.apiserver.alive) await this.startApiserver();
    await this.proxy.start();
  }

  readonly faults: FaultControls = {
    set: (f) => {
      this.proxy.faults = { ...this.proxy.faults, ...f };
    },
    clear: () => {
      this.proxy.faults = { ...NO_FAULTS };
    },
    get: () => ({ ...this.proxy.faults }),
    dropWatches: () => this.proxy.dropWatches(),
    compact: async () => {
      // etcd's JSON gateway: compact at the current revision, so older resourceVersions are gone
      const revision = await this.etcdRevision();
      const r = await fetch(`http://127.0.0.1:${this.etcdPort}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision, physical: true }) });
      if (!r.ok) throw new Error(`${this.name}: etcd compaction: ${r.status} ${await r.text()}`);
    },
  };

  /** etcd's revision, which is kube-apiserver's resourceVersion; known also while kube-apiserver is stopped. */
  async resourceVersion(): Promise<string> {
    return this.etcdRevision();
  }

  private async etcdRevision(): Promise<string> {
    const r = await fetch(`http://127.0.0.1:${this.etcdPort}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('/').toString('base64') }) });
    const body = (await r.json()) as { header?: { revision?: string } };
    const revision = body.header?.revision;
    if (!revision) throw new Error(`${this.name}: etcd gave no revision`);
    return revision;
  }

  async close(): Promise<void> {
    this.agent?.stop();
    await this.proxy?.stop();
    this.api?.close();
    // the controllers and kube-apiserver first, so nothing writes to a stopped etcd
    await Promise.all(this.podServers.map((p) => p.kill('SIGTERM')));
    await this.kcm?.kill('SIGTERM');
    await this.apiserver?.kill('SIGTERM');
    await this.etcd?.kill('SIGTERM');
  }
}
