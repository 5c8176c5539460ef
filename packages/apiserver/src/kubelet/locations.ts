// Where pods/log, exec, attach and portforward go on the kubelet (upstream
// pkg/registry/core/pod/strategy.go: LogLocation, ExecLocation, AttachLocation,
// PortForwardLocation), and how their query parameters decode and validate (the parameter codec's
// string conversions and ValidatePodLogOptions), with upstream's messages.
import { Errors } from '../api/errors.js';
import type { KubeObject, StatusCause } from '../api/types.js';
import type { ConnectionInfo } from './client.js';

export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/** What a location needs: the pod (404 from the store) and the node's kubelet connection. */
export interface LocationSources {
  pod(namespace: string, name: string): Promise<KubeObject>;
  connection(nodeName: string): Promise<ConnectionInfo>;
}

export interface KubeletLocation extends ConnectionInfo {
  /** Path on the kubelet, e.g. /containerLogs/ns/pod/c. */
  path: string;
  /** Encoded query (Go's url.Values.Encode: keys sorted), without '?'. */
  query: string;
}

export const locationUrl = (l: KubeletLocation): string =>
  `${l.scheme}://${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}${l.path}${l.query ? `?${l.query}` : ''}`;

/** Go's url.QueryEscape: unreserved characters stay, space is '+', the rest %XX. */
export function goQueryEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

/** Go's url.Values.Encode: keys sorted, values in order. */
export function encodeValues(values: Array<[string, string]>): string {
  const keys = [...new Set(values.map(([k]) => k))].sort();
  return keys.flatMap((k) => values.filter(([x]) => x === k).map(([, v]) => `${goQueryEscape(k)}=${goQueryEscape(v)}`)).join('&');
}

// ---- query parameter decoding (apimachinery's Convert_Slice_string_To_*) ----

/** Absent, "0" and "false" (any case) are false; anything else, even "", is true. */
export function queryBool(q: URLSearchParams, key: string): boolean {
  const v = q.get(key);
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}

/** strconv.ParseInt(s, 10, 64) with its error text. */
export function queryInt64(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null) return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw Errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = BigInt(v);
  if (n > 9223372036854775807n || n < -9223372036854775808n) throw Errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  return Number(n);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** metav1.Time from a query parameter (time.RFC3339); "" and "null" mean unset. */
export function queryTime(q: URLSearchParams, key: string): Date | undefined {
  const v = q.get(key);
  if (v === null || v === '' || v === 'null') return undefined;
  const d = RFC3339.test(v) ? new Date(v) : undefined;
  // Go's message names the layout; the part it could not parse is approximated by the whole value.
  if (!d || Number.isNaN(d.getTime())) throw Errors.badRequest(`parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(v)} as "2006"`);
  return d;
}

/** time.Time.Format(time.RFC3339) in UTC: seconds precision. */
export const formatRFC3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

// ---- containers ----

interface Container { name: string }
interface PodSpec { nodeName?: string; containers?: Container[]; initContainers?: Container[]; ephemeralContainers?: Container[] }

const specOf = (pod: KubeObject): PodSpec => (pod.spec ?? {}) as PodSpec;

/** Init, regular, then ephemeral containers (upstream's VisitContainers order). */
function allContainerNames(spec: PodSpec): string[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])].map((c) => c.name);
}

/**
 * The container a request is for (upstream's validateContainer): the named one, which must
 * exist; else the only container; else the one the kubectl.kubernetes.io/default-container
 * annotation names (kubectl resolves that client side; served here too for raw API clients).
 */
