#!/usr/bin/env bash
# Builds the node's images without a registry or Docker: a pause image (static C program) and a
# busybox image (Debian's busybox-static with applet links and /etc/passwd), as docker-archive tars
# that `ctr images import` reads. Deterministic: same inputs, same layer digests.
#   build-images.sh OUT_DIR          -> OUT_DIR/pause.tar, OUT_DIR/busybox.tar
# Image names: kube-ts.local/pause:3.10 and kube-ts.local/busybox:1.35 (override with
# PAUSE_IMAGE / BUSYBOX_IMAGE).
set -euo pipefail
OUT="${1:?usage: build-images.sh OUT_DIR}"
HERE="$(cd "$(dirname "$0")" && pwd)"
PAUSE_IMAGE="${PAUSE_IMAGE:-kube-ts.local/pause:3.10}"
BUSYBOX_IMAGE="${BUSYBOX_IMAGE:-kube-ts.local/busybox:1.35}"
command -v gcc >/dev/null || { echo "build-images: gcc is missing (apt-get install gcc libc6-dev)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "build-images: /bin/busybox is missing (apt-get install busybox-static)" >&2; exit 1; }
file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' \
  || { echo "build-images: /bin/busybox is not static (install busybox-static)" >&2; exit 1; }
mkdir -p "$OUT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# tar with fixed owner, mode-preserving, sorted, fixed mtime: reproducible layer digests.
det_tar() { tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='@0' --format=gnu -C "$1" -cf "$2" .; }

# image NAME ROOTFS_DIR ENTRYPOINT_JSON CMD_JSON OUT_TAR
image() {
  local name="$1" rootfs="$2" entry="$3" cmd="$4" out="$5" d="$WORK/img-$RANDOM"
  mkdir -p "$d"
  det_tar "$rootfs" "$d/layer.tar"
  local diff; diff="sha256:$(sha256sum "$d/layer.tar" | cut -d' ' -f1)"
  cat > "$d/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Entrypoint":$entry,"Cmd":$cmd,"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["$diff"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"kube-ts deploy/images/build-images.sh"}]}
JSON
  local cfg; cfg="$(sha256sum "$d/config.json" | cut -d' ' -f1)"
  mv "$d/config.json" "$d/$cfg.json"
  mkdir -p "$d/layer"; mv "$d/layer.tar" "$d/layer/layer.tar"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer/layer.tar"]}]\n' "$cfg" "$name" > "$d/manifest.json"
  (cd "$d" && tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='@0' -cf "$out" manifest.json "$cfg.json" layer)
}

# pause
mkdir -p "$WORK/pause"
gcc -static -O2 -s -o "$WORK/pause/pause" "$HERE/pause.c"
image "$PAUSE_IMAGE" "$WORK/pause" '["/pause"]' 'null' "$OUT/pause.tar"

# busybox: the static binary plus one hard link per applet, a passwd/group for uid lookups, /tmp.
R="$WORK/busybox"
mkdir -p "$R/bin" "$R/etc" "$R/tmp" "$R/root" "$R/var/www" "$R/proc" "$R/sys" "$R/dev"
chmod 1777 "$R/tmp"
cp /bin/busybox "$R/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln "$R/bin/busybox" "$R/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$R/etc/group"
image "$BUSYBOX_IMAGE" "$R" 'null' '["sh"]' "$OUT/busybox.tar"
echo "built $OUT/pause.tar ($PAUSE_IMAGE) and $OUT/busybox.tar ($BUSYBOX_IMAGE)"
