// Resource declarations: authorization.k8s.io/v1 access and rules reviews. All create-only and
// answered, not stored (upstream's pkg/registry/authorization/*); validation as upstream's
// pkg/apis/authorization/validation.
//
// Authorization is allow-all for now: access reviews are always allowed and rules reviews list
// every verb on everything.
import { Errors } from '../api/errors.js';
import type { KubeObject, StatusCause } from '../api/types.js';
import type { ResourceDef } from './resource.js';
import { type Obj, get, isObj, str, strs } from './networking.js';
import { fieldErr } from './validation.js';

const ALLOWED_REASON = 'allowed: authorization is allow-all (no authorizer is configured)';

function validateAttributes(spec: Obj): StatusCause[] {
  const res = spec.resourceAttributes;
  const non = spec.nonResourceAttributes;
  if (isObj(res) && isObj(non)) return [fieldErr.invalid('spec.nonResourceAttributes', non, 'cannot be specified in combination with resourceAttributes')];
  if (!isObj(res) && !isObj(non)) return [fieldErr.invalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  return [];
}

const specOf = (o: KubeObject): Obj => (isObj(o.spec) ? o.spec : {});

const isEmpty = (v: unknown): boolean => v === undefined || v === null || v === '' || v === 0 || (Array.isArray(v) ? v.length === 0 : isObj(v) && Object.values(v).every(isEmpty));

/** Upstream requires a review's metadata to be empty (managedFields aside; LSAR keeps its namespace). */
function emptyMetadata(o: KubeObject, keepNamespace: boolean): StatusCause[] {
  const rest: Obj = { ...o.metadata, managedFields: undefined, ...(keepNamespace ? { namespace: undefined } : {}) };
  if (isEmpty(rest)) return [];
  return [fieldErr.invalid('metadata', o.metadata, keepNamespace ? 'must be empty except for namespace' : 'must be empty')];
}

function validateSAR(o: KubeObject): StatusCause[] {
  const spec = specOf(o);
  const out = validateAttributes(spec);
  out.push(...emptyMetadata(o, o.kind === 'LocalSubjectAccessReview'));
  if (!str(spec.user) && strs(spec.groups).length === 0) out.push(fieldErr.invalid('spec.user', str(spec.user), 'at least one of user or group must be specified'));
  return out;
}

function validateLSAR(o: KubeObject): StatusCause[] {
  const out = validateSAR(o);
  const spec = specOf(o);
  const ns = o.metadata.namespace ?? '';
  if (isObj(spec.resourceAttributes) && str(spec.resourceAttributes.namespace) !== ns) {
    out.push(fieldErr.invalid('spec.resourceAttributes.namespace', str(spec.resourceAttributes.namespace), 'must match metadata.namespace'));
  }
  if (isObj(spec.nonResourceAttributes)) out.push(fieldErr.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'disallowed on this kind of request'));
  return out;
}

const allowed = (o: KubeObject): KubeObject => ({ ...o, status: { allowed: true, reason: ALLOWED_REASON } });

function review(p: Pick<ResourceDef, 'kind' | 'plural' | 'singular' | 'compute' | 'validate'> & Partial<ResourceDef>): ResourceDef {
  return {
    group: 'authorization.k8s.io', version: 'v1', shortNames: [], categories: [], namespaced: false, nameRule: 'subdomain',
    storagePath: p.plural, columns: [], schema: `io.k8s.api.authorization.v1.${p.kind}`, hasSpec: false, verbs: ['create'], ...p,
  };
}

export const resources: ResourceDef[] = [
  review({ kind: 'LocalSubjectAccessReview', plural: 'localsubjectaccessreviews', singular: 'localsubjectaccessreview', namespaced: true, validate: validateLSAR, compute: allowed }),
  review({ kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', singular: 'selfsubjectaccessreview', validate: (o) => [...validateAttributes(specOf(o)), ...emptyMetadata(o, false)], compute: allowed }),
  review({
    kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', singular: 'selfsubjectrulesreview',
    validate: () => [],
    compute: (o) => {
      if (!str(get(o, 'spec', 'namespace'))) throw Errors.badRequest('no namespace on request');
      return {
        ...o,
        status: {
          resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
          nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
          incomplete: false,
        },
      };
    },
  }),
  review({ kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', singular: 'subjectaccessreview', validate: validateSAR, compute: allowed }),
];
