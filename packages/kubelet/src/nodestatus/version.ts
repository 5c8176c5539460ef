// The version this kubelet reports (nodeInfo.kubeletVersion / kubeProxyVersion): the Kubernetes
// release whose behaviour the project follows, as kubectl 1.32.4 expects of its server.
export const KUBELET_VERSION = 'v1.32.0-kube-ts.0.1.0';
