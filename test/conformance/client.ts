// A raw HTTPS client for the differential conformance suite: what any client sees on the
// wire (status code, JSON body, watch events), nothing interpreted.
import { request } from 'node:https';
import type { IncomingMessage } from 'node:http';

type Obj = Record<string, any>;

export interface Reply {
  code: number;
  body: Obj;
  /** Warning headers, one entry each */
  warnings: string[];
}

export class WireClient {
  constructor(private readonly url: string, private readonly token: string, private readonly ca: string) {}

  private open(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<IncomingMessage> {
    const u = new URL(path, this.url);
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request({
        method, hostname: u.hostname, port: u.port, path: u.pathname + u.search, ca: this.ca, timeout: 15_000,
        headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json', ...(payload ? { 'Content-Type': contentType } : {}) },
      }, resolve);
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  async call(method: string, path: string, body?: unknown, contentType?: string): Promise<Reply> {
    const res = await this.open(method, path, body, contentType);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let parsed: Obj;
    try {
      parsed = text ? (JSON.parse(text) as Obj) : {};
    } catch {
      parsed = { text: text.trim() };
    }
    const w = res.headersDistinct.warning ?? [];
    return { code: res.statusCode ?? 0, body: parsed, warnings: w };
  }

  /** A client with another bearer token (for RBAC steps). */
  as(token: string): WireClient {
    return new WireClient(this.url, token, this.ca);
  }

  /** Watch `path` from `rv`, run `act`, and collect events until `count` arrived (or 10 s). */
  async watch(path: string, rv: string, count: number, act: () => Promise<void>): Promise<Obj[]> {
    const sep = path.includes('?') ? '&' : '?';
    const res = await this.open('GET', `${path}${sep}watch=true&resourceVersion=${rv}`);
    const events: Obj[] = [];
    let buf = '';
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 10_000);
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) events.push(JSON.parse(line) as Obj);
        }
        if (events.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await act();
    await done;
    res.destroy();
    return events;
  }
}
