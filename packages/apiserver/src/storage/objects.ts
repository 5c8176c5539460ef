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
}

export interface ListResult { items: KubeObject[]; resourceVersion: string; continueToken?: string; remainingItemCount?: number }

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

/** An update keeps the stored uid and creationTimestamp; generation counts spec changes. */
export function carryOver(d: ResourceDef, next: KubeObject, cur: KubeObject): KubeObject {
  next.metadata.uid = cur.metadata.uid!;
  next.metadata.creationTimestamp = cur.metadata.creationTimestamp!;
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
    let rev = 0;
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
        if ((e as { compacted?: boolean }).compacted) throw Errors.gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
        throw e;
      }
      revision = page.revision;
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

  /** Stores a new object, stamped by stampNew. */
  async create(d: ResourceDef, obj: KubeObject): Promise<KubeObject> {
    const name = obj.metadata.name!;
    stampNew(d, obj);
    const r = await this.etcd.create(this.key(d, obj.metadata.namespace, name), encode(obj));
    if ('existing' in r) throw Errors.alreadyExists(gr(d), name);
    obj.metadata.resourceVersion = String(r.revision);
    return obj;
  }

  /**
   * Replaces an object. `expectedRV` (from the request) must match the stored one when given;
   * `mutate` derives the stored object from the current one (keeps immutable metadata).
   */
  async update(d: ResourceDef, ns: string | undefined, name: string, mutate: (cur: KubeObject) => KubeObject, expectedRV?: string): Promise<KubeObject> {
    const key = this.key(d, ns, name);
    for (let attempt = 0; attempt < 5; attempt++) {
      const r = await this.etcd.get(key);
      if (!r.kv) throw Errors.notFound(gr(d), name);
      const cur = decode(r.kv);
      if (expectedRV !== undefined && expectedRV !== '' && expectedRV !== cur.metadata.resourceVersion) {
        throw Errors.conflict(gr(d), name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      const next = mutate(cur);
      const w = await this.etcd.update(key, encode(next), r.kv.modRevision);
      if ('revision' in w) { next.metadata.resourceVersion = String(w.revision); return next; }
      if (!w.current) throw Errors.notFound(gr(d), name);
      if (expectedRV) throw Errors.conflict(gr(d), name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    throw Errors.conflict(gr(d), name, 'too many concurrent updates');
  }

  async delete(d: ResourceDef, ns: string | undefined, name: string, expectedRV?: string): Promise<KubeObject> {
    const key = this.key(d, ns, name);
    for (let attempt = 0; attempt < 5; attempt++) {
      const r = await this.etcd.get(key);
      if (!r.kv) throw Errors.notFound(gr(d), name);
      const cur = decode(r.kv);
      if (expectedRV && expectedRV !== cur.metadata.resourceVersion) {
        throw Errors.conflict(gr(d), name, `the ResourceVersion in the precondition (${expectedRV}) does not match the ResourceVersion in record (${cur.metadata.resourceVersion}). The object might have been modified`);
      }
      const w = await this.etcd.delete(key, r.kv.modRevision);
      if ('revision' in w) return cur;
      if (!w.current) throw Errors.notFound(gr(d), name);
    }
    throw Errors.conflict(gr(d), name, 'too many concurrent updates');
  }

  /** Watches a resource (optionally one namespace) from after `resourceVersion`. */
  watch(d: ResourceDef, ns: string | undefined, resourceVersion: number, onEvent: (e: ObjectEvent) => void, onError: (status: ReturnType<typeof Errors.gone>) => void): () => void {
    const dir = this.dir(d, ns);
    return this.etcd.watch(dir, prefixEnd(dir), resourceVersion + 1, {
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
  }
}
