// Cluster-internal lifecycle controllers: CRD registration, namespace termination,
// ownerReference garbage collection, service-account tokens and default accounts.
import type { KubeObject } from '../../api/meta.js';
import type { ObjectStore, StoreEvent } from '../store/object-store.js';
import type { ResourceRegistry } from '../resources/registry.js';
import { crdToResource } from '../resources/crd.js';
import { resourceKey, type ResourceDef } from '../resources/types.js';
import type { ObjectService } from '../server/object-service.js';
import { ApiError } from '../server/api-error.js';
import { newToken, serviceAccountUser, type Authenticator } from '../auth/authn.js';
import { Batcher } from './batcher.js';

type Obj = Record<string, any>;

const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';
const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const ROOT_CA_DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. '
  + 'No other usage is guaranteed across distributions of Kubernetes clusters.';

export interface LifecycleDeps {
  store: ObjectStore;
  registry: ResourceRegistry;
  objects: ObjectService;
  authn: Authenticator;
  caPem: string;
}

export class LifecycleControllers {
  private readonly owners = new Map<string, Set<string>>(); // owner uid -> dependent refs "resource|ns|name"
  private readonly namespaces: Batcher<string>;
  private readonly gc: Batcher<string>;
  private readonly tokens: Batcher<string>;
  private readonly unsubscribe: () => void;
  private readonly retry: NodeJS.Timeout;

  constructor(private readonly d: LifecycleDeps) {
    this.namespaces = new Batcher((names) => names.forEach((n) => this.finishNamespace(n)));
    this.gc = new Batcher((uids) => uids.forEach((u) => this.collect(u)));
    this.tokens = new Batcher((keys) => keys.forEach((k) => this.fillToken(k)));
    this.unsubscribe = d.store.subscribe((ev) => this.onEvent(ev));
    // terminating namespaces whose contents carry finalizers are retried until empty
    this.retry = setInterval(() => {
      for (const ns of d.store.list('namespaces')) if (ns.metadata.deletionTimestamp) this.namespaces.add(ns.metadata.name!);
    }, 1000);
    this.retry.unref();
  }

  stop(): void {
    this.unsubscribe();
    clearInterval(this.retry);
    this.namespaces.stop();
    this.gc.stop();
    this.tokens.stop();
  }

  private onEvent(ev: StoreEvent): void {
    const o = ev.obj as Obj;
    // built only for objects with owners (most have none)
    const ref = ev.prev?.metadata.ownerReferences || o.metadata.ownerReferences ? `${ev.resource}|${o.metadata.namespace ?? ''}|${o.metadata.name}` : '';
    for (const r of (ev.prev?.metadata.ownerReferences ?? [])) this.owners.get(r.uid)?.delete(ref);
    if (ev.type === 'DELETED') {
      for (const r of (o.metadata.ownerReferences ?? []) as Obj[]) this.owners.get(r.uid)?.delete(ref);
      if (this.owners.has(o.metadata.uid)) this.gc.add(o.metadata.uid);
    } else {
      for (const r of (o.metadata.ownerReferences ?? []) as Obj[]) {
        let s = this.owners.get(r.uid);
        if (!s) this.owners.set(r.uid, (s = new Set()));
        s.add(ref);
      }
      const fin: string[] = o.metadata.finalizers ?? [];
      if (o.metadata.deletionTimestamp && (fin.includes('orphan') || fin.includes('foregroundDeletion'))) this.gc.add(o.metadata.uid);
    }
    switch (ev.resource) {
      case 'customresourcedefinitions.apiextensions.k8s.io':
        if (ev.type === 'DELETED') {
          const spec = o.spec as Obj;
          this.d.registry.remove(spec.group, spec.names.plural);
          setImmediate(() => this.d.store.dropResource(resourceKey(spec.group, spec.names.plural)));
        } else if (!o.metadata.deletionTimestamp) {
          this.d.registry.set(crdToResource(ev.obj));
        }
        break;
      case 'namespaces':
        if (ev.type === 'ADDED') {
          this.tokens.add(`sa|${o.metadata.name}|default`);
          this.tokens.add(`rootca|${o.metadata.name}|${ROOT_CA_CONFIGMAP}`);
        }
        if (ev.type !== 'DELETED' && o.metadata.deletionTimestamp) this.namespaces.add(o.metadata.name);
        break;
      case 'secrets':
        if (o.type === SA_TOKEN_TYPE) {
          if (ev.type === 'DELETED') {
            if (o.data?.token) this.d.authn.removeToken(Buffer.from(o.data.token, 'base64').toString('utf8'));
          } else this.tokens.add(`secret|${o.metadata.namespace}|${o.metadata.name}`);
        }
        break;
      case 'configmaps':
        // kube-controller-manager's root-ca-certificate-publisher puts it back when deleted or changed
        if (o.metadata.name === ROOT_CA_CONFIGMAP) this.tokens.add(`rootca|${o.metadata.namespace}|${ROOT_CA_CONFIGMAP}`);
        break;
      case 'serviceaccounts':
        if (ev.type === 'ADDED') {
          for (const s of this.d.store.list('secrets', o.metadata.namespace)) {
            if ((s as Obj).type === SA_TOKEN_TYPE && s.metadata.annotations?.['kubernetes.io/service-account.name'] === o.metadata.name) {
              this.tokens.add(`secret|${o.metadata.namespace}|${s.metadata.name}`);
            }
          }
        }
        if (ev.type === 'DELETED') {
          this.d.authn.removeServiceAccount(o.metadata.namespace, o.metadata.name);
          this.tokens.add(`sadeleted|${o.metadata.namespace}|${o.metadata.name}`);
        }
        break;
      default:
        break;
    }
  }

