// Resource declarations: rbac.authorization.k8s.io/v1 roles, clusterroles, rolebindings,
// clusterrolebindings. Stored only: nothing enforces them yet. Defaults as upstream's
// pkg/apis/rbac/v1/defaults.go, validation as pkg/apis/rbac/validation, columns as the printers.
//
// Upstream validates these names with path.IsValidPathSegmentName (so "system:controller:x" is
// allowed); resource.ts has no such NameRule yet, so 'subdomain' stands in until it does.
import type { KubeObject, StatusCause } from '../api/types.js';
import { AGE, type PrinterColumn, type ResourceDef, validateName } from './resource.js';
import { type Obj, arr, get, isObj, str, strs } from './networking.js';
import { fieldErr, pathSegmentName } from './validation.js';

const GROUP = 'rbac.authorization.k8s.io';

function validatePolicyRule(r: Obj, namespaced: boolean, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (strs(r.verbs).length === 0) out.push(fieldErr.required(`${path}.verbs`, 'verbs must contain at least one value'));
  const urls = strs(r.nonResourceURLs);
  if (urls.length > 0) {
    if (namespaced) out.push(fieldErr.invalid(`${path}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (strs(r.apiGroups).length || strs(r.resources).length || strs(r.resourceNames).length) {
      out.push(fieldErr.invalid(`${path}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return out;
  }
  if (strs(r.apiGroups).length === 0) out.push(fieldErr.required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (strs(r.resources).length === 0) out.push(fieldErr.required(`${path}.resources`, 'resource rules must supply at least one resource'));
  return out;
}

const validateRules = (namespaced: boolean) => (o: KubeObject): StatusCause[] =>
  arr(o.rules).flatMap((r, i) => validatePolicyRule(r, namespaced, `rules[${i}]`));

function validateSubject(s: Obj, namespaced: boolean, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  const name = str(s.name);
  const apiGroup = str(s.apiGroup);
  if (!name) out.push(fieldErr.required(`${path}.name`));
  switch (s.kind) {
    case 'ServiceAccount':
      if (name) for (const m of validateName('subdomain', name)) out.push(fieldErr.invalid(`${path}.name`, name, m));
      if (apiGroup) out.push(fieldErr.notSupported(`${path}.apiGroup`, apiGroup, ['']));
      if (!namespaced && !str(s.namespace)) out.push(fieldErr.required(`${path}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== GROUP) out.push(fieldErr.notSupported(`${path}.apiGroup`, apiGroup, [GROUP]));
      break;
    default:
      out.push(fieldErr.notSupported(`${path}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return out;
}

/** A RoleRef as upstream's %#v prints it in the "cannot change roleRef" message. */
const goRoleRef = (r: unknown): string =>
  `rbac.RoleRef{APIGroup:${JSON.stringify(str(get(r, 'apiGroup')))}, Kind:${JSON.stringify(str(get(r, 'kind')))}, Name:${JSON.stringify(str(get(r, 'name')))}}`;

const validateBinding = (namespaced: boolean) => (o: KubeObject, old?: KubeObject): StatusCause[] => {
  const out: StatusCause[] = [];
  const ref = isObj(o.roleRef) ? o.roleRef : {};
  if (ref.apiGroup !== GROUP) out.push(fieldErr.notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(str(ref.kind))) out.push(fieldErr.notSupported('roleRef.kind', ref.kind ?? '', kinds));
  const name = str(ref.name);
  if (!name) out.push(fieldErr.required('roleRef.name'));
  else for (const m of pathSegmentName(name)) out.push(fieldErr.invalid('roleRef.name', name, m));
  arr(o.subjects).forEach((s, i) => out.push(...validateSubject(s, namespaced, `subjects[${i}]`)));
  if (old) {
    const before = isObj(old.roleRef) ? old.roleRef : {};
    if (['apiGroup', 'kind', 'name'].some((k) => str(before[k]) !== str(ref[k]))) {
      out.push(fieldErr.invalid('roleRef', ref, 'cannot change roleRef', goRoleRef(ref)));
    }
  }
  return out;
};

/** Upstream's SetDefaults_RoleBinding/ClusterRoleBinding and SetDefaults_Subject. */
function defaultBinding(o: KubeObject): void {
  const ref = (o.roleRef ??= {}) as Obj;
  if (!str(ref.apiGroup)) ref.apiGroup = GROUP;
  for (const s of arr(o.subjects)) {
    if (str(s.apiGroup)) continue;
    if (s.kind === 'ServiceAccount') s.apiGroup = '';
    else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = GROUP;
  }
}

/** Upstream's rbac.SubjectsStrings, joined as the printer does. */
function subjects(o: KubeObject, kind: string): string {
  return arr(o.subjects).filter((s) => s.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${str(s.namespace)}/${str(s.name)}` : str(s.name))).join(', ');
}

const createdAt: PrinterColumn = {
  name: 'Created At', type: 'date', description: AGE.description,
  // RFC 3339 in UTC without fractional seconds, as Go's time.RFC3339 formats it.
  value: (o) => (o.metadata.creationTimestamp ? new Date(o.metadata.creationTimestamp).toISOString().replace(/\.\d+Z$/, 'Z') : '<unknown>'),
};

function bindingColumns(what: string): PrinterColumn[] {
  return [
    { name: 'Role', type: 'string', description: 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.', value: (o) => `${str(get(o, 'roleRef', 'kind'))}/${str(get(o, 'roleRef', 'name'))}` },
    AGE,
    { name: 'Users', type: 'string', priority: 1, description: `Users in the ${what}`, value: (o) => subjects(o, 'User') },
    { name: 'Groups', type: 'string', priority: 1, description: `Groups in the ${what}`, value: (o) => subjects(o, 'Group') },
    { name: 'ServiceAccounts', type: 'string', priority: 1, description: `ServiceAccounts in the ${what}`, value: (o) => subjects(o, 'ServiceAccount') },
  ];
}

function rbac(p: Pick<ResourceDef, 'kind' | 'plural' | 'singular' | 'namespaced' | 'columns'> & Partial<ResourceDef>): ResourceDef {
  return {
    group: GROUP, version: 'v1', shortNames: [], categories: [], nameRule: 'path', storagePath: p.plural,
    schema: `io.k8s.api.rbac.v1.${p.kind}`, hasSpec: false, ...p,
  };
}

export const resources: ResourceDef[] = [
  rbac({ kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', singular: 'clusterrolebinding', namespaced: false, columns: bindingColumns('clusterRoleBinding'), defaults: defaultBinding, validate: validateBinding(false) }),
  rbac({
    kind: 'ClusterRole', plural: 'clusterroles', singular: 'clusterrole', namespaced: false, columns: [createdAt],
    validate: (o) => {
      const out = validateRules(false)(o);
      if (isObj(o.aggregationRule) && arr(o.aggregationRule.clusterRoleSelectors).length === 0) {
        out.push(fieldErr.required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
      }
      return out;
    },
  }),
  rbac({ kind: 'RoleBinding', plural: 'rolebindings', singular: 'rolebinding', namespaced: true, columns: bindingColumns('roleBinding'), defaults: defaultBinding, validate: validateBinding(true) }),
  rbac({ kind: 'Role', plural: 'roles', singular: 'role', namespaced: true, columns: [createdAt], validate: validateRules(true) }),
];
