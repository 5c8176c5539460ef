#!/usr/bin/env bash
# `npm run down [-- --purge]`: stops what deploy/local-up.sh started, node first, and removes what
# the node left on the host, so nothing of ours remains (processes, mounts, pod netns, bridges and
# the service route, KUBE-*/CNI-* chains, kube-proxy's nft tables, cgroups). Idempotent: safe to run
# twice, after a failed `up` or after a crash. --purge also deletes the data dir.
# Order: the kubelet first (a running kubelet would recreate the sandboxes removed next), every pod
# sandbox through CRI while containerd runs (CNI DEL releases the netns, IP and chains),
# kube-proxy then `kube-proxy --cleanup`, containerd, leftovers, then the control plane in reverse.
# Same environment overrides as local-up.sh (DATA_DIR, bridges, CIDRs, CGROUP_ROOT...).
set -uo pipefail
source "$(dirname "$0")/local/env.sh"
cd "$REPO"

PURGE=0
for a in "$@"; do
  case "$a" in
    --purge) PURGE=1 ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $a (usage: local-down.sh [--purge])" >&2; exit 2 ;;
  esac
done
if [ ! -d "$DATA" ]; then
  echo "Nothing to stop: $DATA does not exist."
  exit 0
fi
if [ "$(id -u)" != 0 ] && { [ -f "$(pidfile kubelet)" ] || [ -f "$(pidfile containerd)" ]; }; then
  echo "error: the node was started as root; run: sudo npm run down" >&2
  exit 1
fi

STEPS=8
WARN=0
done_step() { echo "ok ($(elapsed))${1:+ $1}"; }
warn() {
  WARN=1
  echo "  warning: $*" >&2
}

