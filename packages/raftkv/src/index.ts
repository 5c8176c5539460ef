export { EtcdServer, ETCD_VERSION, type ServerConfig } from './server/etcdserver.js';
export { startGrpc, type ClientTls } from './grpc/server.js';
export { MvccStore } from './mvcc/store.js';
export { EtcdError, Errors } from './errors.js';
export type * from './types.js';
