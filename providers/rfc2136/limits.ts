// What fits one UPDATE message. Names are written uncompressed, so a message's size is
// exactly the sum of its parts; each endpoint's share is computed once (the pipeline
// calls `fits` on growing batches) and the zone/TSIG overhead is reserved up front.
import type { Endpoint } from '../../src/dns/endpoint.js';
import type { ProviderLimits, ZoneChanges } from '../../src/dns/publish/provider.js';
import { encodeRdata } from './rdata.js';
import { MAX_MESSAGE_BYTES, encodeName } from './wire.js';

/** Zone section, header and a TSIG record with a 255-octet key name and a SHA-512 MAC. */
const RESERVED = 12 + 255 + 4 + 255 + 10 + 14 + 6 + 2 + 2 + 64 + 6;

const recordsSize = new WeakMap<Endpoint, number>();

/** Octets of the endpoint's records (owner, fixed fields, RDATA); 0 when it cannot be encoded (apply will name it). */
function sizeOf(e: Endpoint): number {
  let n = recordsSize.get(e);
  if (n === undefined) {
    try {
      const owner = encodeName(e.dnsName).length + 10;
      n = e.targets.reduce((sum, t) => sum + owner + encodeRdata(e.recordType, t).length, 0);
    } catch {
      n = 0;
    }
    recordsSize.set(e, n);
  }
  return n;
}

function nameSize(e: Endpoint): number {
  try {
    return encodeName(e.dnsName).length + 10;
  } catch {
    return 0;
  }
}

/** Upper bound of the UPDATE's size for a batch (a replacement is counted as a delete plus a create). */
export function updateSize(changes: ZoneChanges): number {
  let total = RESERVED;
  // create: "does not exist" and CNAME-clash prerequisites + additions
  for (const e of changes.create) total += 2 * nameSize(e) + sizeOf(e);
  // delete: value-dependent prerequisites + one RRset deletion
  for (const e of changes.delete) total += sizeOf(e) + nameSize(e);
  changes.updateNew.forEach((next, i) => {
    const old = changes.updateOld[i];
    total += (old ? sizeOf(old) : 0) + nameSize(next) + sizeOf(next);
  });
  return total;
}

export function rfc2136Limits(maxMessageBytes = MAX_MESSAGE_BYTES, requestsPerSecond = 20, burst = 10): ProviderLimits {
  return {
    fits: (changes) => updateSize(changes) <= maxMessageBytes,
    requestsPerSecond,
    burst,
  };
}
