// Container environment (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables): service links,
// envFrom, then env in order with $(VAR) expansion; valueFrom fieldRef, resourceFieldRef,
// configMapKeyRef, secretKeyRef. Failures become CreateContainerConfigError with upstream's text.
import { isNotFound, R, type Container, type Pod, type RestClient, type KubeObject } from '@kube-ts/client';
import { podFieldValue, containerResourceValue } from '../fieldpath/index.js';
import type { EnvFromSource } from '../api.js';

export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

interface DataObject extends KubeObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export interface EnvDeps {
  rest: RestClient;
  nodeAllocatable(): Record<string, string>;
  /** Docker-link style service variables for the pod's namespace (enableServiceLinks). */
  serviceEnv(namespace: string, enableServiceLinks: boolean): Record<string, string>;
}

const C_IDENTIFIER = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** $(VAR) expansion as upstream expansion.Expand: $$ escapes, unknown references stay as written. */
export function expand(input: string, vars: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = input.indexOf(')', i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      out += name in vars ? vars[name] : `$(${name})`;
      i = end;
    } else out += ch;
  }
  return out;
}

async function getData(deps: EnvDeps, kind: 'ConfigMap' | 'Secret', ns: string, name: string, optional: boolean): Promise<Record<string, string> | undefined> {
  try {
    const obj = await deps.rest.resource<DataObject>(kind === 'ConfigMap' ? R.configmaps : R.secrets).get(name, ns);
    const out: Record<string, string> = {};
    if (kind === 'Secret') for (const [k, v] of Object.entries(obj.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
    else {
      Object.assign(out, obj.data ?? {});
      for (const [k, v] of Object.entries(obj.binaryData ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
    }
    return out;
  } catch (err) {
    if (isNotFound(err)) {
      if (optional) return undefined;
      throw new ContainerConfigError(`${kind === 'ConfigMap' ? 'configmap' : 'secret'} "${name}" not found`);
    }
    throw err;
  }
}

export async function containerEnv(p: Pod, c: Container, deps: EnvDeps): Promise<Record<string, string>> {
  const ns = p.metadata.namespace ?? 'default';
  const vars: Record<string, string> = {};
  const enableLinks = (p.spec['enableServiceLinks'] as boolean | undefined) ?? true;
  Object.assign(vars, deps.serviceEnv(ns, enableLinks));
  for (const src of (c['envFrom'] as EnvFromSource[] | undefined) ?? []) {
    const ref = src.configMapRef ?? src.secretRef;
    if (!ref) continue;
    const kind = src.configMapRef ? 'ConfigMap' : 'Secret';
    const data = await getData(deps, kind, ns, ref.name, ref.optional === true);
    for (const [k, v] of Object.entries(data ?? {})) {
      const key = (src.prefix ?? '') + k;
      // Invalid names are skipped (upstream emits an InvalidEnvironmentVariableNames event).
      if (C_IDENTIFIER.test(key)) vars[key] = v;
    }
  }
  const ordered: Record<string, string> = { ...vars };
  for (const e of c.env ?? []) {
    let v: string | undefined;
    if (e.value !== undefined) v = expand(e.value, ordered);
    else if (e.valueFrom) {
      const vf = e.valueFrom as {
        fieldRef?: { fieldPath: string };
        resourceFieldRef?: { containerName?: string; resource: string; divisor?: string };
        configMapKeyRef?: { name: string; key: string; optional?: boolean };
        secretKeyRef?: { name: string; key: string; optional?: boolean };
      };
      if (vf.fieldRef) v = podFieldValue(p, vf.fieldRef.fieldPath);
      else if (vf.resourceFieldRef) {
        v = containerResourceValue(p, vf.resourceFieldRef.containerName || c.name, vf.resourceFieldRef, deps.nodeAllocatable());
      } else if (vf.configMapKeyRef || vf.secretKeyRef) {
        const ref = (vf.configMapKeyRef ?? vf.secretKeyRef)!;
        const kind = vf.configMapKeyRef ? 'ConfigMap' : 'Secret';
        const data = await getData(deps, kind, ns, ref.name, ref.optional === true);
        if (data === undefined) continue;
        if (!(ref.key in data)) {
          if (ref.optional) continue;
          throw new ContainerConfigError(`couldn't find key ${ref.key} in ${kind} ${ns}/${ref.name}`);
        }
        v = data[ref.key];
      } else v = '';
    } else v = '';
    ordered[e.name] = v ?? '';
  }
  return ordered;
}

/** Service link variables (pkg/kubelet/envvars) for the given services. */
export function serviceLinkEnv(services: { name: string; clusterIP: string; ports: { name?: string; port: number; protocol?: string }[] }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of services) {
    if (!s.clusterIP || s.clusterIP === 'None') continue;
    const n = s.name.toUpperCase().replace(/-/g, '_');
    out[`${n}_SERVICE_HOST`] = s.clusterIP;
    const first = s.ports[0];
    if (!first) continue;
    out[`${n}_SERVICE_PORT`] = String(first.port);
    for (const port of s.ports) {
      if (port.name) out[`${n}_SERVICE_PORT_${port.name.toUpperCase().replace(/-/g, '_')}`] = String(port.port);
    }
    const proto = (first.protocol ?? 'TCP').toLowerCase();
    out[`${n}_PORT`] = `${proto}://${s.clusterIP}:${first.port}`;
    for (const port of s.ports) {
      const pr = (port.protocol ?? 'TCP');
      const prefix = `${n}_PORT_${port.port}_${pr}`;
      out[prefix] = `${pr.toLowerCase()}://${s.clusterIP}:${port.port}`;
      out[`${prefix}_PROTO`] = pr.toLowerCase();
      out[`${prefix}_PORT`] = String(port.port);
      out[`${prefix}_ADDR`] = s.clusterIP;
    }
  }
  return out;
}
