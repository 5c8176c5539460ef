// The set of resources served, indexed for routing; CRDs will add and remove entries at runtime.
import type { ResourceDef } from '../registry/resource.js';
import type { Target } from './context.js';

export class ResourceSet {
  private readonly byGV = new Map<string, Map<string, ResourceDef>>();
  private list: ResourceDef[] = [];
  /** Bumped on every change, so derived documents (discovery, OpenAPI) know to rebuild. */
  generation = 0;

  constructor(defs: Iterable<ResourceDef>) {
    for (const d of defs) this.add(d);
  }

  add(d: ResourceDef): void {
    const gv = `${d.group}/${d.version}`;
    if (!this.byGV.has(gv)) this.byGV.set(gv, new Map());
    this.byGV.get(gv)!.set(d.plural, d);
    this.list = [...this.list.filter((x) => !(x.group === d.group && x.version === d.version && x.plural === d.plural)), d];
    this.generation++;
  }

  all(): readonly ResourceDef[] {
    return this.list;
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.byGV.has(`${group}/${version}`);
  }

  get(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.byGV.get(`${group}/${version}`)?.get(plural);
  }

  /** Core namespaces, which scope every namespaced resource. */
  get namespaces(): ResourceDef {
    return this.get('', 'v1', 'namespaces')!;
  }

  /** /namespaces/{ns}/{plural}/{name}/{sub} and /{plural}/{name}/{sub}, resolved to a resource. */
  resolve(group: string, version: string, segs: string[]): Target | undefined {
    const resources = this.byGV.get(`${group}/${version}`);
    if (!resources) return undefined;
    // /api/v1/namespaces/{name}/status|finalize are the namespace's own subresources.
    const nsSub = group === '' && segs[0] === 'namespaces' && segs.length === 3 && ['status', 'finalize'].includes(segs[2]!);
    if (segs[0] === 'namespaces' && segs.length >= 3 && !nsSub) {
      const def = resources.get(segs[2]!);
      if (!def || !def.namespaced || segs.length > 5) return undefined;
      const t: Target = { def, namespace: segs[1]! };
      if (segs[3] !== undefined) t.name = segs[3];
      if (segs[4] !== undefined) t.subresource = segs[4];
      return t;
    }
    const def = resources.get(segs[0]!);
    if (!def || segs.length > 3) return undefined;
    if (def.namespaced && segs.length > 1) return undefined;
    const t: Target = { def };
    if (segs[1] !== undefined) t.name = segs[1];
    if (segs[2] !== undefined) t.subresource = segs[2];
    return t;
  }
}
