// What every REST handler works with: the resources served, the store and its caches, the
// schemas, and the admission chain. Built once by the server.
import type { Logger } from 'pino';
import type { KubeObject, UserInfo } from '../api/types.js';
import type { ResourceDef } from '../registry/resource.js';
import type { SchemaRegistry } from '../schema/registry.js';
import type { ObjectStore } from '../storage/objects.js';
import type { WatchCaches } from '../storage/watchcache.js';
import type { ResourceSet } from './resources.js';
import type { TokenIssuer } from '../auth/tokens.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** What an admission plugin sees (upstream's admission.Attributes, reduced). */
export interface AdmissionAttributes {
  operation: Operation;
  def: ResourceDef;
  subresource?: string;
  namespace?: string;
  name?: string;
  object?: KubeObject;
  oldObject?: KubeObject;
  user: UserInfo;
  dryRun: boolean;
}

/** Mutating admission may change attrs.object; validating admission may only reject (throw ApiError). */
export interface AdmissionPlugin {
  name: string;
  mutate?(attrs: AdmissionAttributes): void | Promise<void>;
  validate?(attrs: AdmissionAttributes): void | Promise<void>;
}

/**
 * Side effects of storing some resources (upstream's per-resource REST decorations, e.g. the
 * service IP and port allocators), run around the storage write.
 */
export interface StorageHook {
  appliesTo(def: ResourceDef): boolean;
  beforeCreate?(obj: KubeObject, dryRun: boolean): Promise<void>;
  createFailed?(obj: KubeObject): Promise<void>;
  beforeUpdate?(next: KubeObject, cur: KubeObject, dryRun: boolean): Promise<void>;
  updateFailed?(next: KubeObject, cur: KubeObject): Promise<void>;
  afterUpdate?(next: KubeObject, cur: KubeObject): Promise<void>;
  afterDelete?(obj: KubeObject): Promise<void>;
}

export interface Api {
  resources: ResourceSet;
  store: ObjectStore;
  caches: WatchCaches;
  schemas: SchemaRegistry;
  admission: AdmissionPlugin[];
  hooks: StorageHook[];
  /** Signs service account tokens (serviceaccounts/token); absent when no key is configured. */
  tokens?: TokenIssuer;
  logger: Logger;
}

/** A request resolved to a resource: /namespaces/{ns}/{plural}/{name}/{subresource}. */
export interface Target {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export type Query = Record<string, string | undefined>;

/** Per-request facts the handlers need besides the target. */
export interface Request {
  method: string;
  query: Query;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  url: string;
  user: UserInfo;
  /** Warning headers to send (upstream: `299 - "text"`). */
  warnings: string[];
}

export const header = (r: Request, name: string): string | undefined => {
  const v = r.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export const isDryRun = (q: Query): boolean => q.dryRun === 'All';
