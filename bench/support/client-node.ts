// @kubernetes/client-node configured the way a user who cares about throughput configures it,
// through its public configuration only: client-node still builds, authenticates, sends (with its
// own node-fetch HTTP layer), decodes and types every request.
import https from 'node:https';
import tls from 'node:tls';
import * as k8s from '@kubernetes/client-node';

export interface ThroughputClient {
  core: k8s.CoreV1Api;
  agent: https.Agent;
}

/**
 * A CoreV1Api for the kubeconfig's current context that reuses connections.
 *
 * - One keep-alive https.Agent for all calls. client-node 1.4 builds a new https.Agent for every
 *   request (`KubeConfig.applySecurityAuthentication` -> `createAgent`), so every call pays a TCP
 *   connect and a TLS handshake. `createConfiguration({ authMethods: { default } })` is the public
 *   extension point for a request's authentication; ours puts the shared agent on the request.
 * - A static bearer token (a `token` in the kubeconfig user, as service-account kubeconfigs and the
 *   sandbox's have) goes through the generated client's own `BearerToken` auth method, which only
 *   sets the header. Otherwise every request runs `KubeConfig.applySecurityAuthentication`: it looks
 *   up the user's authenticator, decodes the CA, certificate and key from file or base64 and builds
 *   another https.Agent, about 45 us of client CPU per call here. Users with exec plugins or
 *   auth providers (tokens that expire) keep that path: the KubeConfig authenticates each request
 *   and the agent is swapped in afterwards.
 * - The agent trusts the kubeconfig's CA (and presents its client certificate, if any) through a
 *   `secureContext` built once, instead of `ca`/`cert`/`key` options: Node folds those options into
 *   the agent's connection-pool key on every request (https.Agent#getName stringifies the CA
 *   buffer each time) and builds a TLS context per new connection.
 * - `maxSockets` equal to the number of concurrent callers: no call waits in the agent's queue.
 *
 * Proxies (`proxy-url` in the kubeconfig) are not handled: the sandbox is on loopback.
 */
export async function throughputClient(kc: k8s.KubeConfig, maxSockets: number): Promise<ThroughputClient> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  if (cluster.proxyUrl) throw new Error(`cluster ${cluster.name}: proxy-url is not supported by the benchmark client`);
  // the TLS material exactly as client-node would use it (files or inline data)
  const tlsOpts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(tlsOpts);
  const secureContext = tls.createSecureContext({
    ...(tlsOpts.ca !== undefined ? { ca: tlsOpts.ca } : {}),
    ...(tlsOpts.cert !== undefined ? { cert: tlsOpts.cert } : {}),
    ...(tlsOpts.key !== undefined ? { key: tlsOpts.key } : {}),
    ...(tlsOpts.pfx !== undefined ? { pfx: tlsOpts.pfx } : {}),
    ...(tlsOpts.passphrase !== undefined ? { passphrase: tlsOpts.passphrase } : {}),
  });
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets,
    secureContext,
    ...(tlsOpts.rejectUnauthorized !== undefined ? { rejectUnauthorized: tlsOpts.rejectUnauthorized } : {}),
    ...(tlsOpts.servername !== undefined ? { servername: tlsOpts.servername } : {}),
  });
  const user = kc.getCurrentUser();
  // nothing else to apply per request: no exec plugin, auth provider, basic auth or impersonation
  const staticToken = user?.token && !user.exec && !user.authProvider && !user.username && !user.impersonateUser ? user.token : undefined;
  const authMethods: k8s.AuthMethodsConfiguration = staticToken
    ? {
        BearerToken: `Bearer ${staticToken}`,
        default: { getName: () => 'shared keep-alive agent', applySecurityAuthentication: (context) => context.setAgent(agent) },
      }
    : {
        default: {
          getName: () => 'kubeconfig with a shared keep-alive agent',
          async applySecurityAuthentication(context) {
            await kc.applySecurityAuthentication(context);
            context.setAgent(agent);
          },
        },
      };
  const config = k8s.createConfiguration({ baseServer: new k8s.ServerConfiguration(cluster.server, {}), authMethods });
  return { core: new k8s.CoreV1Api(config), agent };
}
