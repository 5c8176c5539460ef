// Downward API values: pod fields (env fieldRef, downward API files) and container resources.
export { podFieldValue, extractFieldPathAsString, convertDownwardAPIFieldLabel, splitMaybeSubscriptedPath, isQualifiedName } from './pod.js';
export { containerResourceValue } from './resource.js';
export { formatMap, goQuote } from './format.js';
