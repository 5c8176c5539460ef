#!/usr/bin/env bash
# Brings up what exists today on this machine: a single-member raftkv on 127.0.0.1:2379
# (data in .data/raftkv), and prints how to talk to it. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund || npm install --no-audit --no-fund
npm run build --silent
mkdir -p .data
PORT="${RAFTKV_PORT:-2379}"
cat <<MSG
raftkv is starting on 127.0.0.1:${PORT} (data: .data/raftkv, metrics: http://127.0.0.1:2381/metrics)

  export ETCDCTL_API=3
  etcdctl --endpoints=127.0.0.1:${PORT} put greeting hello
  etcdctl --endpoints=127.0.0.1:${PORT} get greeting -w json
  etcdctl --endpoints=127.0.0.1:${PORT} endpoint status -w table

The Kubernetes control plane (kube-apiserver, scheduler, ...) is not built yet: see README.
MSG
exec node packages/raftkv/dist/cli.js \
  --name default --data-dir .data/raftkv \
  --listen-client-urls "http://127.0.0.1:${PORT}" --advertise-client-urls "http://127.0.0.1:${PORT}" \
  --listen-metrics-urls http://127.0.0.1:2381
