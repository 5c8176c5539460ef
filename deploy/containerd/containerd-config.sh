#!/usr/bin/env bash
# Writes a containerd 1.6 config (version 2) that works on these nodes: CRI on runc v2 with cgroupfs
# (cgroup v1), overlayfs, restrict_oom_score_adj (root lacks CAP_SYS_RESOURCE in this VM, so the
# pause container's oom_score_adj -998 would kill every sandbox), an explicit CNI bin/conf dir and a
# locally imported sandbox image. Every path is a parameter so tests run their own containerd.
#   containerd-config.sh OUT_FILE
# Environment: CONTAINERD_ROOT, CONTAINERD_STATE, CONTAINERD_SOCKET, CNI_BIN_DIR, CNI_CONF_DIR,
#   SANDBOX_IMAGE (defaults: the system paths and kube-ts.local/pause:3.10),
#   REGISTRY_MIRRORS: optional space/comma separated HOST[:PORT] list pulled over plain HTTP (a local
#   test registry); each gets a CRI registry.mirrors entry with endpoint http://HOST.
set -euo pipefail
OUT="${1:?usage: containerd-config.sh OUT_FILE}"
ROOT="${CONTAINERD_ROOT:-/var/lib/containerd}"
STATE="${CONTAINERD_STATE:-/run/containerd}"
SOCKET="${CONTAINERD_SOCKET:-/run/containerd/containerd.sock}"
CNI_BIN="${CNI_BIN_DIR:-/opt/cni/bin}"
CNI_CONF="${CNI_CONF_DIR:-/etc/cni/net.d}"
SANDBOX="${SANDBOX_IMAGE:-kube-ts.local/pause:3.10}"
mkdir -p "$(dirname "$OUT")"
cat > "$OUT" <<TOML
version = 2
root = "$ROOT"
state = "$STATE"
oom_score = 0

[grpc]
  address = "$SOCKET"

[ttrpc]
  address = "$SOCKET.ttrpc"

[debug]
  address = ""

[metrics]
  address = ""

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "$SANDBOX"
    restrict_oom_score_adj = true
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    enable_tls_streaming = false
    disable_apparmor = true
    tolerate_missing_hugetlb_controller = true
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "$CNI_BIN"
      conf_dir = "$CNI_CONF"
      max_conf_num = 1
TOML
# containerd 1.6 CRI: registry.mirrors."HOST".endpoint (the http scheme makes the resolver use plain HTTP).
MIRRORS="${REGISTRY_MIRRORS:-}"
for host in ${MIRRORS//,/ }; do
  cat >> "$OUT" <<TOML
    [plugins."io.containerd.grpc.v1.cri".registry.mirrors."$host"]
      endpoint = ["http://$host"]
TOML
done
