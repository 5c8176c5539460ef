// The hash both proxiers put in chain names, as upstream: the standard base32 encoding of the
// SHA-256 digest, cut to `length` characters (iptables: 16, nftables: 8).
import { createHash } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** First `length` (a multiple of 8) characters of base32(StdEncoding) of sha256(input). */
export function sha256Base32(input: string, length: 8 | 16): string {
  const d = createHash('sha256').update(input).digest();
  let out = '';
  for (let i = 0; i < (length / 8) * 5; i += 5) {
    // 5 bytes = 40 bits = 8 base32 characters; split in two 20-bit halves to stay in int range.
    const hi = (d[i]! << 12) | (d[i + 1]! << 4) | (d[i + 2]! >> 4);
    const lo = ((d[i + 2]! & 0x0f) << 16) | (d[i + 3]! << 8) | d[i + 4]!;
    out += BASE32[(hi >> 15) & 31]! + BASE32[(hi >> 10) & 31]! + BASE32[(hi >> 5) & 31]! + BASE32[hi & 31]!;
    out += BASE32[(lo >> 15) & 31]! + BASE32[(lo >> 10) & 31]! + BASE32[(lo >> 5) & 31]! + BASE32[lo & 31]!;
  }
  return out;
}
