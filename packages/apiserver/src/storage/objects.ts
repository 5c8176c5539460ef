// Objects of every resource in the etcd v3 keyspace, as upstream lays them out:
// <prefix>/<storagePath>/<namespace>/<name> (cluster-scoped: <prefix>/<storagePath>/<name>),
// JSON values without resourceVersion, resourceVersion = the key's mod_revision, updates and
// deletes guarded by a Txn on mod_revision.
import { randomUUID } from 'node:crypto';
import { Errors } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { ResourceDef } from '../registry/resource.js';
import { EtcdClient, prefixEnd, type KV, type WatchEvent } from './etcd.js';

export interface ListOptions {
  limit?: number;
  continueToken?: string;
  /** Filter applied server-side (selectors); limit counts only matching objects, as upstream. */
  filter?: (obj: KubeObject) => boolean;
  /** Read at this revision (resourceVersionMatch=Exact); 0 or absent: the latest. */
  revision?: number;
}

export interface ListResult { items: KubeObject[]; resourceVersion: string; continueToken?: string; remainingItemCount?: number }

export interface UpdateOptions {
  expectedRV?: string;
  dryRun?: boolean;
  deleteIf?: (next: KubeObject) => boolean;
}

export type ObjectEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject };

const gr = (d: ResourceDef) => ({ group: d.group, resource: d.plural });

