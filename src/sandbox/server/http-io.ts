// Small HTTP helpers shared by the handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, errors } from './api-error.js';
import { decodeProtobuf } from './protobuf/decode.js';

/** kube-apiserver's limit on a request body (its MaxRequestBodyBytes default, 3 MiB). */
const MAX_BODY = 3 * 1024 * 1024;

/** The request body; a body over 3 MiB is refused with 413. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  // Listeners rather than `for await`, whose async iterator costs more than the rest of decoding a
  // small write. They are inline arrows: tsx (esbuild keepNames) wraps every named closure in a
  // defineProperty call. `size` is -1 once the promise is settled: every request emits 'close'
  // when it is done, and that must not build an Error for a promise that has already resolved.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      if (size < 0) return;
      size += c.length;
      // the rest is read and dropped, so that the client gets the 413 rather than a reset connection
      if (size > MAX_BODY) chunks.length = 0;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (size < 0) return;
      if (size > MAX_BODY) reject(new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY}`));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      size = -1;
    });
    req.on('error', (err) => {
      if (size < 0) return;
      size = -1;
      reject(err);
    });
    req.on('close', () => {
      if (size < 0) return;
      size = -1;
      reject(new Error('the request was closed before its body was read'));
    });
  });
}

/** The path and query of a request target, as `new URL(target, base)` would give them. */
export interface RequestTarget {
  pathname: string;
  searchParams: URLSearchParams;
}

/** Paths that WHATWG URL parsing leaves as they are: no dot segments, backslashes, fragments or bytes it would escape. */
const PLAIN_PATH = /^\/(?:[A-Za-z0-9\-_~!$&'()*+,;=:@%/]|\.(?<!\/\.))*$/;

export function requestTarget(raw: string): RequestTarget {
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const query = q === -1 ? '' : raw.slice(q + 1);
  if (PLAIN_PATH.test(path) && !/%2e/i.test(path) && !query.includes('#')) return { pathname: path, searchParams: new URLSearchParams(query) };
  const url = new URL(raw, 'https://127.0.0.1');
  return { pathname: url.pathname, searchParams: url.searchParams };
}

/** Decode a request body as JSON, YAML for apply patches, or Kubernetes protobuf (typed writes of built-in kinds). */
export function decodeBody(buf: Buffer, contentType: string | undefined): unknown {
  // client-go's generated clients write built-in kinds as protobuf and never fall back to JSON
  if (contentType?.includes('protobuf')) return buf.length === 0 ? undefined : decodeProtobuf(buf);
  if (contentType?.includes('cbor')) {
    // 415 is what kube-apiserver answers for a content type a resource does not take;
    // client-go then falls back to JSON (it does so for CBOR only).
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`, {});
  }
  const text = buf.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    if (contentType?.includes('yaml')) return parseYaml(text);
    return JSON.parse(text);
  } catch (err) {
    throw errors.badRequest(`error decoding request body: ${(err as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), ...headers });
  res.end(data);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  const headers: Record<string, string> = {};
  if (err.details?.retryAfterSeconds !== undefined) headers['Retry-After'] = String(err.details.retryAfterSeconds);
  sendJson(res, err.code, err.toStatus(), headers);
}
