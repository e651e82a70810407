#!/usr/bin/env node
// Builds kfed's native addon (native/udp-batch: batched UDP for the DNS server) with
// node-gyp; npm runs this after `npm ci`. Without a C toolchain the DNS server still
// works on node:dgram, so a failed build only warns, unless KFED_NATIVE_REQUIRED=1
// (CI), where it fails the install.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const required = process.env.KFED_NATIVE_REQUIRED === '1';

function done(ok, why) {
  if (ok) return;
  const msg = `kfed: native/udp-batch not built (${why}); the DNS server will use node:dgram (slower). Needs Linux, python3, make and a C compiler.`;
  console.warn(msg);
  if (required) process.exit(1);
}

if (process.platform !== 'linux') {
  done(false, `platform ${process.platform}`);
} else {
  // npm gives scripts the path of its bundled node-gyp; fall back to one on PATH.
  const gyp = process.env.npm_config_node_gyp;
  const [cmd, args] = gyp ? [process.execPath, [gyp]] : ['node-gyp', []];
  const r = spawnSync(cmd, [...args, 'rebuild', '--directory', join(root, 'native', 'udp-batch')], { stdio: 'inherit' });
  done(r.status === 0, r.error ? r.error.message : `node-gyp exited ${r.status}`);
}
