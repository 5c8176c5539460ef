// The schema-driven codec the REST layer uses (src/schema/decode.ts and protobuf.ts).
import type { SchemaRegistry } from '../schema/registry.js';

export interface DecodeResult {
  value: unknown;
  unknownFields: string[];
  error?: string;
}

export interface SchemaCodec {
  decode(reg: SchemaRegistry, typeName: string, raw: unknown): DecodeResult;
  strictMessage(unknownFields: string[]): string;
  warning(field: string): string;
  decodeProtobuf(reg: SchemaRegistry, body: Buffer): { apiVersion: string; kind: string; object: unknown };
}

// Interim: pass-through until the schema decoders land (wired in the next commit).
export const schemaCodec: SchemaCodec = {
  decode: (_reg, _t, raw) => ({ value: raw, unknownFields: [] }),
  strictMessage: (fields) => `strict decoding error: ${fields.map((f) => `unknown field "${f}"`).join(', ')}`,
  warning: (f) => `unknown field "${f}"`,
  decodeProtobuf: () => { throw new Error('protobuf bodies are not supported yet'); },
};
