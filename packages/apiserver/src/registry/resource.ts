// A resource is declared once; REST handlers, discovery, OpenAPI and Table output all derive from
// its declaration (CRDs will produce the same declaration at runtime).
import type { JsonValue, KubeObject, StatusCause, UserInfo } from '../api/types.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  /** 0: default output; 1: only with -o wide. */
  priority?: number;
  value(obj: KubeObject): JsonValue;
}

/**
 * How metadata.name is validated (upstream: DNS-1123 subdomain for most, label for a few, and
 * only path-segment safety for RBAC objects and CSRs, whose names carry colons).
 */
export type NameRule = 'subdomain' | 'label' | 'path';

export interface ResourceDef {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  nameRule: NameRule;
  /** Key segment under the storage prefix (upstream's registry path, e.g. "minions" for nodes). */
  storagePath: string;
  /** Printer columns after NAME (AGE is appended unless the list has it). */
  columns: PrinterColumn[];
  /** OpenAPI definition name of this kind's schema (src/schema/defs), e.g. io.k8s.api.core.v1.Pod. */
  schema: string;
  /** Subresources served besides the resource itself. */
  subresources?: Subresources;
  /**
   * Field selectors this resource supports besides metadata.name and metadata.namespace
   * (upstream's per-resource field label conversion), e.g. pods: spec.nodeName, status.phase.
   */
  fieldSelectors?: string[];
  /** Sets defaults on create and update (upstream's defaulting functions). */
  defaults?(obj: KubeObject): void;
  /** Field errors for a new or updated object. */
  validate?(obj: KubeObject, old?: KubeObject): StatusCause[];
  /** Whether spec changes bump metadata.generation. */
  hasSpec: boolean;
  /**
   * With a status subresource, a create normally starts from an empty status (upstream's
   * PrepareForCreate); nodes keep theirs, since the kubelet registers a node with its status.
   */
  keepStatusOnCreate?: boolean;
  /**
   * Graceful deletion (pods): the grace period a DELETE gets, from the object and the requested
   * gracePeriodSeconds. Absent: objects are deleted at once (or when their finalizers are gone).
   */
  deleteGracePeriod?(obj: KubeObject, requested: number | undefined): number;
  /** Fields a create takes from the request rather than the body (CSRs record their requester). */
  prepareCreate?(obj: KubeObject, ctx: RequestContext): void;
  /** Verbs served (default: all of VERBS). Review types serve only create. */
  verbs?: readonly Verb[];
  /**
   * Create-only types that are answered, not stored (SelfSubjectAccessReview, TokenReview...):
   * returns the object to send back, usually the request with .status filled in.
   */
  compute?(obj: KubeObject, ctx: RequestContext): KubeObject | Promise<KubeObject>;
  /**
   * Set on a version that shares storage with another version of the same resource
   * (events.k8s.io/v1 Event and v1 Event, autoscaling/v1 and autoscaling/v2 HPA): objects are
   * stored in the storage version's shape and converted on the way in and out.
   */
  conversion?: {
    /** apiVersion of the stored shape, e.g. "v1" or "autoscaling/v2". */
    storageVersion: string;
    toStorage(obj: KubeObject): KubeObject;
    fromStorage(obj: KubeObject): KubeObject;
  };
}

/** What a handler knows about the request beyond its body. */
export interface RequestContext {
  user: UserInfo;
}

export interface Subresources {
  /** /status: updates there change only .status; updates to the resource keep the old .status. */
  status?: boolean;
  /** /scale (autoscaling/v1 Scale), with JSON paths as CRDs declare them. */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
}

export const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
export type Verb = (typeof VERBS)[number];

export function apiVersionOf(r: Pick<ResourceDef, 'group' | 'version'>): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** Age column as kubectl expects it: the creation timestamp, formatted by the client. */
export const AGE: PrinterColumn = {
  name: 'Age', type: 'string', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  value: (o) => age(o.metadata.creationTimestamp),
};

/** Upstream's translateTimestampSince: 5s, 7m, 3h, 2d ... */
export function age(ts: string | undefined): string {
  if (!ts) return '<unknown>';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return `${d}d${h % 24 ? `${h % 24}h` : ''}`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

/** Name rules live with the other apimachinery checks. */
export { validateName } from './validation.js';
