#!/usr/bin/env bash
# The offline base image the sample and the tests build on, made from Debian's busybox-static (Docker
# Hub is never needed). One recipe for the test engines (scripts/engines.sh) and the development
# engine (scripts/dev-engine.sh).
#
#   scripts/base-image.sh tag            cachefrom/busybox:VERSION, pinned to the package version
#   scripts/base-image.sh import HOST    import it into the engine at HOST unless it is there
set -euo pipefail

CLI=/usr/bin/docker   # Debian's 20.10 CLI; it talks to every engine here (API negotiation)

tag() {
  # Pinned to the busybox package version, so a changed base is a new tag, never a silent swap.
  local v; v=$(dpkg-query -W -f='${Version}' busybox-static)
  v=${v#*:}; v=${v%%-*}
  echo "cachefrom/busybox:$v"
}

import() {
  local host=$1 image; image=$(tag)
  local cli=("$CLI" -H "$host")
  if "${cli[@]}" image inspect "$image" >/dev/null 2>&1; then return 0; fi
  printf '[base-image] importing %s into %s from busybox-static (offline)\n' "$image" "$host" >&2
  local root; root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/root" "$root/usr/bin" "$root/sbin" "$root/usr/sbin"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
  chmod 1777 "$root/tmp"
  tar -C "$root" -c . | "${cli[@]}" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/sh"]' - "$image" >/dev/null
  rm -rf "$root"
}

case "${1:-}" in
  tag) tag ;;
  import) import "${2:?usage: $0 import HOST}" ;;
  *) printf 'usage: %s tag|import HOST\n' "$0" >&2; exit 2 ;;
esac
