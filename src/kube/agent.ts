// HTTPS agent for API servers: keep-alive, the cluster's CA and client certificate,
// Kubefed's disabledTLSValidations, and an optional HTTP(S) CONNECT proxy. We build it
// ourselves instead of client-node's per-request agent so connections are reused and
// TLS policy (e.g. skipping only the subject-name check) can be expressed.
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';

/** Kubefed's `spec.disabledTLSValidations` values. */
export type TLSValidation = '*' | 'SubjectName' | 'ValidityPeriod';

export interface TLSMaterial {
  ca?: Buffer | string | undefined;
  cert?: Buffer | string | undefined;
  key?: Buffer | string | undefined;
  servername?: string | undefined;
  /** false skips all verification (kubeconfig insecure-skip-tls-verify or Kubefed `*`). */
  rejectUnauthorized?: boolean | undefined;
  disabledTLSValidations?: readonly string[] | undefined;
}

export interface AgentOptions {
  server: string;
  tls: TLSMaterial;
  proxyUrl?: string | undefined;
  maxSockets?: number;
}

/** Node TLS options implementing the cluster's validation policy. */
export function tlsOptions(tls: TLSMaterial): ConnectionOptions {
  const disabled = new Set(tls.disabledTLSValidations ?? []);
  for (const v of disabled) {
    if (v !== '*' && v !== 'SubjectName' && v !== 'ValidityPeriod') {
      throw new Error(`unknown disabledTLSValidations entry ${JSON.stringify(v)} (expected "*", "SubjectName" or "ValidityPeriod")`);
    }
  }
  const opts: ConnectionOptions = {};
  if (tls.ca) opts.ca = tls.ca;
  if (tls.cert) opts.cert = tls.cert;
  if (tls.key) opts.key = tls.key;
  if (tls.servername) opts.servername = tls.servername;
  if (disabled.has('*') || tls.rejectUnauthorized === false) {
    opts.rejectUnauthorized = false;
    return opts;
  }
  if (disabled.has('ValidityPeriod')) {
    // Node cannot verify a chain while ignoring only the validity dates; accepting
    // that silently would mean skipping all verification, so refuse instead.
    throw new Error('disabledTLSValidations "ValidityPeriod" is not supported; fix the certificate or use "*"');
  }
  opts.rejectUnauthorized = true;
  if (disabled.has('SubjectName')) opts.checkServerIdentity = () => undefined;
  return opts;
}

type ConnectCallback = (err: Error | null, socket?: Duplex) => void;

class ProxyHttpsAgent extends https.Agent {
  constructor(
    options: https.AgentOptions,
    private readonly proxy: URL,
  ) {
    super(options);
  }

  override createConnection(options: Record<string, any>, callback: ConnectCallback): undefined {
    const target = `${options.host as string}:${options.port as number}`;
    const headers: Record<string, string> = { host: target };
    if (this.proxy.username || this.proxy.password) {
      const creds = `${decodeURIComponent(this.proxy.username)}:${decodeURIComponent(this.proxy.password)}`;
      headers['proxy-authorization'] = `Basic ${Buffer.from(creds).toString('base64')}`;
    }
    const req = (this.proxy.protocol === 'https:' ? https : http).request({
      host: this.proxy.hostname,
      port: this.proxy.port || (this.proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: target,
      headers,
      agent: false,
      setHost: false,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        callback(Object.assign(new Error(`proxy ${this.proxy.host} refused CONNECT ${target}: HTTP ${res.statusCode}`), { code: 'EPROXYREFUSED' }));
        return;
      }
      // The https.Agent base class wraps the tunnel in TLS with our options.
      callback(null, super.createConnection({ ...options, socket } as never) as Duplex);
    });
    req.once('error', (err) => callback(Object.assign(new Error(`proxy ${this.proxy.host}: ${err.message}`, { cause: err }), { code: 'EPROXY' })));
    req.end();
    return undefined;
  }
}

export function createAgent(options: AgentOptions): http.Agent {
  const base = { keepAlive: true, keepAliveMsecs: 30_000, maxSockets: options.maxSockets ?? Infinity, maxFreeSockets: 32 };
  const url = new URL(options.server);
  if (url.protocol === 'http:') {
    if (options.proxyUrl) throw new Error('a proxy is only supported for https API servers');
    return new http.Agent(base);
  }
  const tls = tlsOptions(options.tls);
  if (options.proxyUrl) {
    const proxy = new URL(options.proxyUrl);
    if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
      throw new Error(`proxy ${proxy.protocol}// is not supported (only http and https CONNECT proxies)`);
    }
    return new ProxyHttpsAgent({ ...base, ...tls }, proxy);
  }
  return new https.Agent({ ...base, ...tls });
}
