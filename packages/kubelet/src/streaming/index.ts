// The kubelet's streaming endpoints (exec, attach, port-forward): client-facing WebSocket/SPDY
// upgrades bridged to the container runtime's streaming server.
export { serveRemoteCommand, type RemoteCommandOptions } from './remotecommand.js';
export { servePortForward } from './portforward.js';
export { rejectUpgrade } from './upgrade.js';
