#!/usr/bin/env bash
# Brings up what exists today on this machine: raftkv on 127.0.0.1:2379 (data in .data/raftkv),
# kube-apiserver on https://127.0.0.1:6443 over it, and kube-scheduler (secure port 10259) once
# the apiserver answers, then kube-controller-manager (secure port 10257) with a cluster signing CA
# made by openssl in .data/pki; then, when running as root with containerd and runc installed,
# a private containerd (.data/containerd, our CNI bridge on 10.200.0.0/24, the project's pause and
# busybox images) and the kubelet for node "local-node". Writes .data/kubeconfig and prints how to
# point kubectl at it. Ctrl-C stops them all (pods keep their containers until containerd stops).
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
# kube-apiserver gives up when the store is unreachable at start: wait until raftkv serves.
for _ in $(seq 1 150); do
  curl -sf http://127.0.0.1:2381/health >/dev/null 2>&1 && break
  kill -0 $RAFTKV_PID 2>/dev/null || { echo "raftkv exited; see .data/raftkv.log" >&2; exit 1; }
  sleep 0.2
done

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
  kubectl run hello --image=kube-ts.local/busybox:1.35 -- sleep 3600 && kubectl get pods -o wide

  ETCDCTL_API=3 etcdctl --endpoints=127.0.0.1:${ETCD_PORT} get /registry --prefix --keys-only

kube-scheduler: https://127.0.0.1:10259/healthz (log: .data/kube-scheduler.log)

kube-controller-manager: https://127.0.0.1:10257/healthz (log: .data/kube-controller-manager.log)
  kubectl create deployment web3 --image=kube-ts.local/busybox:1.35 --replicas=3 -- httpd -f -p 80 && kubectl get rs,pods -o wide

No kube-proxy runs yet (see README): Service ClusterIPs are allocated but not routed.
MSG
node packages/apiserver/dist/cli.js --etcd-servers "http://127.0.0.1:${ETCD_PORT}" \
  --secure-port "${API_PORT}" --bind-address 127.0.0.1 --cert-dir "$DATA/certs" \
  --kubelet-preferred-address-types InternalIP,Hostname &
API_PID=$!
trap 'kill $RAFTKV_PID $API_PID 2>/dev/null || true; for p in ${SCHED_PID:-} ${KCM_PID:-} ${KUBELET_PID:-} ${CTD_PID:-}; do kill $p 2>/dev/null || true; done' EXIT
for _ in $(seq 1 100); do
  [ -f "$DATA/certs/apiserver-ca.crt" ] && kubectl --kubeconfig "$DATA/kubeconfig" get --raw /readyz >/dev/null 2>&1 && break
  sleep 0.2
done
node packages/scheduler/dist/cli.js --kubeconfig "$DATA/kubeconfig" --leader-elect=false \
  --secure-port 10259 --bind-address 127.0.0.1 2>"$DATA/kube-scheduler.log" &
SCHED_PID=$!
mkdir -p "$DATA/pki"
if [ ! -f "$DATA/pki/ca.key" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=kubernetes-ca" \
    -keyout "$DATA/pki/ca.key" -out "$DATA/pki/ca.crt" 2>/dev/null
fi
node packages/controller-manager/dist/cli.js --kubeconfig "$DATA/kubeconfig" --leader-elect=false \
  --secure-port 10257 --bind-address 127.0.0.1 --root-ca-file "$DATA/certs/apiserver-ca.crt" \
  --cluster-signing-cert-file "$DATA/pki/ca.crt" --cluster-signing-key-file "$DATA/pki/ca.key" \
  --cluster-cidr 10.200.0.0/16 --allocate-node-cidrs=true --service-cluster-ip-range 10.0.0.0/24 \
  2>"$DATA/kube-controller-manager.log" &
KCM_PID=$!

# The node: containerd + kubelet (root only; says what is missing otherwise).
missing=()
[ "$(id -u)" = 0 ] || missing+=("root")
for b in containerd runc ctr gcc; do command -v $b >/dev/null || missing+=("$b"); done
[ -x /bin/busybox ] || missing+=("busybox-static")
[ -x /usr/lib/cni/loopback ] || [ -x /opt/cni/bin/loopback ] || missing+=("containernetworking-plugins")
if [ ${#missing[@]} -gt 0 ]; then
  echo "No kubelet: missing ${missing[*]} (apt-get install containerd runc busybox-static gcc libc6-dev containernetworking-plugins, as root)." >&2
else
  echo "starting containerd (.data/containerd) and the kubelet (node local-node)..." >&2
  CTD_PID=$(CNI_BRIDGE=kts0 IMAGES_DIR="$DATA/images" deploy/containerd/start-containerd.sh "$DATA/containerd" 10.200.0.0/24 2>>"$DATA/containerd-setup.log" | tail -1)
  cat > "$DATA/kubelet-config.yaml" <<CFG
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: 10250
readOnlyPort: 0
staticPodPath: $DATA/manifests
podLogsDir: $DATA/pod-logs
cgroupRoot: /kube-ts
clusterDomain: cluster.local
failSwapOn: false
CFG
  mkdir -p "$DATA/manifests"
  node packages/kubelet/dist/cli.js --kubeconfig "$DATA/kubeconfig" --config "$DATA/kubelet-config.yaml" \
    --container-runtime-endpoint "unix://$DATA/containerd/containerd.sock" --hostname-override local-node \
    --node-ip 127.0.0.1 --root-dir "$DATA/kubelet" --cert-dir "$DATA/kubelet/pki" 2>"$DATA/kubelet.log" &
  KUBELET_PID=$!
  cat <<MSG

kubelet:        node local-node, https://127.0.0.1:10250/healthz (log: .data/kubelet.log); containerd: .data/containerd
  kubectl get nodes
  kubectl create deployment web --image=kube-ts.local/busybox:1.35 -- httpd -f -p 80
  kubectl get pods -o wide && kubectl exec deploy/web -- wget -qO- localhost:80 ; kubectl logs deploy/web
  static pods: drop a Pod manifest into .data/manifests
MSG
fi
wait $API_PID
