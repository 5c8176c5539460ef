// meta.k8s.io/v1 Table output (what `kubectl get` asks for), from a resource's printer columns.
import type { KubeObject } from '../api/types.js';
import type { ResourceDef } from '../registry/resource.js';

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && accept.split(',').some((p) => p.replace(/\s+/g, '').includes('as=Table') && p.includes('g=meta.k8s.io'));
}

export function table(def: ResourceDef, objects: readonly KubeObject[], listMeta: Record<string, unknown>, includeObject: string | undefined): Record<string, unknown> {
  const columnDefinitions = [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.', priority: 0 },
    ...def.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority ?? 0 })),
  ];
  const rows = objects.map((o) => {
    const row: Record<string, unknown> = { cells: [o.metadata.name ?? '', ...def.columns.map((c) => c.value(o))] };
    if (includeObject === 'Object') row.object = o;
    else if (includeObject !== 'None') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
    return row;
  });
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, columnDefinitions, rows };
}
