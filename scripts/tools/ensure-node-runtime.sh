#!/usr/bin/env bash
# Ensures what a real Kubernetes node needs on this machine, beside the control plane ensure-kube.sh builds:
#   - Debian packages containerd, runc, containernetworking-plugins (and iptables, which they pull in),
#     conntrack for kube-proxy, and busybox-static + logrotate + postgresql-15, which go into the fixture images;
#     installed as root with a policy-rc.d guard so no service starts; versions checked against the pins;
#   - kubelet and kube-proxy ($KUBERNETES_VERSION, built from scripts/tools/kube-build) and metrics-server
#     ($METRICS_SERVER_VERSION, go install) in "$PNO_TOOLS_DIR/bin", each with a ".<name>.version" stamp;
#   - the local images (scripts/tools/ensure-node-images.sh).
# A second run builds nothing. Prints the bin directory. Cold: see scripts/tools/kube-build/NOTES.md.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TOOLS=${PNO_TOOLS_DIR:-$ROOT/.tools}
BIN=$TOOLS/bin
MOD=$ROOT/scripts/tools/kube-build
source "$ROOT/scripts/tools/versions.env"
mkdir -p "$BIN"
began=$SECONDS
built=()

# --- Debian packages -------------------------------------------------------------------------------
declare -A want=([containerd]=$CONTAINERD_VERSION [runc]=$RUNC_VERSION [containernetworking-plugins]=$CNI_PLUGINS_VERSION
  [conntrack]='' [busybox-static]='' [logrotate]='' [postgresql-15]='')
source "$ROOT/scripts/tools/debian-packages.sh"
ensure_debian_packages "${!want[@]}"
for p in "${!want[@]}"; do
  [ -n "${want[$p]}" ] || continue
  have=$(package_version "$p")
  [ "$have" = "${want[$p]}" ] || { echo "[setup] $p is $have; versions.env pins ${want[$p]}" >&2; exit 1; }
done

# --- kubelet, kube-proxy, metrics-server -----------------------------------------------------------
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
pin() { case $1 in metrics-server) echo "$METRICS_SERVER_VERSION" ;; *) echo "$KUBERNETES_VERSION" ;; esac; }
fresh() { [ -x "$BIN/$1" ] && [ "$(cat "$BIN/.$1.version" 2>/dev/null)" = "$(pin "$1")" ]; }
source "$ROOT/scripts/tools/kube-ldflags.sh"
for t in kubelet kube-proxy metrics-server; do
  fresh "$t" && continue
  echo "[setup] building $t $(pin "$t") (once; cached in $BIN)" >&2
  start=$SECONDS
  case $t in
    metrics-server) GOBIN=$BIN go install -trimpath -ldflags "-s -w" "sigs.k8s.io/metrics-server/cmd/metrics-server@$METRICS_SERVER_VERSION" ;;
    *) have=$(cd "$MOD" && go list -m -f '{{.Version}}' k8s.io/kubernetes)
      [ "$have" = "$KUBERNETES_VERSION" ] || { echo "[setup] $MOD/go.mod has k8s.io/kubernetes $have; versions.env wants $KUBERNETES_VERSION" >&2; exit 1; }
      (cd "$MOD" && go build -trimpath -ldflags "$kube_ldflags" -o "$BIN/$t" "k8s.io/kubernetes/cmd/$t") ;;
  esac
  pin "$t" > "$BIN/.$t.version"
  built+=("$t:$((SECONDS - start))s")
  echo "[setup] built $t in $((SECONDS - start))s" >&2
done

# --- images ----------------------------------------------------------------------------------------
"$ROOT/scripts/tools/ensure-node-images.sh" >/dev/null

[ ${#built[@]} = 0 ] || echo "[setup] node runtime ready in $((SECONDS - began))s (${built[*]})" >&2
echo "$BIN"
