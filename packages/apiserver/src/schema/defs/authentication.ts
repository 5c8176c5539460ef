// Schemas: authentication.k8s.io/v1 TokenReview, SelfSubjectReview, TokenRequest (served as
// serviceaccounts/token), as upstream's k8s.io/api/authentication/v1 types.go and generated.proto.
import { type GVK, type ObjectType, S, bool, i64, list, map, obj, ref, str, struct, time, topLevel } from '../dsl.js';

const N = 'io.k8s.api.authentication.v1';
const gvk = (kind: string): GVK => ({ group: 'authentication.k8s.io', version: 'v1', kind });

export const types: ObjectType[] = [
  topLevel(`${N}.TokenReview`, gvk('TokenReview'), 'TokenReview attempts to authenticate a token to a known user.', {
    spec: obj(`${N}.TokenReviewSpec`, 2, 'spec holds information about the request being evaluated.', { required: true }),
    status: obj(`${N}.TokenReviewStatus`, 3, 'status is filled in by the server and says whether the request can be authenticated.', { readOnly: true }),
  }),
  struct(`${N}.TokenReviewSpec`, 'TokenReviewSpec is a description of the token authentication request.', {
    token: str(1, 'token is the opaque bearer token.'),
    audiences: list(S.string, 2, 'audiences lists identifiers the resource server presented with the token identifies as.', { listType: 'atomic' }),
  }),
  struct(`${N}.TokenReviewStatus`, 'TokenReviewStatus is the result of the token authentication request.', {
    authenticated: bool(1, 'authenticated says the token was associated with a known user.'),
    user: obj(`${N}.UserInfo`, 2, 'user is the UserInfo associated with the provided token.'),
    audiences: list(S.string, 4, 'audiences are the audience identifiers chosen by the authenticator that are compatible with the token.', { listType: 'atomic' }),
    error: str(3, 'error says the token could not be checked.'),
  }),
  struct(`${N}.UserInfo`, 'UserInfo holds the information about the user needed to implement the user.Info interface.', {
    username: str(1, 'username uniquely identifies this user among all active users.'),
    uid: str(2, 'uid identifies this user across time.'),
    groups: list(S.string, 3, 'groups are the names of groups this user is a part of.', { listType: 'atomic' }),
    extra: map(ref(`${N}.ExtraValue`), 4, 'extra is any additional information provided by the authenticator.'),
  }),
  struct(`${N}.ExtraValue`, 'ExtraValue masks the value so protobuf can generate a message for it.', {}, { protoList: S.string }),

  topLevel(`${N}.SelfSubjectReview`, gvk('SelfSubjectReview'), 'SelfSubjectReview returns the user information the kube-apiserver has about the user making this request.', {
    status: obj(`${N}.SelfSubjectReviewStatus`, 2, 'status is filled in by the server with the user attributes.', { readOnly: true }),
  }),
  struct(`${N}.SelfSubjectReviewStatus`, 'SelfSubjectReviewStatus is filled by the kube-apiserver and sent back to a user.', {
    userInfo: obj(`${N}.UserInfo`, 1, 'userInfo is the set of attributes belonging to the user making this request.'),
  }),

  topLevel(`${N}.TokenRequest`, gvk('TokenRequest'), 'TokenRequest requests a token for a given service account.', {
    spec: obj(`${N}.TokenRequestSpec`, 2, 'spec holds information about the request being evaluated.', { required: true }),
    status: obj(`${N}.TokenRequestStatus`, 3, 'status is filled in by the server and holds the issued token.', { readOnly: true }),
  }),
  struct(`${N}.TokenRequestSpec`, 'TokenRequestSpec contains client provided parameters of a token request.', {
    audiences: list(S.string, 1, 'audiences are the intended audiences of the token; empty means the API server audiences.', { required: true, listType: 'atomic' }),
    expirationSeconds: i64(4, 'expirationSeconds is the requested validity of the token; the server may shorten it.'),
    boundObjectRef: obj(`${N}.BoundObjectReference`, 3, 'boundObjectRef is an object the token is bound to; the token is invalid once it is deleted.'),
  }),
  struct(`${N}.TokenRequestStatus`, 'TokenRequestStatus is the result of a token request.', {
    token: str(1, 'token is the opaque bearer token.', { required: true }),
    expirationTimestamp: time(2, 'expirationTimestamp is when the returned token expires.', { required: true }),
  }),
  struct(`${N}.BoundObjectReference`, 'BoundObjectReference is a reference to an object that a token is bound to.', {
    kind: str(1, 'kind of the referent: Pod, Secret or Node.'),
    apiVersion: str(2, 'apiVersion of the referent.'),
    name: str(3, 'name of the referent.'),
    uid: str(4, 'uid of the referent.'),
  }),
];
