// Memoised chain-name hashes: a full sync at 10k services would otherwise spend much of its time
// in sha256. Keyed by service port name, then endpoint, so no key strings are built per lookup.
// A full sync starts a new generation: names of removed services and endpoints are dropped.
import { SEP_PREFIX, hash16, portProtoHash } from './names.js';

interface Entry {
  protocol: string;
  hash: string;
  seps: Map<string, string>;
  /** The previous generation's endpoint chains, consulted on a miss. */
  oldSeps: Map<string, string> | null;
}

export class NameCache {
  private current = new Map<string, Entry>();
  private previous = new Map<string, Entry>();

  /** Call before a full sync; entries not used again by the next full sync are forgotten. */
  newGeneration(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  /** portProtoHash(name, protocol): the suffix of KUBE-SVC/SVL/EXT/FW-. */
  serviceHash(name: string, protocol: string): string {
    return this.entry(name, protocol).hash;
  }

  /** KUBE-SEP-<hash> of (name, protocol, "ip:port"). */
  endpointChain(name: string, protocol: string, endpoint: string): string {
    const e = this.entry(name, protocol);
    let chain = e.seps.get(endpoint);
    if (chain === undefined) {
      chain = e.oldSeps?.get(endpoint) ?? SEP_PREFIX + hash16(name + protocol + endpoint);
      e.seps.set(endpoint, chain);
    }
    return chain;
  }

  private entry(name: string, protocol: string): Entry {
    let e = this.current.get(name);
    if (e !== undefined && e.protocol === protocol) return e;
    const old = this.previous.get(name);
    e = old !== undefined && old.protocol === protocol
      ? { protocol, hash: old.hash, seps: new Map(), oldSeps: old.seps }
      : { protocol, hash: portProtoHash(name, protocol), seps: new Map(), oldSeps: null };
    this.current.set(name, e);
    return e;
  }
}
