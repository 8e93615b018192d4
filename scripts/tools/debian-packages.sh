# Sourced by the ensure-*.sh scripts: installs Debian packages that are missing, as root, with a
# policy-rc.d guard so that none of their services starts (the test setup starts what it needs).
#   ensure_debian_packages PKG...   appends what it installed to the array `built` when one exists
installed_package() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

ensure_debian_packages() {
  local missing=() p guard=/usr/sbin/policy-rc.d
  for p in "$@"; do installed_package "$p" || missing+=("$p"); done
  [ ${#missing[@]} -gt 0 ] || return 0
  [ "$(id -u)" = 0 ] || { echo "[setup] installing needs root: ${missing[*]}" >&2; exit 1; }
  echo "[setup] installing ${missing[*]} (apt-get)" >&2
  # Packages must not start their services (containerd would claim /run/containerd): exit 101 = "not now".
  if [ ! -e "$guard" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$guard"; chmod +x "$guard"
    # Removed when the script ends (a global: the trap runs after this function has returned).
    PNO_POLICY_GUARD=$guard; trap 'rm -f "$PNO_POLICY_GUARD"' EXIT
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  if declare -p built >/dev/null 2>&1; then built+=("packages:${missing[*]}"); fi
}

# The upstream version of an installed package (epoch and Debian revision dropped): 2.42.0+ds-5 → 2.42.0.
package_version() { local v; v=$(dpkg-query -W -f='${Version}' "$1"); v=${v#*:}; echo "${v%%[~+-]*}"; }
