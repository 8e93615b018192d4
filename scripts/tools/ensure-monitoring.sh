#!/usr/bin/env bash
# Ensures the monitoring tools the tests run for real: Debian's prometheus (with promtool) and
# prometheus-alertmanager, at the versions versions.env pins, installed without starting their
# services (the test setup starts what it needs). Prints the directory of promtool.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$ROOT/scripts/tools/versions.env"
source "$ROOT/scripts/tools/debian-packages.sh"
declare -A want=([prometheus]=$PROMETHEUS_VERSION [prometheus-alertmanager]=$ALERTMANAGER_VERSION)
ensure_debian_packages "${!want[@]}"
for p in "${!want[@]}"; do
  have=$(package_version "$p")
  [ "$have" = "${want[$p]}" ] || { echo "[setup] $p is $have; versions.env pins ${want[$p]}" >&2; exit 1; }
done
dirname "$(command -v promtool)"
