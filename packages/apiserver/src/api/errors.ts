// API errors as Kubernetes Status objects, with upstream's codes, reasons and message shapes
// (k8s.io/apimachinery/pkg/api/errors).
import type { GroupResource, Status, StatusCause } from './types.js';

export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
  get code(): number { return this.status.code; }
}

/** "pods" or "deployments.apps", as upstream qualifies resources in messages. */
export function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function status(code: number, reason: string, message: string, details?: Status['details']): ApiError {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) s.details = details;
  return new ApiError(s);
}

export const Errors = {
  notFound: (gr: GroupResource, name: string) =>
    status(404, 'NotFound', `${qualified(gr)} "${name}" not found`, { name, ...(gr.group ? { group: gr.group } : {}), kind: gr.resource }),
  alreadyExists: (gr: GroupResource, name: string) =>
    status(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, { name, ...(gr.group ? { group: gr.group } : {}), kind: gr.resource }),
  conflict: (gr: GroupResource, name: string, why: string) =>
    status(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, { name, ...(gr.group ? { group: gr.group } : {}), kind: gr.resource }),
  invalid: (kind: string, group: string, name: string, causes: StatusCause[]) => {
    const list = causes.map((c) => `${c.field}: ${c.message}`);
    return status(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`,
      { ...(name ? { name } : {}), ...(group ? { group } : {}), kind, causes });
  },
  badRequest: (message: string) => status(400, 'BadRequest', message),
  methodNotSupported: (gr: GroupResource, verb: string) =>
    status(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualified(gr)}"`, { ...(gr.group ? { group: gr.group } : {}), kind: gr.resource }),
  /** A path that names no resource (upstream's generic 404 from the route table). */
  notFoundPath: (_path: string) => status(404, 'NotFound', 'the server could not find the requested resource', {}),
  /** A method the route does not take (POST to a named object, PUT to a collection). */
  methodNotAllowed: () => status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}),
  gone: (message: string, continueToken?: string) => {
    const e = status(410, 'Expired', message);
    // An expired continue token: upstream hands out a token that continues (inconsistently).
    if (continueToken) (e.status as unknown as { metadata: Record<string, string> }).metadata = { continue: continueToken };
    return e;
  },
  tooLarge: (message = 'Request entity too large: limit is 3145728') => status(413, 'RequestEntityTooLarge', message),
  unsupportedMediaType: (_type: string, accepted = 'application/json, application/yaml, application/vnd.kubernetes.protobuf') =>
    status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted}`),
  internal: (message: string) => status(500, 'InternalError', `Internal error occurred: ${message}`),
  tooLargeResourceVersion: (wanted: number, current: number) =>
    status(504, 'Timeout', `Too large resource version: ${wanted}, current: ${current}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 }),
  forbidden: (gr: GroupResource, name: string, why: string) =>
    status(403, 'Forbidden', `${qualified(gr)}${name ? ` "${name}"` : ''} is forbidden: ${why}`, { ...(name ? { name } : {}), ...(gr.group ? { group: gr.group } : {}), kind: gr.resource }),
  tooManyRequests: (message: string, causes: StatusCause[] = [], retryAfterSeconds?: number) =>
    status(429, 'TooManyRequests', message, { causes, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) }),
  timeout: (message: string) => status(504, 'Timeout', message),
} as const;
