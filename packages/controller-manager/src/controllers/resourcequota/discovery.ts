// Maps API names to resource types: the well-known ones from the client's table, anything else
// through discovery (what a RESTMapper does), cached per process.
import { R, type ResourceType } from '@kube-ts/client/resources';
import type { RestClient } from '@kube-ts/client/rest';

interface APIResource { name: string; kind: string; namespaced: boolean; verbs?: string[] }
interface APIResourceList { resources?: APIResource[] }
interface APIGroup { name: string; versions: Array<{ version: string }>; preferredVersion?: { version: string } }

const KNOWN: ResourceType[] = Object.values(R);

export class ResourceMapper {
  private readonly groups = new Map<string, Promise<string[]>>();
  private readonly lists = new Map<string, Promise<APIResource[]>>();
  constructor(private readonly rest: RestClient) {}

  private versionsOf(group: string): Promise<string[]> {
    let p = this.groups.get(group);
    if (!p) {
      p = group === ''
        ? Promise.resolve(['v1'])
        : this.rest.request<APIGroup>({ path: `/apis/${group}` }).then((g) => {
          const pref = g.preferredVersion?.version;
          return [...(pref ? [pref] : []), ...g.versions.map((v) => v.version).filter((v) => v !== pref)];
        });
      p.catch(() => this.groups.delete(group));
      this.groups.set(group, p);
    }
    return p;
  }

  private resourcesOf(group: string, version: string): Promise<APIResource[]> {
    const key = `${group}/${version}`;
    let p = this.lists.get(key);
    if (!p) {
      p = this.rest.request<APIResourceList>({ path: group ? `/apis/${group}/${version}` : `/api/${version}` }).then((l) => l.resources ?? []);
      p.catch(() => this.lists.delete(key));
      this.lists.set(key, p);
    }
    return p;
  }

  /** The type of `plural` in `group` (preferred version), or undefined when the server has none. */
  async byResource(group: string, plural: string): Promise<ResourceType | undefined> {
    const known = KNOWN.find((t) => t.group === group && t.plural === plural);
    if (known) return known;
    try {
      for (const v of await this.versionsOf(group)) {
        const r = (await this.resourcesOf(group, v)).find((x) => x.name === plural);
        if (r) return { group, version: v, plural, kind: r.kind, namespaced: r.namespaced };
      }
    } catch { /* not served */ }
    return undefined;
  }

  /** RESTMappings for a group and kind (the preferred version first); throws like upstream's NoKindMatchError. */
  async byKind(group: string, version: string, kind: string): Promise<ResourceType> {
    const known = KNOWN.find((t) => t.group === group && t.kind === kind && (!version || t.version === version));
    if (known) return known;
    try {
      const versions = await this.versionsOf(group);
      for (const v of version && versions.includes(version) ? [version, ...versions.filter((x) => x !== version)] : versions) {
        const r = (await this.resourcesOf(group, v)).find((x) => x.kind === kind && !x.name.includes('/'));
        if (r) return { group, version: v, plural: r.name, kind, namespaced: r.namespaced };
      }
    } catch { /* fall through */ }
    throw new Error(`no matches for kind "${kind}" in group "${group}"`);
  }
}
