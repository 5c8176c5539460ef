// Volume payloads (file path -> content and mode) from their sources: upstream's
// configmap.MakePayload, secret.MakePayload and downwardapi.CollectData, with their error texts.
import type { KubeObject, Pod } from '@kube-ts/client';
import { containerResourceValue, extractFieldPathAsString } from '../fieldpath/index.js';
import { posix } from 'node:path';
import type { DownwardAPIVolumeFile, KeyToPath, Payload } from './types.js';

export interface ConfigMapObject extends KubeObject { data?: Record<string, string>; binaryData?: Record<string, string>; immutable?: boolean }
export interface SecretObject extends KubeObject { data?: Record<string, string>; type?: string; immutable?: boolean }

/** utilerrors.NewAggregate(...).Error(): one message as is, several (deduplicated) as "[a, b]". */
export function aggregate(errs: Error[]): Error | undefined {
  if (errs.length === 0) return undefined;
  if (errs.length === 1) return errs[0];
  const msgs = [...new Set(errs.map((e) => e.message))];
  return new Error(msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`);
}

function fromMaps(items: KeyToPath[] | undefined, defaultMode: number, optional: boolean,
  lookup: (key: string) => Buffer | undefined, all: () => Array<[string, Buffer]>, missing: (key: string) => string): Payload {
  const payload: Payload = new Map();
  if (!items || items.length === 0) {
    for (const [k, data] of all()) payload.set(k, { data, mode: defaultMode });
    return payload;
  }
  for (const ktp of items) {
    const data = lookup(ktp.key);
    if (data === undefined) {
      if (optional) continue;
      throw new Error(missing(ktp.key));
    }
    payload.set(ktp.path, { data, mode: ktp.mode ?? defaultMode });
  }
  return payload;
}

export function configMapPayload(items: KeyToPath[] | undefined, cm: ConfigMapObject, defaultMode: number, optional: boolean): Payload {
  const text = cm.data ?? {};
  const bin = cm.binaryData ?? {};
  const lookup = (k: string): Buffer | undefined =>
    Object.hasOwn(text, k) ? Buffer.from(text[k]!, 'utf8') : Object.hasOwn(bin, k) ? Buffer.from(bin[k]!, 'base64') : undefined;
  const all = (): Array<[string, Buffer]> => [
    ...Object.entries(text).map(([k, v]): [string, Buffer] => [k, Buffer.from(v, 'utf8')]),
    ...Object.entries(bin).map(([k, v]): [string, Buffer] => [k, Buffer.from(v, 'base64')]),
  ];
  return fromMaps(items, defaultMode, optional, lookup, all, (k) => `configmap references non-existent config key: ${k}`);
}

export function secretPayload(items: KeyToPath[] | undefined, secret: SecretObject, defaultMode: number, optional: boolean): Payload {
  const data = secret.data ?? {};
  const lookup = (k: string): Buffer | undefined => (Object.hasOwn(data, k) ? Buffer.from(data[k]!, 'base64') : undefined);
  const all = (): Array<[string, Buffer]> => Object.entries(data).map(([k, v]): [string, Buffer] => [k, Buffer.from(v, 'base64')]);
  return fromMaps(items, defaultMode, optional, lookup, all, (k) => `references non-existent secret key: ${k}`);
}

/** downwardapi.CollectData: metadata fields and container resources; all item errors aggregated. */
export function downwardAPIPayload(items: DownwardAPIVolumeFile[] | undefined, pod: Pod, defaultMode: number,
  nodeAllocatable: () => Record<string, string>): Payload {
  const payload: Payload = new Map();
  const errs: Error[] = [];
  for (const item of items ?? []) {
    const path = posix.normalize(item.path);
    let data = Buffer.alloc(0);
    try {
      if (item.fieldRef) data = Buffer.from(extractFieldPathAsString(pod, item.fieldRef.fieldPath), 'utf8');
      else if (item.resourceFieldRef) {
        const r = item.resourceFieldRef;
        const divisor = r.divisor === undefined ? undefined : String(r.divisor);
        data = Buffer.from(containerResourceValue(pod, r.containerName ?? '', { resource: r.resource, ...(divisor !== undefined ? { divisor } : {}) }, nodeAllocatable()), 'utf8');
      }
    } catch (e) {
      errs.push(e instanceof Error ? e : new Error(String(e)));
    }
    payload.set(path, { data, mode: item.mode ?? defaultMode });
  }
  const err = aggregate(errs);
  if (err) throw err;
  return payload;
}
