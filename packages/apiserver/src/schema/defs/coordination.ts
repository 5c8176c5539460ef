// Schemas: coordination. Filled in by its owner; see ../dsl.ts for the language.
import type { ObjectType } from '../dsl.js';

export const types: ObjectType[] = [];
