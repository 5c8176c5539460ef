#!/usr/bin/env bash
# Installs the node's CNI plugins and network config: our `bridge` (packages/cni, with in-process
# host-local IPAM) as wrappers that exec it under this Node.js, the reference `loopback` from
# Debian's containernetworking-plugins, and a conflist for the pod CIDR.
#   cni-setup.sh BIN_DIR CONF_DIR POD_CIDR [BRIDGE_NAME] [IPAM_DATA_DIR]
# CNI_IMPL=reference installs Debian's reference bridge/host-local instead (benchmarks compare both).
set -euo pipefail
BIN="${1:?usage: cni-setup.sh BIN_DIR CONF_DIR POD_CIDR [BRIDGE] [IPAM_DATA_DIR]}"
CONF="${2:?}"; CIDR="${3:?}"; BRIDGE="${4:-cni0}"; DATA="${5:-/var/lib/cni/networks}"
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
NODE="$(command -v node)"
[ -f "$REPO/packages/cni/dist/bridge.js" ] || { echo "cni-setup: build first (npm run build)" >&2; exit 1; }
LOOPBACK=/usr/lib/cni/loopback
[ -x "$LOOPBACK" ] || LOOPBACK=/opt/cni/bin/loopback
[ -x "$LOOPBACK" ] || { echo "cni-setup: the loopback plugin is missing (apt-get install containernetworking-plugins)" >&2; exit 1; }
mkdir -p "$BIN" "$CONF"
for p in bridge host-local; do
  if [ "${CNI_IMPL:-ours}" = reference ]; then
    ln -sf "$(dirname "$LOOPBACK")/$p" "$BIN/$p"
    continue
  fi
  rm -f "$BIN/$p"
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$NODE" "$REPO/packages/cni/dist/$p.js" > "$BIN/$p.tmp"
  chmod 755 "$BIN/$p.tmp"; mv "$BIN/$p.tmp" "$BIN/$p"
done
ln -sf "$LOOPBACK" "$BIN/loopback"
cat > "$CONF/10-kube-ts.conflist.tmp" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "kube-ts",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$CIDR"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": "$DATA"
      }
    },
    {"type": "loopback"}
  ]
}
JSON
mv "$CONF/10-kube-ts.conflist.tmp" "$CONF/10-kube-ts.conflist"
