#!/usr/bin/env bash
# Ensures a local Kubernetes control plane in "$PNO_TOOLS_DIR/bin" at the pinned versions:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok, and kubectl
# (skip kubectl with PNO_KUBECTL=0), plus, in "$PNO_TOOLS_DIR/share/kwok/", kwok's default Stage
# config stages.yaml (the kwok binary has no stages built in) and the Exec/ClusterExec CRDs.
# Each binary has a stamp ".<name>.version"; one whose stamp matches its pin is not rebuilt, so a
# second run builds nothing. Prints the bin directory. Cold: ~13 min on 2 cores (scripts/tools/kube-build/NOTES.md).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TOOLS=${PNO_TOOLS_DIR:-$ROOT/.tools}
BIN=$TOOLS/bin
MOD=$ROOT/scripts/tools/kube-build   # helper module: k8s.io/kubernetes with staging modules replaced
source "$ROOT/scripts/tools/versions.env"
mkdir -p "$BIN"
# Static, VCS-free, stripped: reproducible, and smaller binaries.
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

tools=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
[ "${PNO_KUBECTL:-1}" = 0 ] || tools+=(kubectl)

pin() { case $1 in etcd) echo "$ETCD_VERSION" ;; kwok) echo "$KWOK_VERSION" ;; *) echo "$KUBERNETES_VERSION" ;; esac; }
fresh() { [ -x "$BIN/$1" ] && [ "$(cat "$BIN/.$1.version" 2>/dev/null)" = "$(pin "$1")" ] &&
  { [ "$1" != kwok ] || { [ -s "$TOOLS/share/kwok/stages.yaml" ] && [ -s "$TOOLS/share/kwok/exec-crds.yaml" ]; }; }; }

todo=()
for t in "${tools[@]}"; do fresh "$t" || todo+=("$t"); done
if [ ${#todo[@]} = 0 ]; then echo "$BIN"; exit 0; fi

# The helper module's go.mod, not versions.env, decides what gets compiled: refuse a mismatch.
have=$(cd "$MOD" && go list -m -f '{{.Path}}={{.Version}}' k8s.io/kubernetes go.etcd.io/etcd/server/v3 | tr '\n' ' ')
want="k8s.io/kubernetes=$KUBERNETES_VERSION go.etcd.io/etcd/server/v3=$ETCD_VERSION "
[ "$have" = "$want" ] || { echo "[setup] $MOD/go.mod has $have; versions.env wants $want" >&2; exit 1; }

source "$ROOT/scripts/tools/kube-ldflags.sh"

for t in "${todo[@]}"; do
  echo "[setup] building $t $(pin "$t") (once; cached in $BIN)" >&2
  start=$SECONDS
  case $t in
    kwok) GOBIN=$BIN go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
      # The stages kwokctl would load by default: nodes become Ready and keep a lease; pods become
      # Running/Ready, complete, and go away on delete. Taken from the module just downloaded,
      # as are the CRDs that let tests map `kubectl exec` per pod (kwok --enable-crds=Exec).
      src=$(go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK_VERSION/kustomize
      mkdir -p "$TOOLS/share/kwok"
      for f in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
               pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
        echo ---; cat "$src/stage/$f.yaml"; done > "$TOOLS/share/kwok/stages.yaml"
      for f in execs clusterexecs; do
        echo ---; cat "$src/crd/bases/kwok.x-k8s.io_$f.yaml"; done > "$TOOLS/share/kwok/exec-crds.yaml" ;;
    etcd) (cd "$MOD" && go build -trimpath -ldflags "-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3) ;;
    *) (cd "$MOD" && go build -trimpath -ldflags "$kube_ldflags" -o "$BIN/$t" "k8s.io/kubernetes/cmd/$t") ;;
  esac
  pin "$t" > "$BIN/.$t.version"
  echo "[setup] built $t in $((SECONDS - start))s" >&2
done
echo "$BIN"
