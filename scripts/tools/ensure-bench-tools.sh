#!/usr/bin/env bash
# What `npm run bench:backup` compares the product with, from Debian's packages: restic, pigz (for
# `tar | pigz -1`), and GNU time (each side's peak RSS).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$ROOT/scripts/tools/debian-packages.sh"
ensure_debian_packages restic pigz time
echo "restic $(package_version restic), pigz $(package_version pigz)"
