# Settings and helpers shared by deploy/local-up.sh and deploy/local-down.sh (sourced, not run).
# Every name, port, path and range can be overridden from the environment, so a second cluster
# (the e2e test's) runs beside the default one without clashing.
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${DATA_DIR:-$REPO/.data}"
case "$DATA" in /*) ;; *) DATA="$PWD/$DATA" ;; esac
DATA="${DATA%/}"
RUN="$DATA/run"
LOGS="$DATA/logs"

NODE_NAME="${NODE_NAME:-local-node}"
POD_CIDR="${POD_CIDR:-10.200.0.0/24}"           # this node's pods (the CNI bridge's subnet)
CLUSTER_CIDR="${CLUSTER_CIDR:-10.200.0.0/16}"   # all pods (KCM node IPAM, kube-proxy clusterCIDR)
NODE_CIDR_MASK="${NODE_CIDR_MASK:-24}"
SERVICE_CIDR="${SERVICE_CIDR:-10.0.0.0/24}"
CNI_BRIDGE="${CNI_BRIDGE:-kts0}"                # pod bridge; its gateway address is the node IP
SVC_BRIDGE="${SVC_BRIDGE:-kts-svc}"             # empty bridge the service CIDR is routed into
CGROUP_ROOT="${CGROUP_ROOT:-/kube-ts}"
PROXY_MODE="${PROXY_MODE:-iptables}"

RAFTKV_PORT="${RAFTKV_PORT:-2379}"
RAFTKV_PEER_PORT="${RAFTKV_PEER_PORT:-2380}"
RAFTKV_METRICS_PORT="${RAFTKV_METRICS_PORT:-2381}"
APISERVER_PORT="${APISERVER_PORT:-6443}"
SCHEDULER_PORT="${SCHEDULER_PORT:-10259}"
KCM_PORT="${KCM_PORT:-10257}"
KUBELET_PORT="${KUBELET_PORT:-10250}"
KUBELET_HEALTHZ_PORT="${KUBELET_HEALTHZ_PORT:-10248}"
PROXY_HEALTHZ_PORT="${PROXY_HEALTHZ_PORT:-10256}"
PROXY_METRICS_PORT="${PROXY_METRICS_PORT:-10249}"

# The node IP is the pod bridge's gateway address (first host of POD_CIDR): a real interface
# address, so NodePorts answer on it in both proxy modes (localhost NodePorts would need
# route_localnet in iptables mode and are not served at all in nftables mode).
NODE_IP="$(node -e 'const [a]=process.argv[1].split("/");const o=a.split(".").map(Number);o[3]+=1;console.log(o.join("."))' "$POD_CIDR" 2>/dev/null || echo 10.200.0.1)"
POD_PREFIX="${POD_CIDR#*/}"

KUBECONFIG_FILE="$DATA/kubeconfig"
CTD_DIR="$DATA/containerd"
CTD_SOCK="$CTD_DIR/containerd.sock"
PROXY_CONFIG="$DATA/kube-proxy.yaml"
HELPER="$REPO/deploy/local/helper.mjs"
PROXY_CLI="${PROXY_CLI:-$REPO/packages/proxy/dist/cli.js}"


# Numbered progress lines: `step WHAT` prints "[n/$STEPS] WHAT ... ", `elapsed` the step's time.
STEP=0
step() {
  STEP=$((STEP + 1))
  STEP_T0=$(date +%s%N)
  printf '[%d/%d] %s ... ' "$STEP" "$STEPS" "$1"
}
elapsed() {
  local ms=$((($(date +%s%N) - STEP_T0) / 1000000))
  printf '%d.%d s' $((ms / 1000)) $(((ms % 1000) / 100))
}

pidfile() { echo "$RUN/$1.pid"; }

# The PID in NAME's pidfile when that process is alive and still ours (its command line names the
# data dir), so a PID reused after a crash or reboot is never signalled.
live_pid() {
  local f pid
  f="$(pidfile "$1")"
  [ -f "$f" ] || return 1
  pid="$(cat "$f" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$DATA" || return 1
  echo "$pid"
}

# stop_pids GRACE_SECONDS NAME...: TERM them all, wait up to GRACE for all, KILL what is left;
# removes the pidfiles. Together, because each of our daemons takes ~2 s to shut down gracefully.
stop_pids() {
  local grace="$1" name pid i pids=() names=()
  shift
  for name in "$@"; do
    if pid="$(live_pid "$name")"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
      names+=("$name")
    fi
  done
  for ((i = 0; i < grace * 10; i++)); do
    any_alive "${pids[@]}" || break
    sleep 0.1
  done
  for i in "${!pids[@]}"; do
    if kill -0 "${pids[$i]}" 2>/dev/null; then
      kill -KILL "${pids[$i]}" 2>/dev/null || true
      echo "  ${names[$i]} (pid ${pids[$i]}) did not stop within ${grace}s: killed" >&2
    fi
  done
  for ((i = 0; i < 50; i++)); do any_alive "${pids[@]}" || break; sleep 0.1; done
  for name in "$@"; do rm -f "$(pidfile "$name")"; done
}

any_alive() {
  local p
  for p in "$@"; do kill -0 "$p" 2>/dev/null && return 0; done
  return 1
}