  private def(group: string, plural: string): ResourceDef {
    return this.d.registry.get(group, plural)!;
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      // a concurrent client write won the race; the next event retries
      if (!(err instanceof ApiError)) throw err;
    }
  }

  private finishNamespace(name: string): void {
    const ns = this.d.store.get('namespaces', undefined, name);
    if (!ns?.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const def of this.d.registry.all()) {
      if (!def.namespaced || def.createOnly) continue;
      for (const o of this.d.store.list(resourceKey(def.group, def.plural), name)) {
        remaining++;
        if (!o.metadata.deletionTimestamp) this.safe(() => this.d.objects.delete(def, name, o.metadata.name!, { propagationPolicy: 'Background' }));
      }
    }
    if (remaining > 0) return;
    const nsDef = this.def('', 'namespaces');
    this.safe(() => {
      const cur = this.d.store.get('namespaces', undefined, name) as Obj | undefined;
      if (!cur) return;
      if ((cur.spec?.finalizers ?? []).length > 0) {
        this.d.objects.update(nsDef, 'v1', undefined, name, { ...structuredClone(cur), spec: { ...cur.spec, finalizers: [] } }, { fieldManager: 'kube-controller-manager' });
      }
      const after = this.d.store.get('namespaces', undefined, name);
      if (after && (after.metadata.finalizers ?? []).length === 0) this.d.store.remove('namespaces', undefined, name);
    });
  }

  /** Garbage-collect the dependents of a deleted (or orphaning / foreground-deleting) owner. */
  private collect(uid: string): void {
    const deps = [...(this.owners.get(uid) ?? [])];
    const owner = this.findByUid(uid);
    const fin: string[] = owner?.obj.metadata.finalizers ?? [];
    const orphan = owner && fin.includes('orphan');
    for (const ref of deps) {
      const [resource, ns, name] = ref.split('|') as [string, string, string];
      const dep = this.d.store.get(resource, ns || undefined, name);
      if (!dep) continue;
      const def = this.d.registry.all().find((x) => resourceKey(x.group, x.plural) === resource);
      if (!def) continue;
      const refs = dep.metadata.ownerReferences ?? [];
      if (orphan) {
        this.safe(() => this.d.objects.update(def, def.storageVersion, ns || undefined, name, { ...structuredClone(dep), metadata: { ...dep.metadata, ownerReferences: refs.filter((r) => r.uid !== uid) } }, { fieldManager: 'kube-controller-manager' }));
        continue;
      }
      // a dependent with another live owner stays
      if (refs.some((r) => r.uid !== uid && this.findByUid(r.uid))) continue;
      if (!dep.metadata.deletionTimestamp) this.safe(() => this.d.objects.delete(def, ns || undefined, name, { propagationPolicy: 'Background' }));
    }
    if (owner && (orphan || fin.includes('foregroundDeletion'))) {
      const left = [...(this.owners.get(uid) ?? [])].filter((ref) => {
        const [resource, ns, name] = ref.split('|') as [string, string, string];
        return this.d.store.get(resource, ns || undefined, name) !== undefined;
      });
      if (orphan || left.length === 0) {
        const drop = orphan ? 'orphan' : 'foregroundDeletion';
        const o = owner.obj;
        this.safe(() => this.d.objects.update(owner.def, owner.def.storageVersion, o.metadata.namespace, o.metadata.name!, { ...structuredClone(o), metadata: { ...o.metadata, finalizers: fin.filter((f) => f !== drop) } }, { fieldManager: 'kube-controller-manager' }));
      } else setTimeout(() => this.gc.add(uid), 200).unref();
    }
  }

  private findByUid(uid: string): { def: ResourceDef; obj: KubeObject } | undefined {
    // owners are few relative to lookups; the index maps owner uid -> dependents, not the reverse,
    // so search the kinds that own things in practice first
    for (const def of this.d.registry.all()) {
      for (const o of this.d.store.list(resourceKey(def.group, def.plural))) if (o.metadata.uid === uid) return { def, obj: o };
    }
    return undefined;
  }

  private fillToken(key: string): void {
    const [kind, ns, name] = key.split('|') as [string, string, string];
    if (kind === 'sa') {
      if (!this.d.store.get('serviceaccounts', ns, name)) {
        this.safe(() => this.d.objects.create(this.def('', 'serviceaccounts'), 'v1', ns, { metadata: { name } }, { fieldManager: 'kube-controller-manager' }));
      }
      return;
    }
    if (kind === 'rootca') {
      this.publishRootCa(ns);
      return;
    }
    if (kind === 'sadeleted') {
      for (const s of this.d.store.list('secrets', ns)) {
        if ((s as Obj).type === SA_TOKEN_TYPE && s.metadata.annotations?.['kubernetes.io/service-account.name'] === name) {
          this.safe(() => this.d.objects.delete(this.def('', 'secrets'), ns, s.metadata.name!));
        }
      }
      return;
    }
    const secret = this.d.store.get('secrets', ns, name) as Obj | undefined;
    if (!secret || secret.type !== SA_TOKEN_TYPE) return;
    const saName = secret.metadata.annotations?.['kubernetes.io/service-account.name'];
    const sa = saName ? this.d.store.get('serviceaccounts', ns, saName) : undefined;
    if (!sa) return; // kube-controller-manager deletes such secrets; a later SA create fills it in
    const existing = secret.data?.token ? Buffer.from(secret.data.token, 'base64').toString('utf8') : undefined;
    const token = existing ?? newToken();
    this.d.authn.addToken(token, serviceAccountUser(ns, saName!, sa.metadata.uid));
    if (existing && secret.data?.['ca.crt'] && secret.metadata.annotations?.['kubernetes.io/service-account.uid']) return;
    const next = structuredClone(secret);
    next.data = { ...(next.data ?? {}), token: Buffer.from(token).toString('base64'), 'ca.crt': Buffer.from(this.d.caPem).toString('base64'), namespace: Buffer.from(ns).toString('base64') };
    next.metadata.annotations = { ...next.metadata.annotations, 'kubernetes.io/service-account.uid': sa.metadata.uid! };
    this.safe(() => this.d.objects.update(this.def('', 'secrets'), 'v1', ns, name, next, { fieldManager: 'kube-controller-manager' }));
  }

  /** The namespace's kube-root-ca.crt ConfigMap holds the cluster CA, as the root-CA publisher keeps it. */
  private publishRootCa(ns: string): void {
    const nsObj = this.d.store.get('namespaces', undefined, ns);
    if (!nsObj || nsObj.metadata.deletionTimestamp) return;
    const cm = this.d.store.get('configmaps', ns, ROOT_CA_CONFIGMAP) as Obj | undefined;
    const data = { 'ca.crt': this.d.caPem };
    const def = this.def('', 'configmaps');
    if (!cm) {
      this.safe(() => this.d.objects.create(def, 'v1', ns, { metadata: { name: ROOT_CA_CONFIGMAP, annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION } }, data }, { fieldManager: 'kube-controller-manager' }));
      return;
    }
    if (cm.data?.['ca.crt'] === data['ca.crt'] && Object.keys(cm.data ?? {}).length === 1 && cm.metadata.annotations?.['kubernetes.io/description']) return;
    const next = structuredClone(cm);
    next.data = data;
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), 'kubernetes.io/description': ROOT_CA_DESCRIPTION };
    this.safe(() => this.d.objects.update(def, 'v1', ns, ROOT_CA_CONFIGMAP, next, { fieldManager: 'kube-controller-manager' }));
  }
}
