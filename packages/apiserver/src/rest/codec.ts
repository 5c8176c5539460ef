// The schema-driven codec the REST layer uses (src/schema/decode.ts and protobuf.ts).
import type { GVK } from '../schema/dsl.js';
import { cannotBeHandled, decodeBody, strictDecodingError, unknownFieldWarning, type DecodeResult } from '../schema/decode.js';
import { decodeProtobuf, type DecodedProtobuf } from '../schema/protobuf.js';
import type { SchemaRegistry } from '../schema/registry.js';

export interface SchemaCodec {
  decode(reg: SchemaRegistry, typeName: string, raw: unknown): DecodeResult;
  cannotBeHandled(kind: string, version: string, error: string): string;
  strictMessage(unknownFields: string[]): string;
  warning(field: string): string;
  decodeProtobuf(reg: SchemaRegistry, body: Buffer, endpoint: GVK): DecodedProtobuf;
}

export const schemaCodec: SchemaCodec = {
  decode: decodeBody,
  cannotBeHandled: (kind, version, error) => cannotBeHandled(kind, version, error),
  strictMessage: strictDecodingError,
  warning: unknownFieldWarning,
  decodeProtobuf,
};
