// The server's resources as legacy discovery (/api, /apis) reports them: group, version, plural,
// kind, scope and verbs, for the controllers that act on "every resource" (namespace deletion,
// garbage collection). Like client-go's ServerPreferredResources, a group whose versions cannot
// be read is reported in the error while the rest is still returned, so callers can carry on.
import type { ResourceType } from '@kube-ts/client/resources';
import type { RestClient } from '@kube-ts/client/rest';
import type { Clock } from '@kube-ts/client/clock';

export interface ApiResource extends ResourceType {
  verbs: string[];
}

interface APIResourceListDoc {
  groupVersion?: string;
  resources?: Array<{ name: string; namespaced?: boolean; kind: string; verbs?: string[] }>;
}

interface APIGroupListDoc {
  groups?: Array<{ name: string; versions?: Array<{ groupVersion: string; version: string }>; preferredVersion?: { groupVersion: string; version: string } }>;
}

/** client-go's ErrGroupDiscoveryFailed: some group versions could not be read. */
export class GroupDiscoveryFailedError extends Error {
  constructor(readonly groups: Map<string, string>) {
    super(`unable to retrieve the complete list of server APIs: ${[...groups].sort(([a], [b]) => a.localeCompare(b)).map(([gv, e]) => `${gv}: ${e}`).join(', ')}`);
    this.name = 'GroupDiscoveryFailedError';
  }
}

export interface DiscoveryResult {
  /** Every served group version's top-level resources (subresources left out). */
  all: ApiResource[];
  /** One entry per group and resource: the preferred version, else the first version serving it. */
  preferred: ApiResource[];
  /** Set when some groups could not be read; `all`/`preferred` then hold what could. */
  error?: Error;
}

export function supportsAllVerbs(r: ApiResource, verbs: readonly string[]): boolean {
  return verbs.every((v) => r.verbs.includes(v));
}

export function apiVersionOfResource(r: ResourceType): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** "apps/v1" -> {group: 'apps', version: 'v1'}; "v1" -> core. Throws on malformed values (upstream's ParseGroupVersion). */
export function parseGroupVersion(gv: string): { group: string; version: string } {
  if (gv === '' || gv === '/') return { group: '', version: '' };
  const parts = gv.split('/');
  if (parts.length === 1) return { group: '', version: parts[0]! };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  throw new Error(`unexpected GroupVersion string: ${gv}`);
}

function toResources(doc: APIResourceListDoc, group: string, version: string): ApiResource[] {
  return (doc.resources ?? [])
    .filter((r) => !r.name.includes('/'))
    .map((r) => ({ group, version, plural: r.name, kind: r.kind, namespaced: r.namespaced === true, verbs: r.verbs ?? [] }));
}

/** Reads /api and /apis (and each group version) once. */
export async function discoverResources(rest: RestClient): Promise<DiscoveryResult> {
  const all: ApiResource[] = [];
  const preferred: ApiResource[] = [];
  const failed = new Map<string, string>();
  const addGroup = (lists: ApiResource[][]): void => {
    const seen = new Set<string>();
    for (const list of lists) {
      for (const r of list) {
        all.push(r);
        if (seen.has(r.plural)) continue;
        seen.add(r.plural);
        preferred.push(r);
      }
    }
  };
  const core = await rest.request<{ versions?: string[] }>({ path: '/api' });
  const coreLists: ApiResource[][] = [];
  for (const v of core.versions ?? []) {
    try { coreLists.push(toResources(await rest.request<APIResourceListDoc>({ path: `/api/${v}` }), '', v)); } catch (e) { failed.set(v, (e as Error).message); }
  }
  addGroup(coreLists);
  const groups = await rest.request<APIGroupListDoc>({ path: '/apis' });
  await Promise.all((groups.groups ?? []).map(async (g) => {
    const versions = [...(g.versions ?? [])];
    // The preferred version first, so its resources win in `preferred`.
    versions.sort((a, b) => Number(b.version === g.preferredVersion?.version) - Number(a.version === g.preferredVersion?.version));
    const lists: ApiResource[][] = [];
    for (const v of versions) {
      try { lists.push(toResources(await rest.request<APIResourceListDoc>({ path: `/apis/${v.groupVersion}` }), g.name, v.version)); } catch (e) { failed.set(v.groupVersion, (e as Error).message); }
    }
    addGroup(lists);
  }));
  return { all, preferred, ...(failed.size ? { error: new GroupDiscoveryFailedError(failed) } : {}) };
}

/**
 * A discovery snapshot re-read when older than `maxAgeMs` (or on demand): controllers ask it for
 * the resource behind an apiVersion/kind (a REST mapper) and for the resources to act on.
 */
export class ResourceDiscovery {
  private last: { at: number; result: DiscoveryResult } | undefined;
  private inflight: Promise<DiscoveryResult> | undefined;

  constructor(private readonly rest: RestClient, private readonly clock: Clock, private readonly maxAgeMs = 30_000) {}

  /** The cached result if fresh enough, else a new read (concurrent callers share one). */
  async get(maxAgeMs = this.maxAgeMs): Promise<DiscoveryResult> {
    if (this.last && this.clock.now() - this.last.at < maxAgeMs) return this.last.result;
    return this.refresh();
  }

  refresh(): Promise<DiscoveryResult> {
    this.inflight ??= discoverResources(this.rest).then((result) => {
      this.last = { at: this.clock.now(), result };
      return result;
    }).finally(() => { this.inflight = undefined; });
    return this.inflight;
  }

  /** The last result read, if any. */
  cached(): DiscoveryResult | undefined { return this.last?.result; }

  /** The resource serving `kind` in `apiVersion`, from the last result (refreshing if none). */
  async resourceFor(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    const { group, version } = parseGroupVersion(apiVersion);
    const find = (d: DiscoveryResult): ApiResource | undefined => d.all.find((r) => r.group === group && r.version === version && r.kind === kind);
    const hit = find(await this.get(Number.POSITIVE_INFINITY));
    if (hit) return hit;
    // Unknown kinds may be new (a CRD): look again, at most once per maxAge.
    return find(await this.get());
  }
}
