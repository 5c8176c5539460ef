// The kubelet's HTTPS server (:10250).
export type { KubeletServerHost } from './host.js';
export { startKubeletServer, type KubeletServer, type KubeletServerOptions } from './server.js';
export { ensureSelfSignedCert, type CertPaths } from './certs.js';
export {
  matchStreamRoute,
  remoteCommandOptions,
  type RemoteCommandOptions,
  type StreamingHandlers,
  type StreamRoute,
} from './streams.js';
