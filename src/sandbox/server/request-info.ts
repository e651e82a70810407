// Parse a request path the way kube-apiserver's RequestInfoFactory does.

export type RequestVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceRequest {
  kind: 'resource';
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  verb: RequestVerb;
}

export interface NonResourceRequest {
  kind: 'nonresource';
  path: string;
  verb: 'get' | 'post' | 'put' | 'delete' | 'patch';
}

export type RequestInfo = ResourceRequest | NonResourceRequest;

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseRequestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const parts: string[] = [];
  for (const p of pathname.split('/')) if (p !== '') parts.push(p.includes('%') ? decodeURIComponent(p) : p);
  const lower = method.toLowerCase() as NonResourceRequest['verb'];
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return { kind: 'nonresource', path: pathname, verb: lower };
  }
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 2) {
    namespace = rest[1]!;
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) {
      rest = rest.slice(2);
    } else {
      // the namespace object itself: namespaces/<name>[/status|finalize]
      rest = ['namespaces', ...rest.slice(1)];
      namespace = undefined;
    }
  }
  const resource = rest[0]!;
  const name = rest[1];
  const subresource = rest[2];
  const isWatch = legacyWatch || query.get('watch') === 'true' || query.get('watch') === '1';
  let verb: RequestVerb;
  switch (method) {
    case 'GET':
      verb = name ? (isWatch ? 'watch' : 'get') : isWatch ? 'watch' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      return { kind: 'nonresource', path: pathname, verb: lower };
  }
  const info: ResourceRequest = { kind: 'resource', group, version, resource, verb };
  if (namespace !== undefined) info.namespace = namespace;
  if (name !== undefined) info.name = name;
  if (subresource !== undefined) info.subresource = subresource;
  return info;
}
