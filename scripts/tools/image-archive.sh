#!/usr/bin/env bash
# Writes a one-layer image as a docker-archive tarball (what `docker save` writes and
# `ctr images import` reads) from a root filesystem directory, without Docker or a registry.
#   image-archive.sh ROOTFS TAG OUT.tar ENTRYPOINT_JSON [ENV_JSON]
# e.g. image-archive.sh /tmp/rootfs pno.local/pause:3.10 pause.tar '["/pause"]'
#      image-archive.sh /tmp/rootfs pno.local/worker:1 worker.tar '["/bin/node","/app/main.ts"]' '["PATH=/bin"]'
# The layer is reproducible: sorted names, mtime 0, owner root, so equal inputs give equal digests.
set -euo pipefail
[ $# = 4 ] || [ $# = 5 ] || { sed -n '4p' "$0" >&2; exit 2; }
rootfs=$1 tag=$2 out=$3 entrypoint=$4 env=${5:-[]}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$rootfs" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
  tar --no-recursion --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$work/layer.tar" -T -)
layer=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir "$work/$layer"
mv "$work/layer.tar" "$work/$layer/layer.tar"

printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":%s,"Env":%s,"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
  "$entrypoint" "$env" "$layer" > "$work/config.json"
config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/$config.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config" "$tag" "$layer" > "$work/manifest.json"

mkdir -p "$(dirname "$out")"
tar --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work" -cf "$out.tmp" manifest.json "$config.json" "$layer"
mv "$out.tmp" "$out"
