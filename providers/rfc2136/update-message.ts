// Pure building of one RFC 2136 UPDATE from a batch of the plan's changes.
//
// Every change is guarded by a prerequisite, so that a writer that changed the zone
// since kfed read it makes the whole UPDATE fail (and the pipeline re-read) instead
// of being overwritten:
//   create          "RRset does not exist"              (class NONE, no RDATA)
//                   and "no CNAME there" (a CNAME: "name is not in use"), unless the
//                   batch deletes something at that name
//   update, delete  "RRset exists (value dependent)"    (the exact records kfed read)
// A create of a name and type the same batch deletes (a replacement) becomes an
// update of the deleted records, or the two prerequisites would contradict each other.
//
// Updates are ordered: every RRset deletion first, then the additions, because BIND
// silently ignores (and answers NOERROR to) an addition that clashes with a CNAME.
import { ProviderError, type ZoneChanges } from '../../src/dns/publish/provider.js';
import { describeEndpoint, endpointKey, type Endpoint } from '../../src/dns/endpoint.js';
import { WRITABLE_TYPES, encodeRdata, typeCode } from './rdata.js';
import { CLASS, OPCODE_UPDATE, TYPE, encodeMessage, encodeRecord } from './wire.js';

/** TTL written when an endpoint sets none (external-dns's RFC2136 default). */
export const DEFAULT_TTL = 300;

/** RDATA as read from the server, per record set: prerequisites must match it octet for octet. */
export type ReadRdata = (e: Endpoint) => Buffer[] | undefined;

interface Step {
  key: string;
  old?: Endpoint;
  next?: Endpoint;
}

/**
 * Normalized owner name. A name outside the zone is sent as it is: the server answers
 * NOTZONE and the batch is `rejected` as a whole, like any content the server refuses.
 */
function ownerName(e: Endpoint): string {
  return e.dnsName.trim().toLowerCase().replace(/\.$/, '');
}

function rdatas(e: Endpoint, read: ReadRdata | undefined): Buffer[] {
  const known = read?.(e);
  if (known) return known;
  if (e.targets.length === 0) throw new Error('record set has no targets');
  if (e.recordType === 'CNAME' && e.targets.length > 1) throw new Error('a CNAME has exactly one target');
  return e.targets.map((t) => encodeRdata(e.recordType, t));
}

function checkEndpoint(e: Endpoint): void {
  if (!WRITABLE_TYPES.includes(e.recordType)) throw new Error(`record type ${e.recordType} is not supported`);
  if (e.setIdentifier) throw new Error('RFC2136 record sets have no set identifier (adjust folds routed endpoints)');
  if (e.recordTTL !== undefined && (!Number.isInteger(e.recordTTL) || e.recordTTL < 0 || e.recordTTL > 0x7fffffff)) throw new Error(`TTL ${e.recordTTL} is out of range`);
}

/** The RRs one change contributes: its prerequisites and its updates (deletions, additions). */
export interface EncodedChange {
  prerequisites: Buffer[];
  deletions: Buffer[];
  additions: Buffer[];
}

export function encodeChange(step: Step, read?: ReadRdata, touched: ReadonlySet<string> = new Set()): EncodedChange {
  const out: EncodedChange = { prerequisites: [], deletions: [], additions: [] };
  const subject = step.next ?? step.old;
  if (!subject) throw new Error('empty change');
  checkEndpoint(subject);
  const name = ownerName(subject);
  const type = typeCode(subject.recordType);
  if (step.old) {
    if (step.next) checkEndpoint(step.old);
    for (const rdata of rdatas(step.old, read)) out.prerequisites.push(encodeRecord({ name, type, klass: CLASS.IN, ttl: 0, rdata }));
    out.deletions.push(encodeRecord({ name, type, klass: CLASS.ANY, ttl: 0, rdata: Buffer.alloc(0) }));
  } else {
    out.prerequisites.push(encodeRecord({ name, type, klass: CLASS.NONE, ttl: 0, rdata: Buffer.alloc(0) }));
    // BIND ignores (and answers NOERROR to) an addition that would put a CNAME beside
    // other data: a prerequisite turns that into a conflict unless this batch removes them.
    if (!touched.has(name)) {
      if (subject.recordType === 'CNAME') out.prerequisites.push(encodeRecord({ name, type: TYPE.ANY, klass: CLASS.NONE, ttl: 0, rdata: Buffer.alloc(0) }));
      else out.prerequisites.push(encodeRecord({ name, type: TYPE.CNAME, klass: CLASS.NONE, ttl: 0, rdata: Buffer.alloc(0) }));
    }
  }
  if (step.next) {
    const ttl = step.next.recordTTL && step.next.recordTTL > 0 ? step.next.recordTTL : DEFAULT_TTL;
    for (const rdata of rdatas(step.next, undefined)) out.additions.push(encodeRecord({ name, type, klass: CLASS.IN, ttl, rdata }));
  }
  return out;
}

/** The batch as steps, one per record set; a create of a key the batch deletes becomes an update. */
export function stepsOf(changes: ZoneChanges): Step[] {
  const steps = new Map<string, Step>();
  const add = (key: string, step: Step, e: Endpoint): void => {
    if (steps.has(key)) throw new ProviderError('rejected', `record set ${describeEndpoint(e)} appears twice in one batch`, { rejected: [e] });
    steps.set(key, step);
  };
  for (const old of changes.delete) add(endpointKey(old), { key: endpointKey(old), old }, old);
  changes.updateNew.forEach((next, i) => {
    const old = changes.updateOld[i];
    if (!old || endpointKey(old) !== endpointKey(next)) throw new ProviderError('rejected', `update of ${describeEndpoint(next)} has no matching old record set`, { rejected: [next] });
    add(endpointKey(next), { key: endpointKey(next), old, next }, next);
  });
  for (const next of changes.create) {
    const key = endpointKey(next);
    const replaced = steps.get(key);
    if (replaced?.old && !replaced.next) replaced.next = next;
    else add(key, { key, next }, next);
  }
  return [...steps.values()];
}

/** The unsigned UPDATE for a batch (id 0: the client sets it). Throws ProviderError('rejected') naming bad records. */
export function buildUpdate(zone: string, changes: ZoneChanges, read?: ReadRdata): Buffer {
  const prerequisites: Buffer[] = [];
  const deletions: Buffer[] = [];
  const additions: Buffer[] = [];
  const bad: Endpoint[] = [];
  const reasons: string[] = [];
  const steps = stepsOf(changes);
  // Names where the batch deletes or replaces a record set: their creates cannot also require the name to be free.
  const touched = new Set(steps.filter((s) => s.old).map((s) => ownerName(s.old as Endpoint)));
  for (const step of steps) {
    try {
      const c = encodeChange(step, read, touched);
      prerequisites.push(...c.prerequisites);
      deletions.push(...c.deletions);
      additions.push(...c.additions);
    } catch (err) {
      const e = (step.next ?? step.old) as Endpoint;
      bad.push(e);
      reasons.push(`${describeEndpoint(e)}: ${(err as Error).message}`);
    }
  }
  if (bad.length > 0) throw new ProviderError('rejected', `update of zone ${zone} refused before sending: ${reasons.join('; ')}`, { rejected: bad });
  return encodeMessage({ id: 0, opcode: OPCODE_UPDATE, question: { name: zone, type: TYPE.SOA, klass: CLASS.IN }, answers: prerequisites, authorities: [...deletions, ...additions] });
}
