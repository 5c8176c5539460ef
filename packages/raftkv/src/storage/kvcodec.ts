// mvccpb.KeyValue in protobuf wire format, hand-coded: stored records are decoded on load,
// history reads and watch replay, and this avoids protobufjs's Long allocations there.
import type { KeyValue } from '../types.js';

const EMPTY = Buffer.alloc(0);

function varintSize(n: number): number {
  if (n < 0) return 10;
  let s = 1;
  while (n >= 128) { n = Math.floor(n / 128); s++; }
  return s;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  if (n < 0) {
    // int64 two's complement, always 10 bytes.
    let v = BigInt.asUintN(64, BigInt(n));
    for (let i = 0; i < 9; i++) { buf[pos++] = Number(v & 0x7fn) | 0x80; v >>= 7n; }
    buf[pos++] = Number(v);
    return pos;
  }
  while (n >= 128) {
    buf[pos++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

export function encodeKeyValue(kv: KeyValue): Buffer {
  let size = 1 + varintSize(kv.key.length) + kv.key.length;
  if (kv.createRevision) size += 1 + varintSize(kv.createRevision);
  if (kv.modRevision) size += 1 + varintSize(kv.modRevision);
  if (kv.version) size += 1 + varintSize(kv.version);
  if (kv.value.length) size += 1 + varintSize(kv.value.length) + kv.value.length;
  if (kv.lease) size += 1 + varintSize(kv.lease);
  const b = Buffer.allocUnsafe(size);
  let p = 0;
  b[p++] = 0x0a; p = writeVarint(b, p, kv.key.length); p += kv.key.copy(b, p);
  if (kv.createRevision) { b[p++] = 0x10; p = writeVarint(b, p, kv.createRevision); }
  if (kv.modRevision) { b[p++] = 0x18; p = writeVarint(b, p, kv.modRevision); }
  if (kv.version) { b[p++] = 0x20; p = writeVarint(b, p, kv.version); }
  if (kv.value.length) { b[p++] = 0x2a; p = writeVarint(b, p, kv.value.length); p += kv.value.copy(b, p); }
  if (kv.lease) { b[p++] = 0x30; p = writeVarint(b, p, kv.lease); }
  return b;
}

export function decodeKeyValue(b: Buffer): KeyValue {
  const kv: KeyValue = { key: EMPTY, createRevision: 0, modRevision: 0, version: 0, value: EMPTY, lease: 0 };
  let p = 0;
  const readVarint = (): number => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const byte = b[p++];
      if (byte === undefined) throw new Error('truncated varint');
      if (i === 9) {
        // 10-byte varint: a negative int64.
        return negativeFrom(b.subarray(p - 10, p));
      }
      result += (byte & 0x7f) * mul;
      if (byte < 0x80) return result;
      mul *= 128;
    }
    return result;
  };
  while (p < b.length) {
    const tag = b[p++]!;
    switch (tag) {
      case 0x0a: { const n = readVarint(); kv.key = b.subarray(p, p + n); p += n; break; }
      case 0x10: kv.createRevision = readVarint(); break;
      case 0x18: kv.modRevision = readVarint(); break;
      case 0x20: kv.version = readVarint(); break;
      case 0x2a: { const n = readVarint(); kv.value = b.subarray(p, p + n); p += n; break; }
      case 0x30: kv.lease = readVarint(); break;
      default: throw new Error(`unexpected KeyValue tag ${tag}`);
    }
  }
  return kv;
}

function negativeFrom(bytes: Buffer): number {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 7n) | BigInt(bytes[i]! & 0x7f);
  return Number(BigInt.asIntN(64, v));
}
