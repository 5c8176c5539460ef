// Memoised chain-name hashes: a full sync at 10k services would otherwise spend most of its time
// in sha256. A full sync starts a new generation, so names of removed services are dropped.
import { SEP_PREFIX, hash16, portProtoHash } from './names.js';

export class NameCache {
  private current = new Map<string, string>();
  private previous = new Map<string, string>();

  /** Call before a full sync; entries not used again by the next full sync are forgotten. */
  newGeneration(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  /** portProtoHash(name, protocol): the suffix of KUBE-SVC/SVL/EXT/FW-. */
  serviceHash(name: string, protocol: string): string {
    return this.lookup(`${name}\u0000${protocol}`, () => portProtoHash(name, protocol));
  }

  /** KUBE-SEP-<hash> of (name, protocol, "ip:port"). */
  endpointChain(name: string, protocol: string, endpoint: string): string {
    return this.lookup(`${name}\u0000${protocol}\u0000${endpoint}`, () => SEP_PREFIX + hash16(name + protocol + endpoint));
  }

  private lookup(key: string, compute: () => string): string {
    let v = this.current.get(key);
    if (v === undefined) {
      v = this.previous.get(key) ?? compute();
      this.current.set(key, v);
    }
    return v;
  }
}
