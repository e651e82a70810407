// Runs dig/kdig against a DnsServer on loopback and parses their output.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Endpoint } from '../../../src/api/multiclusterdns.js';

const run = promisify(execFile);

export interface DigResult {
  status: string;
  flags: string[];
  answer: string[];
  authority: string[];
  question: string[];
  ecs: string | undefined;
  raw: string;
}

/** Parses one dig or kdig reply (the first one in the output). */
export function parseDig(out: string): DigResult {
  const status = /status: (\w+)/.exec(out)?.[1] ?? '';
  const flagLine = /;; [Ff]lags: ([a-z ]+);/.exec(out)?.[1] ?? '';
  const section = (title: RegExp): string[] => {
    const m = title.exec(out);
    if (!m) return [];
    const rest = out.slice(m.index + m[0].length).split('\n');
    const lines: string[] = [];
    for (const l of rest.slice(1)) {
      if (l.trim() === '' || l.startsWith(';; ') && !l.startsWith(';; '.padEnd(3))) break;
      if (l.startsWith(';;')) break;
      lines.push(l.replace(/\s+/g, ' ').trim());
    }
    return lines;
  };
  return {
    status,
    flags: flagLine.trim().split(/\s+/),
    answer: section(/;; ANSWER SECTION:/),
    authority: section(/;; AUTHORITY SECTION:/),
    question: section(/;; QUESTION SECTION:/),
    ecs: /CLIENT-SUBNET: ([^\s]+)/.exec(out)?.[1],
    raw: out,
  };
}

export async function tool(bin: string, port: number, args: string[]): Promise<string> {
  const retry = bin.endsWith('kdig') ? '+retry=0' : '+tries=1';
  // +time=5: every caller expects an answer, and the server answers in the test's own process,
  // whose event loop a loaded machine can stall for a second or two.
  const { stdout } = await run(bin, ['@127.0.0.1', '-p', String(port), '+time=5', retry, ...args], { maxBuffer: 64 << 20 });
  return stdout;
}

export async function dig(bin: string, port: number, ...args: string[]): Promise<DigResult> {
  return parseDig(await tool(bin, port, ['+norec', ...args]));
}

export function routedEp(dnsName: string, cluster: string, ip: string, props: Record<string, string>): Endpoint {
  return {
    dnsName, recordType: 'A', targets: [ip], setIdentifier: cluster,
    providerSpecific: [{ name: 'kfed.io/cluster', value: cluster }, ...Object.entries(props).map(([k, v]) => ({ name: `kfed.io/${k}`, value: v }))],
  };
}
