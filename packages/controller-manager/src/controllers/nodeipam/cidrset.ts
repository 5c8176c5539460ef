// CidrSet (nodeipam/ipam/cidrset): the cluster CIDR cut into node-sized subnets, one bit each.
// Allocation goes round-robin from the last allocated subnet (so a released subnet is not
// handed out again at once); Occupy/Release take any CIDR and mark every subnet it overlaps.
import { bitsOf, formatCidr, lastIP, maskOf, type Cidr } from './ip.js';

/** Upstream caps IPv6 sets at 2^16 subnets (clusterSubnetMaxDiff). */
const CLUSTER_SUBNET_MAX_DIFF = 16;

export const ERR_NO_CIDRS_REMAINING = 'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range';

export class CidrSet {
  readonly maxCIDRs: number;
  private readonly used: Uint8Array;
  private nextCandidate = 0;
  private allocated = 0;

  constructor(readonly cluster: Cidr, readonly nodeMaskSize: number) {
    if (nodeMaskSize < cluster.prefix || nodeMaskSize > bitsOf(cluster.family)) {
      throw new Error(`invalid node CIDR mask size ${nodeMaskSize} for cluster CIDR ${formatCidr(cluster)}`);
    }
    const diff = nodeMaskSize - cluster.prefix;
    if (cluster.family === 6 && diff > CLUSTER_SUBNET_MAX_DIFF) throw new Error('New CIDR set failed; the node CIDR size is too big');
    if (diff > 24) throw new Error('New CIDR set failed; the node CIDR size is too big');
    this.maxCIDRs = 2 ** diff;
    this.used = new Uint8Array(this.maxCIDRs);
  }

  get allocatedCount(): number { return this.allocated; }

  private subnet(index: number): Cidr {
    const shift = BigInt(bitsOf(this.cluster.family) - this.nodeMaskSize);
    return { family: this.cluster.family, ip: this.cluster.ip | (BigInt(index) << shift), prefix: this.nodeMaskSize };
  }

  allocateNext(): Cidr {
    for (let i = 0; i < this.maxCIDRs; i++) {
      const c = (i + this.nextCandidate) % this.maxCIDRs;
      if (this.used[c]) continue;
      this.nextCandidate = (c + 1) % this.maxCIDRs;
      this.used[c] = 1;
      this.allocated++;
      return this.subnet(c);
    }
    throw new Error(ERR_NO_CIDRS_REMAINING);
  }

  occupy(c: Cidr): void { this.mark(c, 1); }

  release(c: Cidr): void { this.mark(c, 0); }

  isUsed(c: Cidr): boolean {
    const [b, e] = this.indices(c);
    for (let i = b; i <= e; i++) if (!this.used[i]) return false;
    return true;
  }

  private mark(c: Cidr, v: 0 | 1): void {
    const [b, e] = this.indices(c);
    for (let i = b; i <= e; i++) {
      if (this.used[i] === v) continue;
      this.used[i] = v;
      this.allocated += v ? 1 : -1;
    }
  }

  /** getBeginningAndEndIndices: the subnets `c` overlaps (all when it covers the cluster CIDR). */
  private indices(c: Cidr): [number, number] {
    if (c.family !== this.cluster.family) throw new Error(`cidr ${formatCidr(c)} is out the range of cluster cidr ${formatCidr(this.cluster)}`);
    const clusterHas = (c.ip & maskOf(this.cluster.prefix, c.family)) === this.cluster.ip;
    const cHasCluster = (this.cluster.ip & maskOf(c.prefix, c.family)) === c.ip;
    if (!clusterHas && !cHasCluster) throw new Error(`cidr ${formatCidr(c)} is out the range of cluster cidr ${formatCidr(this.cluster)}`);
    if (c.prefix <= this.cluster.prefix) return [0, this.maxCIDRs - 1];
    const shift = BigInt(bitsOf(c.family) - this.nodeMaskSize);
    const sub = maskOf(this.nodeMaskSize, c.family);
    const index = (ip: bigint): number => Number(((ip & sub) - this.cluster.ip) >> shift);
    return [index(c.ip), index(lastIP(c))];
  }
}
