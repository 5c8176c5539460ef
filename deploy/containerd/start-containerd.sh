#!/usr/bin/env bash
# Starts containerd for a node (tests and the local cluster): writes its config, installs the CNI
# plugins and conflist, starts containerd in the background, waits for its socket, and imports the
# node images (building them when missing). Prints the PID on stdout's last line.
#   start-containerd.sh DIR POD_CIDR
# Everything lives under DIR (config, root, state, socket DIR/containerd.sock, CNI dirs, log),
# so several nodes and test runs never share state. Stop it with `kill PID`.
# Environment: IMAGES_DIR, CNI_BRIDGE, and REGISTRY_MIRRORS (plain-HTTP registries, passed on to
# containerd-config.sh).
set -euo pipefail
DIR="${1:?usage: start-containerd.sh DIR POD_CIDR}"; CIDR="${2:?}"
HERE="$(cd "$(dirname "$0")" && pwd)"
for b in containerd runc ctr; do
  command -v $b >/dev/null || { echo "start-containerd: $b is missing (apt-get install containerd runc)" >&2; exit 1; }
done
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
export CONTAINERD_ROOT="$DIR/root" CONTAINERD_STATE="$DIR/state" CONTAINERD_SOCKET="$DIR/containerd.sock"
export CNI_BIN_DIR="$DIR/cni/bin" CNI_CONF_DIR="$DIR/cni/net.d"
REGISTRY_MIRRORS="${REGISTRY_MIRRORS:-}" "$HERE/containerd-config.sh" "$DIR/config.toml"
"$HERE/cni-setup.sh" "$CNI_BIN_DIR" "$CNI_CONF_DIR" "$CIDR" "${CNI_BRIDGE:-cni0}" "$DIR/cni/networks"
containerd --config "$DIR/config.toml" >"$DIR/containerd.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
  [ -S "$CONTAINERD_SOCKET" ] && ctr --address "$CONTAINERD_SOCKET" version >/dev/null 2>&1 && break
  kill -0 $PID 2>/dev/null || { echo "start-containerd: containerd exited; see $DIR/containerd.log" >&2; tail -5 "$DIR/containerd.log" >&2; exit 1; }
  sleep 0.1
done
IMAGES="${IMAGES_DIR:-$DIR/images}"
[ -f "$IMAGES/pause.tar" ] && [ -f "$IMAGES/busybox.tar" ] || "$HERE/../images/build-images.sh" "$IMAGES" >&2
for t in pause busybox; do
  ctr --address "$CONTAINERD_SOCKET" -n k8s.io images import "$IMAGES/$t.tar" >&2
done
echo "$PID"
