// What fits one UPDATE message. Names are written uncompressed, so a message's size is
// exactly the sum of its parts; each endpoint's share is computed once (the pipeline
// calls `fits` on growing batches) and the zone/TSIG overhead is reserved up front.
import type { Endpoint } from '../../src/dns/endpoint.js';
import type { ProviderLimits, ZoneChanges } from '../../src/dns/publish/provider.js';
import { encodeRdata } from './rdata.js';
import { MAX_MESSAGE_BYTES, encodeName } from './wire.js';

/** Zone section, header and a TSIG record with a 255-octet key name and a SHA-512 MAC. */
const RESERVED = 12 + 255 + 4 + 255 + 10 + 14 + 6 + 2 + 2 + 64 + 6;

interface Sizes {
  /** Owner name and fixed fields of one RR (a prerequisite or an RRset deletion). */
  rr: number;
  /** All the endpoint's records with their RDATA. */
  records: number;
}

const sizes = new WeakMap<Endpoint, Sizes>();

/** An endpoint's shares; 0 when it cannot be encoded (apply will name it). */
function sizesOf(e: Endpoint): Sizes {
  let s = sizes.get(e);
  if (!s) {
    try {
      const rr = encodeName(e.dnsName).length + 10;
      s = { rr, records: e.targets.reduce((sum, t) => sum + rr + encodeRdata(e.recordType, t).length, 0) };
    } catch {
      s = { rr: 0, records: 0 };
    }
    sizes.set(e, s);
  }
  return s;
}

function sizeOf(e: Endpoint): number {
  return sizesOf(e).records;
}

function nameSize(e: Endpoint): number {
  return sizesOf(e).rr;
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