export function resolveContainer(pod: KubeObject, container: string): string {
  const spec = specOf(pod);
  const name = pod.metadata.name ?? '';
  const all = allContainerNames(spec);
  if (container) {
    if (!all.includes(container)) throw Errors.badRequest(`container ${container} is not valid for pod ${name}`);
    return container;
  }
  const containers = spec.containers ?? [];
  if (containers.length === 1) return containers[0]!.name;
  if (containers.length === 0) throw Errors.badRequest(`a container name must be specified for pod ${name}`);
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && all.includes(annotated)) return annotated;
  throw Errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`);
}

// ---- pods/log ----

export interface PodLogOptions {
  container: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  sinceSeconds?: number;
  sinceTime?: Date;
  tailLines?: number;
  limitBytes?: number;
  insecureSkipTLSVerifyBackend: boolean;
}

/** Decodes PodLogOptions from the query and validates them (400 on decoding, 422 Invalid). */
export function podLogOptions(q: URLSearchParams, podName: string): PodLogOptions {
  const sinceSeconds = queryInt64(q, 'sinceSeconds');
  const sinceTime = queryTime(q, 'sinceTime');
  const tailLines = queryInt64(q, 'tailLines');
  const limitBytes = queryInt64(q, 'limitBytes');
  const o: PodLogOptions = {
    container: q.get('container') ?? '',
    follow: queryBool(q, 'follow'), previous: queryBool(q, 'previous'), timestamps: queryBool(q, 'timestamps'),
    insecureSkipTLSVerifyBackend: queryBool(q, 'insecureSkipTLSVerifyBackend'),
    ...(sinceSeconds !== undefined ? { sinceSeconds } : {}),
    ...(sinceTime !== undefined ? { sinceTime } : {}),
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
  };
  const causes: StatusCause[] = [];
  if (o.tailLines !== undefined && o.tailLines < 0) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${o.tailLines}: must be greater than or equal to 0`, field: 'tailLines' });
  if (o.limitBytes !== undefined && o.limitBytes < 1) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${o.limitBytes}: must be greater than 0`, field: 'limitBytes' });
  if (o.sinceSeconds !== undefined && o.sinceTime !== undefined) {
    causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified', field: '' });
  } else if (o.sinceSeconds !== undefined && o.sinceSeconds < 1) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${o.sinceSeconds}: must be greater than 0`, field: 'sinceSeconds' });
  }
  if (causes.length > 0) throw Errors.invalid('PodLogOptions', '', podName, causes);
  return o;
}

/** The kubelet's containerLogs location; undefined for a pod with no node yet (an empty log). */
export async function logLocation(src: LocationSources, namespace: string, name: string, o: PodLogOptions): Promise<KubeletLocation | undefined> {
  const pod = await src.pod(namespace, name);
  const container = resolveContainer(pod, o.container);
  const nodeName = specOf(pod).nodeName;
  if (!nodeName) return undefined;
  const conn = await src.connection(nodeName);
  const params: Array<[string, string]> = [];
  if (o.follow) params.push(['follow', 'true']);
  if (o.previous) params.push(['previous', 'true']);
  if (o.timestamps) params.push(['timestamps', 'true']);
  if (o.sinceSeconds !== undefined) params.push(['sinceSeconds', String(o.sinceSeconds)]);
  if (o.sinceTime !== undefined) params.push(['sinceTime', formatRFC3339(o.sinceTime)]);
  if (o.tailLines !== undefined) params.push(['tailLines', String(o.tailLines)]);
  if (o.limitBytes !== undefined) params.push(['limitBytes', String(o.limitBytes)]);
  return { ...conn, path: `/containerLogs/${namespace}/${name}/${container}`, query: encodeValues(params) };
}

// ---- exec, attach, portforward ----

export type StreamKind = 'exec' | 'attach' | 'portforward';

/** kubectl's stdin/stdout/stderr/tty (and exec's commands) as the kubelet's input/output/error/tty. */
export function streamParams(kind: StreamKind, q: URLSearchParams): Array<[string, string]> {
  const params: Array<[string, string]> = [];
  if (kind === 'portforward') {
    const ports: string[] = [];
    for (const v of q.getAll('ports')) {
      for (const p of v.split(',')) {
        if (!/^\d+$/.test(p) || Number(p) > 65535) {
          const why = /^\d+$/.test(p) ? 'value out of range' : 'invalid syntax';
          throw Errors.badRequest(`cannot convert to []int32: strconv.ParseUint: parsing ${JSON.stringify(p)}: ${why}`);
        }
        ports.push(String(Number(p)));
      }
    }
    if (ports.length > 0) params.push(['port', ports.join(',')]);
    return params;
  }
  if (queryBool(q, 'stdin')) params.push(['input', '1']);
  if (queryBool(q, 'stdout')) params.push(['output', '1']);
  if (queryBool(q, 'stderr')) params.push(['error', '1']);
  if (queryBool(q, 'tty')) params.push(['tty', '1']);
  if (kind === 'exec') for (const c of q.getAll('command')) params.push(['command', c]);
  return params;
}

/** The kubelet location for exec/attach (/{kind}/ns/pod/container) or portforward (/portForward/ns/pod). */
export async function streamLocation(src: LocationSources, kind: StreamKind, namespace: string, name: string, q: URLSearchParams): Promise<KubeletLocation> {
  const params = streamParams(kind, q);
  const pod = await src.pod(namespace, name);
  const container = kind === 'portforward' ? undefined : resolveContainer(pod, q.get('container') ?? '');
  const nodeName = specOf(pod).nodeName;
  if (!nodeName) throw Errors.badRequest(`pod ${name} does not have a host assigned`);
  const conn = await src.connection(nodeName);
  const path = kind === 'portforward' ? `/portForward/${namespace}/${name}` : `/${kind}/${namespace}/${name}/${container!}`;
  return { ...conn, path, query: encodeValues(params) };
}
