// Go duration strings: the one implementation lives in the client library.
export { parseDuration } from '@kube-ts/client';
