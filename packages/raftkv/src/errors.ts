// etcd's gRPC errors: the same codes and strings, because clients map the strings back to typed
// errors (clientv3 rpctypes, the npm etcd3 client, kube-apiserver's storage layer).
import { status } from '@grpc/grpc-js';

export class EtcdError extends Error {
  constructor(readonly code: status, message: string) {
    super(message);
    this.name = 'EtcdError';
  }
}

const e = (code: status, message: string) => (): EtcdError => new EtcdError(code, message);

export const Errors = {
  emptyKey: e(status.INVALID_ARGUMENT, 'etcdserver: key is not provided'),
  keyNotFound: e(status.INVALID_ARGUMENT, 'etcdserver: key not found'),
  valueProvided: e(status.INVALID_ARGUMENT, 'etcdserver: value is provided'),
  leaseProvided: e(status.INVALID_ARGUMENT, 'etcdserver: lease is provided'),
  tooManyOps: e(status.INVALID_ARGUMENT, 'etcdserver: too many operations in txn request'),
  duplicateKey: e(status.INVALID_ARGUMENT, 'etcdserver: duplicate key given in txn request'),
  invalidSortOption: e(status.INVALID_ARGUMENT, 'etcdserver: invalid sort option'),
  compacted: e(status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted'),
  futureRev: e(status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision'),
  noSpace: e(status.RESOURCE_EXHAUSTED, 'etcdserver: mvcc: database space exceeded'),
  leaseNotFound: e(status.NOT_FOUND, 'etcdserver: requested lease not found'),
  leaseExist: e(status.FAILED_PRECONDITION, 'etcdserver: lease already exists'),
  leaseTTLTooLarge: e(status.OUT_OF_RANGE, 'etcdserver: too large lease TTL'),
  requestTooLarge: e(status.INVALID_ARGUMENT, 'etcdserver: request is too large'),
  stopped: e(status.UNAVAILABLE, 'etcdserver: server stopped'),
  corrupt: e(status.DATA_LOSS, 'etcdserver: corrupt cluster'),
  // raftkv-specific: IDs are kept as JS numbers.
  leaseIdRange: e(status.INVALID_ARGUMENT, 'etcdserver: raftkv: lease ID must be between 1 and 2^53-1'),
} as const;

/** Watch cancel reasons (mvcc errors, without the etcdserver prefix, as etcd sends them). */
export const WatchErrors = {
  emptyRange: 'mvcc: watcher range is empty',
  duplicateId: 'mvcc: duplicate watch ID provided on the WatchStream',
} as const;

export function isEtcdError(err: unknown): err is EtcdError {
  return err instanceof EtcdError;
}
