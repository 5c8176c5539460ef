// Server-side apply and managedFields, as a pure library (no I/O, deterministic given `time`).
//
// Contract for the HTTP server:
// - create / update / patch (every non-apply write): after defaulting and before storing, call
//   `updateManagedFields(reg, def.schema, old, next, { manager, apiVersion, subresource?, time,
//   ignoredTopLevel? })`. `old` is the stored object (undefined on create); `next` is the object
//   about to be stored, with the managedFields the request carried (do not copy old's over:
//   a request may replace them, and [] or [{}] clears them). It writes next.metadata.managedFields.
//   Objects that exist without managedFields stay untracked, as upstream.
// - apply (PATCH application/apply-patch+yaml, fieldManager required, force from ?force=true):
//   `serverSideApply(reg, def.schema, live, applied, { manager, apiVersion, force, time,
//   subresource?, ignoredTopLevel? })` returns the merged object with managedFields; the server
//   then stamps metadata (create) or carries it over (update), defaults, validates and stores it
//   as it does for other writes. `live` is undefined when the object does not exist (create).
//   Throws ApiError: 409 Conflict with FieldManagerConflict causes, 400 for managedFields in the
//   body or an apiVersion other than the one served, 500 for list items that cannot be keyed.
// - ignoredTopLevel: ['status'] on the main resource when a status subresource exists, and the
//   other top-level fields (e.g. ['spec']) on /status; their changes are never attributed, and
//   apply keeps their live values.
// - manager: the request's fieldManager, else the user agent's program name (before the first
//   "/"), as upstream; "" records as "unknown". time: the request time (seconds precision).
// Ownership follows the schema (src/schema): listType map/set lists per item, other lists atomic,
// mapType=atomic maps and structs whole, `any` values whole, undeclared fields deduced.
export { updateManagedFields, serverSideApply, fieldSetOf, conflictError, type UpdateInfo, type ApplyOptions } from './apply.js';
export { FieldSet, pathString, type Path, type PathElement } from './fieldset.js';
export { decodeManaged, encodeManaged, managerId, type Managed, type ManagedEntry, type ManagerInfo } from './managed.js';
