#!/usr/bin/env bash
# Brings up what exists today on this machine: raftkv on 127.0.0.1:2379 (data in .data/raftkv)
# and kube-apiserver on https://127.0.0.1:6443 over it, writes .data/kubeconfig and prints how to
# point kubectl at it. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund || npm install --no-audit --no-fund
npm run build --silent
mkdir -p .data
ETCD_PORT="${RAFTKV_PORT:-2379}"
API_PORT="${APISERVER_PORT:-6443}"
DATA="$(pwd)/.data"

node packages/raftkv/dist/cli.js --name default --data-dir "$DATA/raftkv" \
  --listen-client-urls "http://127.0.0.1:${ETCD_PORT}" --advertise-client-urls "http://127.0.0.1:${ETCD_PORT}" \
  --listen-metrics-urls http://127.0.0.1:2381 2>"$DATA/raftkv.log" &
RAFTKV_PID=$!
trap 'kill $RAFTKV_PID 2>/dev/null || true' EXIT

cat > "$DATA/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- cluster: {server: "https://127.0.0.1:${API_PORT}", certificate-authority: "${DATA}/certs/apiserver-ca.crt"}
  name: local
contexts:
- context: {cluster: local, user: admin}
  name: local
current-context: local
users:
- name: admin
  user: {token: local-admin}
KC

cat <<MSG
raftkv:         127.0.0.1:${ETCD_PORT} (log: .data/raftkv.log, metrics: http://127.0.0.1:2381/metrics)
kube-apiserver: https://127.0.0.1:${API_PORT} (certificates in .data/certs)

  export KUBECONFIG=${DATA}/kubeconfig
  kubectl get namespaces
  kubectl run web --image=nginx:1.27 && kubectl get pods -o wide

  ETCDCTL_API=3 etcdctl --endpoints=127.0.0.1:${ETCD_PORT} get /registry --prefix --keys-only

Scheduler, controllers, kubelet and proxy are not built yet: pods stay Pending (see README).
MSG
node packages/apiserver/dist/cli.js --etcd-servers "http://127.0.0.1:${ETCD_PORT}" \
  --secure-port "${API_PORT}" --bind-address 127.0.0.1 --cert-dir "$DATA/certs"
