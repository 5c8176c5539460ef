// Go duration strings: the one implementation lives in the client library.
export { parseDuration, formatDuration } from '@kube-ts/client';
