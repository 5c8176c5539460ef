// Resource declarations: authentication.k8s.io/v1 tokenreviews and selfsubjectreviews. Both are
// create-only and answered, not stored (upstream's pkg/registry/authentication/*).
import { Errors } from '../api/errors.js';
import type { JsonObject, KubeObject, UserInfo } from '../api/types.js';
import type { ResourceDef, RequestContext } from './resource.js';
import { get, str } from './networking.js';

/** UserInfo in its authentication.k8s.io/v1 JSON form (empty fields omitted, as upstream's omitempty). */
export function userInfoJSON(u: UserInfo): JsonObject {
  const out: JsonObject = { username: u.username };
  if (u.uid) out.uid = u.uid;
  if (u.groups.length) out.groups = [...u.groups];
  if (u.extra && Object.keys(u.extra).length) out.extra = Object.fromEntries(Object.entries(u.extra).map(([k, v]) => [k, [...v]]));
  return out;
}

function review(p: Pick<ResourceDef, 'kind' | 'plural' | 'singular' | 'compute'>): ResourceDef {
  return {
    group: 'authentication.k8s.io', version: 'v1', shortNames: [], categories: [], namespaced: false, nameRule: 'subdomain',
    storagePath: p.plural, columns: [], schema: `io.k8s.api.authentication.v1.${p.kind}`, hasSpec: false, verbs: ['create'], ...p,
  };
}

export const resources: ResourceDef[] = [
  review({
    kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', singular: 'selfsubjectreview',
    compute: (o: KubeObject, ctx: RequestContext): KubeObject => ({ ...o, status: { userInfo: userInfoJSON(ctx.user) } }),
  }),
  review({
    kind: 'TokenReview', plural: 'tokenreviews', singular: 'tokenreview',
    compute: (o: KubeObject): KubeObject => {
      if (!str(get(o, 'spec', 'token'))) throw Errors.badRequest('token is required for TokenReview in authentication');
      // No token authenticator exists yet (client certificates are the only credentials the
      // server checks), so every token is answered as not authenticated.
      return { ...o, status: { authenticated: false, user: {}, error: 'no token authenticator is configured' } };
    },
  }),
];
