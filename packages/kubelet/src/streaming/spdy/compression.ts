// SPDY/3 header compression: one zlib stream per direction per connection, primed with the SPDY
// dictionary, each header block ending in a sync flush so the peer can decode it on its own while
// the LZ77 window carries over to the next block (Go's spdy Framer does the same).
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';

/** Decompressed header blocks larger than this are a protocol abuse, not headers. */
const MAX_HEADER_BLOCK = 1 << 20;

type ZStream = Deflate | Inflate;

/** Runs one write + sync flush on `z` and returns everything it produced for that input. */
function flushThrough(z: ZStream, input: Buffer, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    z.once('error', onError);
    if (input.length > 0) z.write(input);
    z.flush(constants.Z_SYNC_FLUSH, () => {
      z.off('error', onError);
      // The stream is never put in flowing mode: what the flush produced sits in its readable buffer.
      const parts: Buffer[] = [];
      let size = 0;
      for (let c = z.read() as Buffer | null; c !== null; c = z.read() as Buffer | null) {
        parts.push(c);
        size += c.length;
      }
      if (size > limit) reject(new Error(`header block of ${size} bytes exceeds ${limit}`));
      else resolve(Buffer.concat(parts, size));
    });
  });
}

/** Serializes operations on one zlib context (the order of blocks is the order of calls). */
abstract class HeaderCodec {
  private chain: Promise<unknown> = Promise.resolve();
  protected abstract readonly z: ZStream;
  protected abstract readonly limit: number;

  protected run(input: Buffer): Promise<Buffer> {
    const next = this.chain.then(() => flushThrough(this.z, input, this.limit));
    this.chain = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.z.destroy();
  }
}

export class HeaderCompressor extends HeaderCodec {
  protected readonly z = createDeflate({ dictionary: SPDY3_DICTIONARY, level: constants.Z_BEST_COMPRESSION });
  protected readonly limit = Number.MAX_SAFE_INTEGER;

  /** Compresses one uncompressed name/value block. */
  compress(block: Buffer): Promise<Buffer> {
    return this.run(block);
  }
}

export class HeaderDecompressor extends HeaderCodec {
  protected readonly z = createInflate({ dictionary: SPDY3_DICTIONARY });
  protected readonly limit = MAX_HEADER_BLOCK;

  /** Decompresses the compressed bytes of one frame's header block. */
  decompress(compressed: Buffer): Promise<Buffer> {
    return this.run(compressed);
  }
}