function decode(kv: KV): KubeObject {
  const obj = JSON.parse(kv.value.toString()) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

function encode(obj: KubeObject): Buffer {
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return Buffer.from(JSON.stringify({ ...obj, metadata: meta }));
}

/** Metadata the server owns on a new object: uid, creationTimestamp, generation. */
export function stampNew(d: ResourceDef, obj: KubeObject): KubeObject {
  obj.metadata.uid = randomUUID();
  obj.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  if (d.hasSpec) obj.metadata.generation = 1;
  delete obj.metadata.resourceVersion;
  return obj;
}

/**
 * An update keeps what the server owns: uid, creationTimestamp, deletion fields; generation
 * counts spec changes.
 */
export function carryOver(d: ResourceDef, next: KubeObject, cur: KubeObject): KubeObject {
  next.metadata.uid = cur.metadata.uid!;
  next.metadata.creationTimestamp = cur.metadata.creationTimestamp!;
  if (cur.metadata.deletionTimestamp) next.metadata.deletionTimestamp = cur.metadata.deletionTimestamp;
  else delete next.metadata.deletionTimestamp;
  if (cur.metadata.deletionGracePeriodSeconds !== undefined) next.metadata.deletionGracePeriodSeconds = cur.metadata.deletionGracePeriodSeconds;
  else delete next.metadata.deletionGracePeriodSeconds;
  if (d.hasSpec) next.metadata.generation = (cur.metadata.generation ?? 1) + (JSON.stringify(next.spec) !== JSON.stringify(cur.spec) ? 1 : 0);
  return next;
}

interface ContinueToken { v: 'meta.k8s.io/v1'; rv: number; start: string }

export class ObjectStore {
  constructor(readonly etcd: EtcdClient, readonly prefix = '/registry') {}

  /** The key prefix of a resource, or of one namespace of it. */
  dir(d: ResourceDef, ns?: string): string {
    return d.namespaced && ns ? `${this.prefix}/${d.storagePath}/${ns}/` : `${this.prefix}/${d.storagePath}/`;
  }

  key(d: ResourceDef, ns: string | undefined, name: string): string {
    return `${this.dir(d, ns)}${name}`;
  }

  async get(d: ResourceDef, ns: string | undefined, name: string): Promise<KubeObject> {
    const r = await this.etcd.get(this.key(d, ns, name));
    if (!r.kv) throw Errors.notFound(gr(d), name);
    return decode(r.kv);
  }

  async list(d: ResourceDef, ns: string | undefined, o: ListOptions = {}): Promise<ListResult> {
    const dir = this.dir(d, ns);
    const end = prefixEnd(dir);
    let start = dir;
    let rev = o.revision ?? 0;
    if (o.continueToken) {
      let t: ContinueToken;
      try { t = JSON.parse(Buffer.from(o.continueToken, 'base64').toString()) as ContinueToken; } catch { throw Errors.badRequest('continue key is not valid: invalid continue token'); }
      if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') throw Errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
      start = dir + t.start;
      rev = t.rv;
    }
    const limit = o.limit && o.limit > 0 ? o.limit : 0;
    const items: KubeObject[] = [];
    let revision = rev;
    let more = false;
    let lastKey = '';
    // Page through the store at one pinned revision until `limit` objects match the filter.
    for (;;) {
      let page;
      try {
        page = await this.etcd.range(start, end, limit ? Math.max(limit - items.length, 1) + 1 : 0, revision);
      } catch (e) {
        if ((e as { compacted?: boolean }).compacted && !o.continueToken) throw Errors.gone(`The resourceVersion for the provided list is too old.`);
        if ((e as { futureRevision?: boolean }).futureRevision) throw Errors.tooLargeResourceVersion(rev, 0);
        if ((e as { compacted?: boolean }).compacted) throw Errors.gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.', Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 0, start: start.slice(dir.length) })).toString('base64'));
        throw e;
      }
      revision = revision || page.revision; // pinned: the requested revision, else the first page's
      const take = limit ? page.kvs.slice(0, Math.max(limit - items.length, 1)) : page.kvs;
      for (const kv of take) {
        lastKey = kv.key;
        const obj = decode(kv);
        if (!o.filter || o.filter(obj)) items.push(obj);
        if (limit && items.length >= limit) break;
      }
      more = page.more || take.length < page.kvs.length || (limit > 0 && items.length >= limit && lastKey !== page.kvs[page.kvs.length - 1]?.key);
      if (!limit || items.length >= limit || !page.more) break;
      start = `${lastKey}\0`;
    }
    const res: ListResult = { items, resourceVersion: String(revision) };
    if (limit && more) {
      const tok: ContinueToken = { v: 'meta.k8s.io/v1', rv: revision, start: `${lastKey.slice(dir.length)}\0` };
      res.continueToken = Buffer.from(JSON.stringify(tok)).toString('base64');
    }
    return res;
  }

  /** The store's current revision. */
  async currentRevision(): Promise<number> {
    return (await this.etcd.get(`${this.prefix}/health`)).revision;
  }

  /** Stores a new object (already stamped by stampNew). With dryRun, checks only that the name is free. */
  async create(d: ResourceDef, obj: KubeObject, o: { dryRun?: boolean } = {}): Promise<KubeObject> {
    const name = obj.metadata.name!;
    const key = this.key(d, obj.metadata.namespace, name);
    if (o.dryRun) {
      if ((await this.etcd.get(key)).kv) throw Errors.alreadyExists(gr(d), name);
      return obj;
    }
    const r = await this.etcd.create(key, encode(obj));
    if ('existing' in r) throw Errors.alreadyExists(gr(d), name);
    obj.metadata.resourceVersion = String(r.revision);
    return obj;
  }

  /**
   * Replaces an object. `expectedRV` (from the request) must match the stored one when given;
   * `mutate` derives the new object from the current one. A result identical to the stored
   * object is not written (the resourceVersion stays, as upstream). When `deleteIf` says so the
   * object is deleted instead (the last finalizer of an object being deleted went away).
   */
  async update(d: ResourceDef, ns: string | undefined, name: string, mutate: (cur: KubeObject) => KubeObject | Promise<KubeObject>,
    o: UpdateOptions = {}): Promise<KubeObject> {
    const key = this.key(d, ns, name);
    // Upstream's GuaranteedUpdate retries until the write lands (conflicts only with a precondition).
    for (let attempt = 0; attempt < 100; attempt++) {
      const r = await this.etcd.get(key);
      if (!r.kv) throw Errors.notFound(gr(d), name);
      const cur = decode(r.kv);
      if (o.expectedRV !== undefined && o.expectedRV !== '' && o.expectedRV !== cur.metadata.resourceVersion) {
        throw Errors.conflict(gr(d), name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      const next = await mutate(cur);
      if (o.deleteIf?.(next)) {
        if (o.dryRun) return next;
        const w = await this.etcd.delete(key, r.kv.modRevision);
        if ('revision' in w) { next.metadata.resourceVersion = String(w.revision); return next; }
        continue;
      }
      const bytes = encode(next);
      if (bytes.equals(r.kv.value) || o.dryRun) { next.metadata.resourceVersion = cur.metadata.resourceVersion!; return next; }
      const w = await this.etcd.update(key, bytes, r.kv.modRevision);
      if ('revision' in w) { next.metadata.resourceVersion = String(w.revision); return next; }
      if (!w.current) throw Errors.notFound(gr(d), name);
      if (o.expectedRV) throw Errors.conflict(gr(d), name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    throw Errors.conflict(gr(d), name, 'too many concurrent updates');
  }

  /** Deletes an object if `check` (preconditions) accepts its current state. */
  async delete(d: ResourceDef, ns: string | undefined, name: string, o: { check?: (cur: KubeObject) => void; dryRun?: boolean } = {}): Promise<KubeObject> {
    const key = this.key(d, ns, name);
    for (let attempt = 0; attempt < 5; attempt++) {
      const r = await this.etcd.get(key);
      if (!r.kv) throw Errors.notFound(gr(d), name);
      const cur = decode(r.kv);
      o.check?.(cur);
      if (o.dryRun) return cur;
      const w = await this.etcd.delete(key, r.kv.modRevision);
      if ('revision' in w) return cur;
      if (!w.current) throw Errors.notFound(gr(d), name);
    }
    throw Errors.conflict(gr(d), name, 'too many concurrent updates');
  }

  /** Watches a resource (optionally one namespace) from after `resourceVersion`. */
  watch(d: ResourceDef, ns: string | undefined, resourceVersion: number, onEvent: (e: ObjectEvent) => void, onError: (status: ReturnType<typeof Errors.gone>) => void): () => void {
    const dir = this.dir(d, ns);
    const h = this.etcd.watch(dir, prefixEnd(dir), resourceVersion + 1, {
      onEvents: (events: WatchEvent[]) => {
        for (const e of events) {
          if (e.type === 'PUT') onEvent({ type: e.kv.createRevision === e.kv.modRevision ? 'ADDED' : 'MODIFIED', object: decode(e.kv) });
          else if (e.prevKv) {
            const obj = decode(e.prevKv);
            obj.metadata.resourceVersion = String(e.kv.modRevision);
            onEvent({ type: 'DELETED', object: obj });
          }
        }
      },
      onError: (err) => onError(err.compacted ? Errors.gone(`too old resource version: ${resourceVersion}`) : Errors.internal(err.message)),
    });
    return h.cancel;
  }
}
