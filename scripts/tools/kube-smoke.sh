#!/usr/bin/env bash
# Proves the no-Docker control plane works: starts etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler and kwok from "$PNO_TOOLS_DIR/bin" on free 127.0.0.1 ports, makes a fake node,
# waits for a 2-replica Deployment to become available, then (if kubectl was built) checks exec and
# tar-over-exec through kwok. Prints timings; tears everything down on exit. The steps mirror
# scripts/tools/kube-build/NOTES.md, which the local stack (stack/) follows.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TOOLS=${PNO_TOOLS_DIR:-$ROOT/.tools}
BIN=$TOOLS/bin
W=$(mktemp -d "${TMPDIR:-/tmp}/pno-kube.XXXXXX")
mkdir -p "$W/logs" "$W/pod-root"
pids=()
# Teardown in reverse start order (etcd last, so the apiserver can shut down cleanly):
# SIGTERM, up to 10 s grace, then SIGKILL.
cleanup() {
  local i p t=$SECONDS
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do p=${pids[i]}
    kill "$p" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true
  done
  echo "[smoke] teardown took $((SECONDS - t))s" >&2
  [ "${PNO_SMOKE_KEEP_DIR:-0}" = 1 ] && echo "kept $W" >&2 || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
now() { date +%s.%N; }
T0=$(now)
since() { awk -v a="$(now)" -v b="$T0" 'BEGIN { printf "%6.2fs", a - b }'; }
say() { echo "[smoke $(since)] $*" >&2; }
fail() { say "FAILED: $*"; tail -n 20 "$W"/logs/*.log >&2 || true; exit 1; }
# Polls "$@" every 0.2 s until it succeeds or $1 seconds pass.
wait_for() { local limit=$1 what=$2; shift 2; local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do [ $SECONDS -lt $end ] || fail "$what not ready in ${limit}s"; sleep 0.2; done
  say "$what ready"; }
start() { local name=$1; shift; "$@" >"$W/logs/$name.log" 2>&1 & pids+=($!); }

# Free loopback ports: bind port 0 six times at once, then release (small race, fine for tests).
read -r ETCD_PORT PEER_PORT API_PORT KCM_PORT SCHED_PORT KWOK_PORT < <(python3 -c '
import socket; s=[socket.socket() for _ in range(6)]
[x.bind(("127.0.0.1",0)) for x in s]; print(*[x.getsockname()[1] for x in s])')

# --- certificates: one CA signs every serving and client cert; EC keys are instant to make.
cd "$W"
ossl() { openssl "$@" 2>/dev/null; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=pno-test-ca -keyout ca.key -out ca.crt \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
cert() { # name subject extensions...
  local name=$1 subj=$2; shift 2
  ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$subj" \
    -keyout "$name.key" -out "$name.csr"
  printf '%s\n' "$@" > "$name.ext"
  ossl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
    -extfile "$name.ext" -out "$name.crt"
}
SERVER_EXT=(keyUsage=critical,digitalSignature extendedKeyUsage=serverAuth
  subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc)
cert apiserver /CN=kube-apiserver "${SERVER_EXT[@]}"
cert kwok /CN=kwok "${SERVER_EXT[@]}"        # kwok's kubelet API, dialled by the apiserver for exec
cert admin "/O=system:masters/CN=pno-admin" keyUsage=critical,digitalSignature extendedKeyUsage=clientAuth
ossl ecparam -name prime256v1 -genkey -noout -out sa.key   # service-account token signing key
ossl ec -in sa.key -pubout -out sa.pub
cat > admin.kubeconfig <<EOF
apiVersion: v1
kind: Config
clusters:
- name: pno
  cluster: {server: "https://127.0.0.1:$API_PORT", certificate-authority: "$W/ca.crt"}
users:
- name: admin
  user: {client-certificate: "$W/admin.crt", client-key: "$W/admin.key"}
contexts:
- name: pno
  context: {cluster: pno, user: admin, namespace: default}
current-context: pno
EOF
# kwok stages (copied from the kwok module by ensure-kube.sh) + one ClusterExec: `kubectl exec`
# into any pod runs the command on this host, in pod-root/, unless an Exec object named after the
# pod (CRD mode, --enable-crds=Exec) maps that pod elsewhere.
cat > kwok-exec.yaml <<EOF
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterExec
metadata: {name: local-exec}
spec:
  execs:
  - local: {workDir: "$W/pod-root"}
EOF
say "certs and configs written in $W"

# --- etcd: single member, loopback only, no fsync (test data is disposable).
T0=$(now)
start etcd "$BIN/etcd" --name=pno --data-dir="$W/etcd" \
  --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$PEER_PORT" \
  --initial-cluster="pno=http://127.0.0.1:$PEER_PORT" --unsafe-no-fsync --log-level=warn
wait_for 20 etcd curl -fsS "http://127.0.0.1:$ETCD_PORT/readyz"

# --- kube-apiserver
start kube-apiserver "$BIN/kube-apiserver" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --tls-cert-file=apiserver.crt --tls-private-key-file=apiserver.key --client-ca-file=ca.crt \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file=sa.pub --service-account-signing-key-file=sa.key \
  --service-cluster-ip-range=10.96.0.0/16 \
  --authorization-mode=Node,RBAC --allow-privileged=true \
  --endpoint-reconciler-type=none \
  --kubelet-preferred-address-types=InternalIP --kubelet-certificate-authority=ca.crt \
  --kubelet-client-certificate=admin.crt --kubelet-client-key=admin.key \
  --profiling=false
api() { # METHOD PATH [curl args...]; body type from $CT (JSON by default)
  local m=$1 p=$2; shift 2
  curl -fsS --cacert ca.crt --cert admin.crt --key admin.key -X "$m" -H "Content-Type: ${CT:-application/json}" \
    "https://127.0.0.1:$API_PORT$p" "$@"
}
wait_for 60 kube-apiserver/readyz api GET /readyz
T_READY=$(since)

# kwok's Exec CRD must exist before kwok starts watching it. The apiserver takes YAML bodies,
# one object per request, so split the two-document file.
awk '/^---$/ { n++; next } { print > ("crd-" n ".yaml") }' "$TOOLS/share/kwok/exec-crds.yaml"
for f in crd-*.yaml; do
  CT=application/yaml api POST /apis/apiextensions.k8s.io/v1/customresourcedefinitions --data-binary "@$f" >/dev/null
done
crd_established() { api GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/execs.kwok.x-k8s.io |
  jq -e '.status.conditions[] | select(.type=="Established" and .status=="True")'; }
wait_for 10 crd/execs.kwok.x-k8s.io crd_established

# --- controllers, scheduler, kwok: all talk to the apiserver with the admin kubeconfig. No
# --authentication/authorization-kubeconfig: their /healthz is always allowed, and without them they
# don't poll for the front-proxy CA this apiserver doesn't have. Service-account credentials per
# controller are off: they add ~5 s to start-up and nothing that tests need.
start kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig=admin.kubeconfig \
  --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --leader-elect=false \
  --controllers='*' --use-service-account-credentials=false \
  --service-account-private-key-file=sa.key --root-ca-file=ca.crt \
  --cluster-signing-cert-file=ca.crt --cluster-signing-key-file=ca.key
start kube-scheduler "$BIN/kube-scheduler" --kubeconfig=admin.kubeconfig \
  --bind-address=127.0.0.1 --secure-port="$SCHED_PORT" --leader-elect=false
start kwok "$BIN/kwok" --kubeconfig=admin.kubeconfig \
  --config="$TOOLS/share/kwok/stages.yaml" --config=kwok-exec.yaml --enable-crds=Exec \
  --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --manage-nodes-with-label-selector= \
  --cidr=10.0.0.1/24 --node-ip=127.0.0.1 --node-lease-duration-seconds=40 \
  --node-port="$KWOK_PORT" --server-address="127.0.0.1:$KWOK_PORT" \
  --tls-cert-file=kwok.crt --tls-private-key-file=kwok.key

# --- a fake node and a Deployment, created at once; the controllers pick them up when ready.
# The node is created with both addresses: kwok's node-initialize stage rewrites .status.addresses
# to null when Hostname is missing and the stage re-runs, which would break exec.
api POST /api/v1/nodes -d '{"apiVersion":"v1","kind":"Node","metadata":{"name":"kwok-node-0",
  "annotations":{"kwok.x-k8s.io/node":"fake","node.alpha.kubernetes.io/ttl":"0"},
  "labels":{"kubernetes.io/hostname":"kwok-node-0","kubernetes.io/os":"linux","kubernetes.io/arch":"amd64","type":"kwok"}},
  "status":{"addresses":[{"type":"InternalIP","address":"127.0.0.1"},{"type":"Hostname","address":"kwok-node-0"}]}}' >/dev/null
api POST /apis/apps/v1/namespaces/default/deployments -d '{"apiVersion":"apps/v1","kind":"Deployment",
  "metadata":{"name":"smoke"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"smoke"}},
  "template":{"metadata":{"labels":{"app":"smoke"}},"spec":{"containers":[{"name":"main","image":"example.invalid/smoke:1"}]}}}}' >/dev/null
node_ready() { api GET /api/v1/nodes/kwok-node-0 | jq -e '.status.conditions[] | select(.type=="Ready" and .status=="True")'; }
deploy_available() { api GET /apis/apps/v1/namespaces/default/deployments/smoke |
  jq -e '.status.availableReplicas == 2 and .status.updatedReplicas == 2 and .status.observedGeneration == .metadata.generation and any(.status.conditions[]; .type=="Available" and .status=="True")'; }
wait_for 60 node/kwok-node-0 node_ready
# Bare Pods are refused until the namespace's "default" ServiceAccount exists (made by the
# controller-manager); Deployments just retry.
wait_for 30 serviceaccount/default api GET /api/v1/namespaces/default/serviceaccounts/default
wait_for 60 deployment/smoke deploy_available
T_AVAIL=$(since)
api GET /api/v1/namespaces/default/pods?labelSelector=app%3Dsmoke |
  jq -r '.items[] | "  pod \(.metadata.name) phase=\(.status.phase) ready=\(.status.conditions[]|select(.type=="Ready").status) node=\(.spec.nodeName) ip=\(.status.podIP)"' >&2
for c in kube-controller-manager:$KCM_PORT kube-scheduler:$SCHED_PORT; do
  wait_for 10 "${c%%:*}/healthz" curl -fsSk "https://127.0.0.1:${c##*:}/healthz"; done
wait_for 10 kwok/healthz curl -fsS "http://127.0.0.1:$KWOK_PORT/healthz"

# --- exec and tar-over-exec through kwok (needs kubectl; PNO_KUBECTL=0 skips building it).
if [ -x "$BIN/kubectl" ]; then
  k() { timeout 30 "$BIN/kubectl" --kubeconfig=admin.kubeconfig "$@"; }
  pod=$(k get pods -l app=smoke -o jsonpath='{.items[0].metadata.name}')
  say "exec: $(k exec "$pod" -- sh -c 'echo "hello from $(pwd)"')"
  set +e; msg=$(k exec "$pod" -- sh -c 'exit 3' 2>&1); rc=$?; set -e
  say "exec of 'exit 3': kubectl exit code $rc, message: $msg"
  # kwok never closes the command's stdin (it copies the stream without closing the pipe), so
  # only commands that stop reading by themselves work: GNU tar stops at the end-of-archive
  # marker once it has read a whole 10240-byte record, which GNU tar's own output always is.
  mkdir -p src/sub && echo one > src/a.txt && echo two > src/sub/b.txt
  tar cf - -C src . | k exec -i "$pod" -- sh -c 'mkdir -p copied && tar xf - -C copied'
  k exec "$pod" -- tar cf - -C copied . | tar tf - | sort | tr '\n' ' ' | sed 's/^/tar round-trip listing: /' >&2; echo >&2
  diff -r src pod-root/copied && say "tar over exec: directory copied in and out intact"
  set +e; echo hi | timeout 3 "$BIN/kubectl" --kubeconfig=admin.kubeconfig exec -i "$pod" -- cat >/dev/null; rc=$?; set -e
  [ $rc = 124 ] && say "stdin EOF is not delivered through kwok: 'echo hi | exec -i cat' hangs (kubectl cp hangs too)" ||
    say "stdin EOF delivered (rc=$rc): kwok fixed it; revisit NOTES.md"
  # CRD mode: an Exec named after the pod gives that pod its own directory and environment.
  pod2=$(k get pods -l app=smoke -o jsonpath='{.items[1].metadata.name}'); mkdir -p pod2-root
  api POST /apis/kwok.x-k8s.io/v1alpha1/namespaces/default/execs -d '{"apiVersion":"kwok.x-k8s.io/v1alpha1",
    "kind":"Exec","metadata":{"name":"'"$pod2"'"},"spec":{"execs":[{"local":{"workDir":"'"$W/pod2-root"'",
    "envs":[{"name":"POD_NAME","value":"'"$pod2"'"}]}}]}}' >/dev/null
  exec_mapped() { [ "$(k exec "$pod2" -- pwd)" = "$W/pod2-root" ]; }
  wait_for 10 "Exec/$pod2" exec_mapped
  say "per-pod exec: $(k exec "$pod2" -- sh -c 'echo "$POD_NAME in $(pwd)"')"
fi
say "SUMMARY apiserver /readyz ok at $T_READY; Deployment available at $T_AVAIL (from etcd launch)"
# PNO_SMOKE_HOLD=SECONDS keeps the stack up for poking at it: KUBECONFIG=$W/admin.kubeconfig.
if [ "${PNO_SMOKE_HOLD:-0}" != 0 ]; then
  say "holding ${PNO_SMOKE_HOLD}s; KUBECONFIG=$W/admin.kubeconfig"; sleep "$PNO_SMOKE_HOLD" & wait $! || true
  # After a hold longer than the node grace period (50 s) the node must still be Ready, with its
  # lease renewed and its addresses intact.
  node_ready >/dev/null || fail "node not Ready after hold"
  api GET /apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/kwok-node-0 | jq -r '"lease renewTime \(.spec.renewTime)"' >&2
  api GET /api/v1/nodes/kwok-node-0 | jq -c '.status.addresses' >&2
  if [ -x "$BIN/kubectl" ]; then say "exec after hold: $(k exec "$pod" -- echo still-ok)"; fi
fi
