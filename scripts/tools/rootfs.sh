# Helpers for the root filesystems of the local images (sourced by ensure-node-images.sh and
# build-worker-image.sh): no base image can be pulled, so each is made from this machine's files.

# The dynamic loader and every library a binary links (none for a static one), at the paths the
# loader looks them up; libraries already inside the root filesystem (an addon's own) stay where they are.
copy_libraries() {
  local rootfs=$1 bin=$2 lib
  if ldd "$bin" 2>/dev/null | grep -q 'not found'; then
    echo "[setup] $bin links a library this machine lacks:" >&2; ldd "$bin" | grep 'not found' >&2; return 1
  fi
  for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*' || true); do
    case $lib in "$rootfs"/*) continue ;; esac
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
}

# Each binary at its own path, with what it links.
copy_linked() {
  local rootfs=$1 bin; shift
  for bin in "$@"; do
    mkdir -p "$rootfs$(dirname "$bin")"
    cp -L "$bin" "$rootfs$bin"
    copy_libraries "$rootfs" "$bin"
  done
}

add_busybox() {
  local rootfs=$1 applet
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"; done
}
