// Schemas: authorization.k8s.io/v1 access and rules reviews, as upstream's
// k8s.io/api/authorization/v1 types.go and generated.proto.
import { type GVK, type ObjectType, S, bool, list, map, obj, ref, str, struct, topLevel } from '../dsl.js';

const N = 'io.k8s.api.authorization.v1';
const META_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const gvk = (kind: string): GVK => ({ group: 'authorization.k8s.io', version: 'v1', kind });
const SAR_STATUS = obj(`${N}.SubjectAccessReviewStatus`, 3, 'status is filled in by the server and says whether the request is allowed.', { readOnly: true });

export const types: ObjectType[] = [
  topLevel(`${N}.SubjectAccessReview`, gvk('SubjectAccessReview'), 'SubjectAccessReview checks whether or not a user or group can perform an action.', {
    spec: obj(`${N}.SubjectAccessReviewSpec`, 2, 'spec holds information about the request being evaluated.', { required: true }),
    status: SAR_STATUS,
  }),
  topLevel(`${N}.SelfSubjectAccessReview`, gvk('SelfSubjectAccessReview'), 'SelfSubjectAccessReview checks whether the current user can perform an action.', {
    spec: obj(`${N}.SelfSubjectAccessReviewSpec`, 2, 'spec holds information about the request being evaluated.', { required: true }),
    status: SAR_STATUS,
  }),
  topLevel(`${N}.LocalSubjectAccessReview`, gvk('LocalSubjectAccessReview'), 'LocalSubjectAccessReview checks whether a user or group can perform an action in a given namespace.', {
    spec: obj(`${N}.SubjectAccessReviewSpec`, 2, 'spec holds information about the request; its namespace must match the object namespace.', { required: true }),
    status: SAR_STATUS,
  }),
  struct(`${N}.SubjectAccessReviewSpec`, 'SubjectAccessReviewSpec describes the access request; exactly one of resourceAttributes and nonResourceAttributes is set.', {
    resourceAttributes: obj(`${N}.ResourceAttributes`, 1, 'resourceAttributes describes a resource access request.'),
    nonResourceAttributes: obj(`${N}.NonResourceAttributes`, 2, 'nonResourceAttributes describes a non-resource access request.'),
    user: str(3, 'user is the user to test for; user or groups is required.'),
    groups: list(S.string, 4, 'groups are the groups to test for.', { listType: 'atomic' }),
    extra: map(ref(`${N}.ExtraValue`), 5, 'extra corresponds to the user.Info.GetExtra() method from the authenticator.'),
    uid: str(6, 'uid of the requesting user.'),
  }),
  struct(`${N}.ExtraValue`, 'ExtraValue masks the value so protobuf can generate a message for it.', {}, { protoList: S.string }),
  struct(`${N}.SelfSubjectAccessReviewSpec`, 'SelfSubjectAccessReviewSpec describes the access request; exactly one of resourceAttributes and nonResourceAttributes is set.', {
    resourceAttributes: obj(`${N}.ResourceAttributes`, 1, 'resourceAttributes describes a resource access request.'),
    nonResourceAttributes: obj(`${N}.NonResourceAttributes`, 2, 'nonResourceAttributes describes a non-resource access request.'),
  }),
  struct(`${N}.ResourceAttributes`, 'ResourceAttributes are the authorization attributes of a resource request.', {
    namespace: str(1, 'namespace of the action; "" means all namespaces for namespaced resources and none for cluster-scoped ones.'),
    verb: str(2, 'verb is a resource API verb, like get, list, watch, create, update, delete, proxy; "*" means all.'),
    group: str(3, 'group is the API group of the resource; "*" means all.'),
    version: str(4, 'version is the API version of the resource; "*" means all.'),
    resource: str(5, 'resource is one of the existing resource types; "*" means all.'),
    subresource: str(6, 'subresource is one of the existing subresources; "" means none.'),
    name: str(7, 'name of the resource requested for a get, or deleted for a delete; "" means all.'),
    fieldSelector: obj(`${N}.FieldSelectorAttributes`, 8, 'fieldSelector limits the access by field.'),
    labelSelector: obj(`${N}.LabelSelectorAttributes`, 9, 'labelSelector limits the access by labels.'),
  }),
  struct(`${N}.FieldSelectorAttributes`, 'FieldSelectorAttributes describes an access limited by fields.', {
    rawSelector: str(1, 'rawSelector is the field selector as it would appear in a query parameter.'),
    requirements: list(ref(`${META_V1}.FieldSelectorRequirement`), 2, 'requirements is the parsed form of the field selector.', { listType: 'atomic' }),
  }),
  struct(`${N}.LabelSelectorAttributes`, 'LabelSelectorAttributes describes an access limited by labels.', {
    rawSelector: str(1, 'rawSelector is the label selector as it would appear in a query parameter.'),
    requirements: list(ref(`${META_V1}.LabelSelectorRequirement`), 2, 'requirements is the parsed form of the label selector.', { listType: 'atomic' }),
  }),
  struct(`${N}.NonResourceAttributes`, 'NonResourceAttributes are the authorization attributes of a non-resource request.', {
    path: str(1, 'path is the URL path of the request.'),
    verb: str(2, 'verb is the standard HTTP verb.'),
  }),
  struct(`${N}.SubjectAccessReviewStatus`, 'SubjectAccessReviewStatus is the result of an access review.', {
    allowed: bool(1, 'allowed says the action would be allowed.', { required: true }),
    denied: bool(4, 'denied says the action would be denied, even if another authorizer allows it.'),
    reason: str(2, 'reason says why the request was allowed or denied.'),
    evaluationError: str(3, 'evaluationError reports an error during the authorization check, alongside the decision.'),
  }),

  topLevel(`${N}.SelfSubjectRulesReview`, gvk('SelfSubjectRulesReview'), 'SelfSubjectRulesReview enumerates the actions the current user can perform within a namespace.', {
    spec: obj(`${N}.SelfSubjectRulesReviewSpec`, 2, 'spec holds information about the request being evaluated.', { required: true }),
    status: obj(`${N}.SubjectRulesReviewStatus`, 3, 'status is filled in by the server with the actions the user can perform.', { readOnly: true }),
  }),
  struct(`${N}.SelfSubjectRulesReviewSpec`, 'SelfSubjectRulesReviewSpec defines the specification for SelfSubjectRulesReview.', {
    namespace: str(1, 'namespace to evaluate rules for.'),
  }),
  struct(`${N}.SubjectRulesReviewStatus`, 'SubjectRulesReviewStatus contains the result of a rules check; it may be incomplete.', {
    resourceRules: list(ref(`${N}.ResourceRule`), 1, 'resourceRules lists the actions the subject may perform on resources.', { required: true, listType: 'atomic' }),
    nonResourceRules: list(ref(`${N}.NonResourceRule`), 2, 'nonResourceRules lists the actions the subject may perform on non-resource URLs.', { required: true, listType: 'atomic' }),
    incomplete: bool(3, 'incomplete says the rules are incomplete, e.g. with an authorizer that cannot enumerate rules.', { required: true }),
    evaluationError: str(4, 'evaluationError reports an error while evaluating the rules.'),
  }),
  struct(`${N}.ResourceRule`, 'ResourceRule lists the actions the subject may perform on resources.', {
    verbs: list(S.string, 1, 'verbs lists the resource API verbs; "*" means all.', { required: true, listType: 'atomic' }),
    apiGroups: list(S.string, 2, 'apiGroups lists the API groups of the resources; "*" means all.', { listType: 'atomic' }),
    resources: list(S.string, 3, 'resources lists the resources; "*" means all.', { listType: 'atomic' }),
    resourceNames: list(S.string, 4, 'resourceNames optionally restricts the rule to these names; "*" means all.', { listType: 'atomic' }),
  }),
  struct(`${N}.NonResourceRule`, 'NonResourceRule lists the actions the subject may perform on non-resource URLs.', {
    verbs: list(S.string, 1, 'verbs lists the non-resource API verbs, like get, post, put; "*" means all.', { required: true, listType: 'atomic' }),
    nonResourceURLs: list(S.string, 2, 'nonResourceURLs lists partial URLs; a trailing "*" is a prefix match.', { listType: 'atomic' }),
  }),
];
