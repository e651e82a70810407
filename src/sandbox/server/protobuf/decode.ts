// Kubernetes' protobuf serialization of a request body: the 4-byte magic `k8s\0`, then a
// runtime.Unknown {typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2, contentEncoding = 3,
// contentType = 4} whose raw bytes are the object's own message, chosen by apiVersion and kind.
// The result is the JSON object kubectl would have sent as JSON.
import { ApiError } from '../api-error.js';
import { binding, clusterRole, eviction, role, tokenRequest } from './access-schemas.js';
import { configMap, namespace, resourceQuota, secret, service, serviceAccount } from './core-schemas.js';
import { decodeMessage, UnsupportedProtobufError } from './decode-message.js';
import { deleteOptions } from './meta-schemas.js';
import { ingress, podDisruptionBudget, priorityClass } from './network-schemas.js';
import { selfSubjectAccessReview, selfSubjectReview, selfSubjectRulesReview, subjectAccessReview } from './review-schemas.js';
import type { MessageRef } from './schema.js';
import { MalformedProtobufError, utf8String, WireReader } from './wire.js';
import { cronJob, deployment, job } from './workload-schemas.js';

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/** The kinds whose messages the sandbox decodes, by `apiVersion/kind`; DeleteOptions in any group version besides. */
const KINDS: ReadonlyMap<string, MessageRef> = new Map([
  ['v1/Namespace', namespace],
  ['v1/ConfigMap', configMap],
  ['v1/Secret', secret],
  ['v1/ServiceAccount', serviceAccount],
  ['v1/Service', service],
  ['v1/ResourceQuota', resourceQuota],
  ['apps/v1/Deployment', deployment],
  ['batch/v1/Job', job],
  ['batch/v1/CronJob', cronJob],
  ['rbac.authorization.k8s.io/v1/Role', role],
  ['rbac.authorization.k8s.io/v1/ClusterRole', clusterRole],
  ['rbac.authorization.k8s.io/v1/RoleBinding', binding('RoleBinding')],
  ['rbac.authorization.k8s.io/v1/ClusterRoleBinding', binding('ClusterRoleBinding')],
  ['authentication.k8s.io/v1/TokenRequest', tokenRequest],
  ['policy/v1/Eviction', eviction],
  ['policy/v1/PodDisruptionBudget', podDisruptionBudget],
  ['networking.k8s.io/v1/Ingress', ingress],
  ['scheduling.k8s.io/v1/PriorityClass', priorityClass],
  ['authorization.k8s.io/v1/SelfSubjectAccessReview', selfSubjectAccessReview],
  ['authorization.k8s.io/v1/SubjectAccessReview', subjectAccessReview('SubjectAccessReview')],
  ['authorization.k8s.io/v1/LocalSubjectAccessReview', subjectAccessReview('LocalSubjectAccessReview')],
  ['authorization.k8s.io/v1/SelfSubjectRulesReview', selfSubjectRulesReview],
  ['authentication.k8s.io/v1/SelfSubjectReview', selfSubjectReview],
]);

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

function envelope(body: Uint8Array): Envelope {
  if (body.length < MAGIC.length || MAGIC.some((b, i) => body[i] !== b)) {
    throw new MalformedProtobufError('the body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  }
  const env: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '' };
  const r = new WireReader(body.subarray(MAGIC.length));
  while (!r.done()) {
    const f = r.next();
    if (f.wire !== 2) continue;
    if (f.no === 1) {
      const t = new WireReader(f.bytes);
      while (!t.done()) {
        const g = t.next();
        if (g.no === 1 && g.wire === 2) env.apiVersion = utf8String(g.bytes);
        else if (g.no === 2 && g.wire === 2) env.kind = utf8String(g.bytes);
      }
    } else if (f.no === 2) env.raw = f.bytes;
    else if (f.no === 3) env.contentEncoding = utf8String(f.bytes);
    else if (f.no === 4) env.contentType = utf8String(f.bytes);
  }
  return env;
}

/** Decode a protobuf request body; 400 for a malformed one, 415 for a kind or field the sandbox does not decode. */
export function decodeProtobuf(body: Uint8Array): Record<string, unknown> {
  let env: Envelope | undefined;
  try {
    env = envelope(body);
    if (env.contentEncoding !== '') {
      throw new ApiError(415, 'UnsupportedMediaType', `protobuf body with content encoding "${env.contentEncoding}" is not supported`);
    }
    if (env.contentType !== '' && !env.contentType.startsWith('application/vnd.kubernetes.protobuf')) {
      throw new ApiError(415, 'UnsupportedMediaType', `protobuf envelope with raw content type "${env.contentType}" is not supported`);
    }
    // client-go writes DeleteOptions in the group version of the resource deleted.
    const schema = env.kind === 'DeleteOptions' ? deleteOptions : KINDS.get(`${env.apiVersion}/${env.kind}`);
    if (!schema) {
      throw new ApiError(415, 'UnsupportedMediaType',
        `the sandbox does not decode protobuf bodies of kind ${env.kind || '(none)'} in ${env.apiVersion || '(no apiVersion)'}: send it as application/json`);
    }
    const obj = decodeMessage(env.raw, schema(), env.kind);
    return { kind: env.kind, apiVersion: env.apiVersion, ...obj };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const what = env?.kind ? ` (${env.apiVersion} ${env.kind})` : '';
    if (err instanceof UnsupportedProtobufError) {
      throw new ApiError(415, 'UnsupportedMediaType', `protobuf request body${what}: ${err.message}: send it as application/json`);
    }
    if (err instanceof MalformedProtobufError) throw new ApiError(400, 'BadRequest', `error decoding protobuf request body${what}: ${err.message}`);
    throw err;
  }
}