# Processes that are ours without a pidfile: containerd's shims (their command line names our
# socket) and anything still inside our pod cgroups. Signalled by PID.
kill_leftovers() {
  local pids=() pid line
  while read -r pid line; do
    [[ "$line" == *"$CTD_SOCK"* ]] && [ "$pid" != "$$" ] && pids+=("$pid")
  done < <(ps -eo pid=,args= 2>/dev/null)
  for f in /sys/fs/cgroup/*"$CGROUP_ROOT"; do
    [ -d "$f" ] || continue
    while read -r pid; do pids+=("$pid"); done < <(find "$f" -name cgroup.procs -exec cat {} + 2>/dev/null)
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  kill -KILL "${pids[@]}" 2>/dev/null || true
  sleep 0.3
}

unmount_under() {
  local t
  # Deepest first; /proc/self/mounts escapes spaces as \040.
  while IFS= read -r t; do
    [ -n "$t" ] || continue
    umount "$t" 2>/dev/null || umount -l "$t" 2>/dev/null || warn "could not unmount $t"
  done < <(awk -v d="$DATA/" 'index($2, d) == 1 { print length($2), $2 }' /proc/self/mounts | sort -rn | cut -d' ' -f2- | sed 's/\\040/ /g')
}

# --- 1: kubelet ---------------------------------------------------------------------------------
step "stopping kubelet"
stop_pids 20 kubelet
done_step

# --- 2: pods ------------------------------------------------------------------------------------
step "removing pod sandboxes through CRI"
msg=""
if live_pid containerd >/dev/null; then
  msg="$(node "$HELPER" cri-clean "unix://$CTD_SOCK" 2>&1)" || warn "CRI cleanup: $msg"
elif [ -f "$CTD_DIR/config.toml" ] && compgen -G "$CTD_DIR/root/io.containerd.grpc.v1.cri/sandboxes/*" >/dev/null; then
  # containerd died with sandboxes: start it again so CNI DEL still runs for each.
  setsid containerd --config "$CTD_DIR/config.toml" </dev/null >>"$CTD_DIR/containerd.log" 2>&1 &
  echo $! >"$(pidfile containerd)"
  for _ in $(seq 1 100); do [ -S "$CTD_SOCK" ] && ctr --address "$CTD_SOCK" version >/dev/null 2>&1 && break; sleep 0.1; done
  msg="$(node "$HELPER" cri-clean "unix://$CTD_SOCK" 2>&1)" || warn "CRI cleanup: $msg"
  msg="(restarted containerd for it) $msg"
else
  msg="(containerd not running, no sandboxes left)"
fi
done_step "$msg"

# --- 3: kube-proxy ------------------------------------------------------------------------------
step "stopping kube-proxy and removing its rules"
had_proxy=0
{ [ -f "$(pidfile kube-proxy)" ] || [ -f "$PROXY_CONFIG" ]; } && had_proxy=1
stop_pids 10 kube-proxy
msg=""
if [ $had_proxy = 1 ]; then
  cleaned=0
  if [ -f "$PROXY_CLI" ]; then
    args=(--cleanup)
    [ -f "$PROXY_CONFIG" ] && args=(--config "$PROXY_CONFIG" --cleanup)
    node "$PROXY_CLI" "${args[@]}" >>"$LOGS/kube-proxy-cleanup.log" 2>&1 && cleaned=1
  fi
  if [ $cleaned = 0 ]; then
    # kube-proxy --cleanup is unavailable or failed: remove its tables and chains here.
    nft delete table ip kube-proxy 2>/dev/null || true
    nft delete table ip6 kube-proxy 2>/dev/null || true
    node "$HELPER" kube-chains >/dev/null 2>&1 || warn "could not remove KUBE-* chains"
    msg="(kube-proxy --cleanup unavailable or failed: removed its tables directly)"
  fi
else
  msg="(was not running)"
fi
done_step "$msg"

# --- 4: containerd ------------------------------------------------------------------------------
step "stopping containerd"
stop_pids 10 containerd
kill_leftovers
unmount_under
done_step

# --- 5: node network ----------------------------------------------------------------------------
step "removing bridges $CNI_BRIDGE $SVC_BRIDGE, the $SERVICE_CIDR route and CNI chains"
if [ "$(id -u)" = 0 ]; then
  ip route del "$SERVICE_CIDR" dev "$SVC_BRIDGE" 2>/dev/null || true
  for b in "$CNI_BRIDGE" "$SVC_BRIDGE"; do
    ip link show "$b" >/dev/null 2>&1 && { ip link del dev "$b" || warn "could not delete bridge $b"; }
  done
  node "$HELPER" cni-chains "$POD_CIDR" >/dev/null 2>&1 || warn "could not remove CNI chains for $POD_CIDR"
  # iptables-nft's generic tables that `up` found absent go too, if nothing else put rules in them
  # (KTS_KEEP_NFT_TABLES=1 keeps them: tests running beside other users of those tables).
  if [ -f "$RUN/nft-tables.before" ] && [ "${KTS_KEEP_NFT_TABLES:-}" != 1 ]; then
    for t in "ip nat" "ip filter" "ip mangle"; do
      grep -qx "table $t" "$RUN/nft-tables.before" && continue
      nft list table $t >/dev/null 2>&1 || continue
      nft list table $t | grep -vqE '^[[:space:]]*(table|chain|type|policy|\}|$)' || nft delete table $t 2>/dev/null || true
    done
  fi
  rm -f "$RUN/nft-tables.before"
fi
done_step

# --- 6: cgroups and CNI state -------------------------------------------------------------------
step "removing cgroups $CGROUP_ROOT and CNI IPAM state"
for f in /sys/fs/cgroup/*"$CGROUP_ROOT"; do
  [ -d "$f" ] || continue
  find "$f" -depth -type d -exec rmdir {} + 2>/dev/null
  [ -d "$f" ] && warn "cgroup $f is still there (busy)"
done
rm -rf "$CTD_DIR/cni/networks"
done_step

# --- 7: control plane ---------------------------------------------------------------------------
step "stopping kube-controller-manager, kube-scheduler, kube-apiserver, raftkv"
# The controllers together, then the apiserver, then its store.
stop_pids 10 kube-controller-manager kube-scheduler
stop_pids 10 kube-apiserver
stop_pids 10 raftkv
rm -f "$RUN/up.done"
done_step

# --- 8: data ------------------------------------------------------------------------------------
step "data dir $DATA"
if [ $PURGE = 1 ]; then
  if awk -v d="$DATA/" 'index($2, d) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
    warn "mounts remain under $DATA: not deleting it"
    done_step "kept"
  else
    rm -rf "$DATA"
    done_step "deleted"
  fi
else
  done_step "kept (npm run down -- --purge deletes it)"
fi

if [ $WARN = 1 ]; then
  echo "Stopped, with warnings (above)."
  exit 1
fi
echo "Stopped: nothing of the local cluster is running."
