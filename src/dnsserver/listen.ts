// Parsing of listen addresses given on the command line (`--dns-listen ADDR:PORT`).
import { isIP } from 'node:net';

export interface ListenAddress {
  address: string;
  port: number;
}

/**
 * Parses `ADDR:PORT`, `[IPv6]:PORT`, `:PORT` (all IPv4 interfaces) or `PORT` (loopback).
 * Throws with the offending text on anything else.
 */
export function parseListenAddress(text: string, defaultAddress = '127.0.0.1'): ListenAddress {
  const t = text.trim();
  let address = defaultAddress;
  let portText = t;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(t);
  if (v6) {
    address = v6[1] ?? '';
    portText = v6[2] ?? '';
  } else if (t.includes(':')) {
    const i = t.lastIndexOf(':');
    address = t.slice(0, i) || '0.0.0.0';
    portText = t.slice(i + 1);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new Error(`listen address "${text}": port must be 0..65535`);
  if (isIP(address) === 0) throw new Error(`listen address "${text}": "${address}" is not an IP address`);
  return { address, port };
}
