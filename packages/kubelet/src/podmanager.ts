// The pods this kubelet should run (pkg/kubelet/pod/pod_manager.go): API pods bound to the node
// plus static pods from files, by UID; mirror pods are indexed by full name and never run.
import type { Pod } from '@kube-ts/client';
import { isMirrorPod, podKey } from './api.js';

export class PodManager {
  private readonly byUid = new Map<string, Pod>();
  private readonly mirrors = new Map<string, Pod>();
  private staticUids = new Set<string>();

  /** Applies an API add/update; returns the UID to sync (the static pod's for a mirror). */
  upsertApi(p: Pod): string | undefined {
    if (isMirrorPod(p)) {
      this.mirrors.set(podKey(p), p);
      return this.staticByKey(podKey(p))?.metadata.uid;
    }
    const uid = p.metadata.uid ?? '';
    this.byUid.set(uid, p);
    return uid;
  }

  deleteApi(p: Pod): string | undefined {
    if (isMirrorPod(p)) {
      const cur = this.mirrors.get(podKey(p));
      if (cur?.metadata.uid === p.metadata.uid) this.mirrors.delete(podKey(p));
      return this.staticByKey(podKey(p))?.metadata.uid;
    }
    const uid = p.metadata.uid ?? '';
    if (!this.staticUids.has(uid)) this.byUid.delete(uid);
    return uid;
  }

  /** Replaces the static pod set; returns UIDs added or removed. */
  setStatic(pods: Pod[]): string[] {
    const next = new Set(pods.map((p) => p.metadata.uid ?? ''));
    const changed: string[] = [];
    for (const uid of this.staticUids) {
      if (!next.has(uid)) {
        this.byUid.delete(uid);
        changed.push(uid);
      }
    }
    for (const p of pods) {
      const uid = p.metadata.uid ?? '';
      if (!this.staticUids.has(uid)) changed.push(uid);
      this.byUid.set(uid, p);
    }
    this.staticUids = next;
    return changed;
  }

  isStatic(uid: string): boolean {
    return this.staticUids.has(uid);
  }

  get(uid: string): Pod | undefined {
    return this.byUid.get(uid);
  }

  getByName(ns: string, name: string): Pod | undefined {
    for (const p of this.byUid.values()) if (p.metadata.name === name && (p.metadata.namespace ?? 'default') === ns) return p;
    return undefined;
  }

  mirrorOf(p: Pod): Pod | undefined {
    return this.mirrors.get(podKey(p));
  }

  mirrorPods(): Pod[] {
    return [...this.mirrors.values()];
  }

  staticByKey(key: string): Pod | undefined {
    for (const uid of this.staticUids) {
      const p = this.byUid.get(uid);
      if (p && podKey(p) === key) return p;
    }
    return undefined;
  }

  list(): Pod[] {
    return [...this.byUid.values()];
  }

  uids(): string[] {
    return [...this.byUid.keys()];
  }
}
