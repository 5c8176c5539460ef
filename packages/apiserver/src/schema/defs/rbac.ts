// Schemas: rbac.authorization.k8s.io/v1, as upstream's k8s.io/api/rbac/v1 types.go and generated.proto.
import { type GVK, type ObjectType, META, S, list, listType, obj, ref, str, struct, topLevel } from '../dsl.js';

const N = 'io.k8s.api.rbac.v1';
const gvk = (kind: string): GVK => ({ group: 'rbac.authorization.k8s.io', version: 'v1', kind });

export const types: ObjectType[] = [
  struct(`${N}.PolicyRule`, 'PolicyRule describes a set of actions (verbs on resources or non-resource URLs) a rule allows.', {
    verbs: list(S.string, 1, 'verbs lists the verbs this rule applies to; "*" means all.', { required: true, listType: 'atomic' }),
    apiGroups: list(S.string, 2, 'apiGroups lists the API groups of the resources; "" is the core group and "*" all groups.', { listType: 'atomic' }),
    resources: list(S.string, 3, 'resources lists the resources this rule applies to; "*" means all.', { listType: 'atomic' }),
    resourceNames: list(S.string, 4, 'resourceNames optionally restricts the rule to these object names.', { listType: 'atomic' }),
    nonResourceURLs: list(S.string, 5, 'nonResourceURLs lists partial URLs (a trailing "*" is a prefix match); only in ClusterRoles.', { listType: 'atomic' }),
  }),
  struct(`${N}.Subject`, 'Subject references the object or user identities a role binding applies to.', {
    kind: str(1, 'kind of the subject: "User", "Group" or "ServiceAccount".', { required: true }),
    apiGroup: str(2, 'apiGroup of the subject: "" for ServiceAccount, "rbac.authorization.k8s.io" for User and Group.'),
    name: str(3, 'name of the object being referenced.', { required: true }),
    namespace: str(4, 'namespace of the referenced object; required for ServiceAccount in cluster role bindings.'),
  }, { mapType: 'atomic' }),
  struct(`${N}.RoleRef`, 'RoleRef points to the role being bound.', {
    apiGroup: str(1, 'apiGroup is the group of the referenced role.', { required: true }),
    kind: str(2, 'kind is the type of the referenced role: Role or ClusterRole.', { required: true }),
    name: str(3, 'name is the name of the referenced role.', { required: true }),
  }, { mapType: 'atomic' }),
  struct(`${N}.AggregationRule`, 'AggregationRule describes how to locate ClusterRoles to aggregate into a ClusterRole.', {
    clusterRoleSelectors: list(ref(META.labelSelector), 1, 'clusterRoleSelectors select the ClusterRoles whose rules are aggregated; matches are ORed.', { listType: 'atomic' }),
  }),

  topLevel(`${N}.Role`, gvk('Role'), 'Role is a namespaced set of PolicyRules that a RoleBinding can reference as a unit.', {
    rules: list(ref(`${N}.PolicyRule`), 2, 'rules holds all the PolicyRules for this Role.', { listType: 'atomic' }),
  }),
  listType(`${N}.Role`, gvk('Role'), 'RoleList is a collection of Roles.'),
  topLevel(`${N}.ClusterRole`, gvk('ClusterRole'), 'ClusterRole is a cluster-level set of PolicyRules that a RoleBinding or ClusterRoleBinding can reference as a unit.', {
    rules: list(ref(`${N}.PolicyRule`), 2, 'rules holds all the PolicyRules for this ClusterRole.', { listType: 'atomic' }),
    aggregationRule: obj(`${N}.AggregationRule`, 3, 'aggregationRule, if set, makes the controller manage rules from the selected ClusterRoles.'),
  }),
  listType(`${N}.ClusterRole`, gvk('ClusterRole'), 'ClusterRoleList is a collection of ClusterRoles.'),
  topLevel(`${N}.RoleBinding`, gvk('RoleBinding'), 'RoleBinding grants the permissions of a Role or ClusterRole to subjects within a namespace.', {
    subjects: list(ref(`${N}.Subject`), 2, 'subjects holds references to the objects the role applies to.', { listType: 'atomic' }),
    roleRef: obj(`${N}.RoleRef`, 3, 'roleRef references a Role in this namespace or a ClusterRole; immutable.', { required: true }),
  }),
  listType(`${N}.RoleBinding`, gvk('RoleBinding'), 'RoleBindingList is a collection of RoleBindings.'),
  topLevel(`${N}.ClusterRoleBinding`, gvk('ClusterRoleBinding'), 'ClusterRoleBinding grants the permissions of a ClusterRole to subjects cluster-wide.', {
    subjects: list(ref(`${N}.Subject`), 2, 'subjects holds references to the objects the role applies to.', { listType: 'atomic' }),
    roleRef: obj(`${N}.RoleRef`, 3, 'roleRef references a ClusterRole; immutable.', { required: true }),
  }),
  listType(`${N}.ClusterRoleBinding`, gvk('ClusterRoleBinding'), 'ClusterRoleBindingList is a collection of ClusterRoleBindings.'),
];
