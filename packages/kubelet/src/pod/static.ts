// Static pods from --pod-manifest-path / staticPodPath (pkg/kubelet/config/file.go): each
// .yaml/.yml/.json file holds one Pod; the kubelet names it <name>-<node>, derives a stable UID
// from the file's content and node, and marks it with the config.source/hash annotations.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Logger } from 'pino';
import type { Pod } from '@kube-ts/client';
import { CONFIG_HASH_ANNOTATION, CONFIG_SEEN_ANNOTATION, CONFIG_SOURCE_ANNOTATION } from '../api.js';

export function staticPodFrom(raw: unknown, file: string, nodeName: string, seen: string): Pod {
  const p = raw as Pod;
  if (!p || typeof p !== 'object' || p.kind !== 'Pod') throw new Error(`${file}: not a Pod manifest (kind ${String((p as { kind?: unknown } | null)?.kind)})`);
  if (!p.metadata?.name) throw new Error(`${file}: metadata.name is required`);
  if (!Array.isArray(p.spec?.containers) || p.spec.containers.length === 0) throw new Error(`${file}: spec.containers is required`);
  const pod = structuredClone(p);
  const ns = pod.metadata.namespace || 'default';
  const name = `${pod.metadata.name!}-${nodeName}`;
  // Upstream hashes the object plus node and file; we hash the same inputs.
  const uid = createHash('md5').update(JSON.stringify(p)).update(nodeName).update(file).digest('hex');
  pod.metadata = {
    ...pod.metadata,
    name,
    namespace: ns,
    uid,
    annotations: {
      ...(pod.metadata.annotations ?? {}),
      [CONFIG_SOURCE_ANNOTATION]: 'file',
      [CONFIG_HASH_ANNOTATION]: uid,
      [CONFIG_SEEN_ANNOTATION]: seen,
    },
  };
  pod.spec.nodeName = nodeName;
  pod.spec.restartPolicy = pod.spec.restartPolicy ?? 'Always';
  pod.spec.terminationGracePeriodSeconds = pod.spec.terminationGracePeriodSeconds ?? 30;
  pod.spec['dnsPolicy'] = pod.spec['dnsPolicy'] ?? 'ClusterFirst';
  // Static pods tolerate every NoExecute taint (upstream adds this toleration).
  pod.spec.tolerations = [...(pod.spec.tolerations ?? []), { operator: 'Exists', effect: 'NoExecute' }];
  pod.status = { phase: 'Pending' };
  return pod;
}

export class StaticPodSource {
  private timer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private current = new Map<string, Pod>();
  private pending: NodeJS.Timeout | undefined;

  constructor(
    private readonly dir: string,
    private readonly nodeName: string,
    private readonly periodMs: number,
    private readonly onUpdate: (pods: Pod[]) => void,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.scan();
    this.timer = setInterval(() => void this.scan(), this.periodMs).unref();
    try {
      this.watcher = watch(this.dir, () => {
        if (this.pending) clearTimeout(this.pending);
        this.pending = setTimeout(() => void this.scan(), 100).unref();
      });
      this.watcher.on('error', () => undefined);
    } catch {
      /* directory may not exist yet: the periodic scan picks it up */
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.pending) clearTimeout(this.pending);
    this.watcher?.close();
  }

  pods(): Pod[] {
    return [...this.current.values()];
  }

  async scan(): Promise<void> {
    const next = new Map<string, Pod>();
    let files: string[] = [];
    try {
      files = (await readdir(this.dir)).filter((f) => !f.startsWith('.')).sort();
    } catch {
      files = [];
    }
    for (const f of files) {
      const path = join(this.dir, f);
      try {
        if (!(await stat(path)).isFile()) continue;
        const text = await readFile(path, 'utf8');
        const raw: unknown = f.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
        const pod = staticPodFrom(raw, path, this.nodeName, new Date().toISOString());
        const uid = pod.metadata.uid ?? '';
        // Same content, same UID: keep the object first seen (its config.seen time).
        next.set(uid, this.current.get(uid) ?? pod);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, file: path }, 'could not read static pod manifest');
      }
    }
    const changed = next.size !== this.current.size || [...next.keys()].some((k) => !this.current.has(k));
    this.current = next;
    if (changed) this.onUpdate(this.pods());
  }
}
