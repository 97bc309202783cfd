#!/usr/bin/env bash
# Installs and starts what CacheFrom's tests and samples need on a Debian machine (as root):
# a Docker engine, a registry on loopback and an offline base image. Idempotent: anything that
# already answers is reused.
#
#   scripts/dev-engine.sh [start|status|stop]
#
# DOCKER_HOST               engine to use (default: the local unix socket; a remote one is never started)
# CACHEFROM_TEST_REGISTRY   registry address (default 127.0.0.1:5000)
set -euo pipefail

REGISTRY="${CACHEFROM_TEST_REGISTRY:-127.0.0.1:5000}"
STATE_DIR="${CACHEFROM_DEV_STATE:-/tmp/cachefrom-dev}"
DOCKER=/usr/bin/docker   # the 20.10 CLI matching Debian's engine; /usr/local/bin/docker is newer than the engine

log() { printf '[dev-engine] %s\n' "$*"; }
die() { printf '[dev-engine] error: %s\n' "$*" >&2; exit 1; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
  [ -x /bin/busybox ] && /bin/busybox --list >/dev/null 2>&1 && dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
  command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
  command -v flock >/dev/null 2>&1 || missing+=(util-linux)
  command -v ssh-agent >/dev/null 2>&1 || missing+=(openssh-client)   # the BuildKit ssh-forwarding test
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}) and not root: install them or run as root"
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

engine_answers() { timeout 10 "$DOCKER" info >/dev/null 2>&1; }

start_engine() {
  if engine_answers; then log "engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}"; return 0; fi
  [ -z "${DOCKER_HOST:-}" ] || [[ "$DOCKER_HOST" == unix:///var/run/docker.sock ]] \
    || die "no engine answers at DOCKER_HOST=$DOCKER_HOST; this script only starts a local engine"
  pgrep -x dockerd >/dev/null && die "dockerd runs but does not answer; see $STATE_DIR/dockerd.log"
  mkdir -p "$STATE_DIR"
  log "starting dockerd (log: $STATE_DIR/dockerd.log)"
  # setsid: the engine must outlive this shell (CI steps, test runs).
  setsid dockerd --host=unix:///var/run/docker.sock >"$STATE_DIR/dockerd.log" 2>&1 < /dev/null &
  for _ in $(seq 1 60); do engine_answers && { log "engine is up"; return 0; }; sleep 1; done
  tail -n 20 "$STATE_DIR/dockerd.log" >&2 || true
  die "dockerd did not answer within 60 s"
}

registry_answers() { curl -fsS -o /dev/null --max-time 3 "http://$REGISTRY/v2/" 2>/dev/null; }

start_registry() {
  if registry_answers; then log "registry answers at $REGISTRY"; return 0; fi
  case "$REGISTRY" in 127.*|localhost:*) ;; *) die "no registry answers at $REGISTRY; this script only starts one on loopback";; esac
  mkdir -p "$STATE_DIR/registry-data"
  cat >"$STATE_DIR/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE_DIR/registry-data
  delete:
    enabled: true
http:
  addr: $REGISTRY
YAML
  log "starting docker-registry on $REGISTRY (log: $STATE_DIR/registry.log)"
  setsid docker-registry serve "$STATE_DIR/registry.yml" >"$STATE_DIR/registry.log" 2>&1 < /dev/null &
  for _ in $(seq 1 30); do registry_answers && { log "registry is up"; return 0; }; sleep 0.5; done
  tail -n 20 "$STATE_DIR/registry.log" >&2 || true
  die "registry did not answer on $REGISTRY"
}

base_image_tag() {
  # Pinned to the busybox package version, so a changed base is a new tag, never a silent swap.
  local v; v=$(dpkg-query -W -f='${Version}' busybox-static)
  v=${v#*:}; v=${v%%-*}
  echo "cachefrom/busybox:$v"
}

make_base_image() {
  local image; image=$(base_image_tag)
  if "$DOCKER" image inspect "$image" >/dev/null 2>&1; then log "base image $image present"; return 0; fi
  log "building base image $image from busybox-static (offline)"
  local root; root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/root"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  mkdir -p "$root/usr/bin" "$root/sbin" "$root/usr/sbin"
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
  tar -C "$root" -c . | "$DOCKER" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/sh"]' - "$image" >/dev/null
  rm -rf "$root"
  log "base image $image ready"
}

status() {
  engine_answers && log "engine: up" || log "engine: down"
  registry_answers && log "registry $REGISTRY: up" || log "registry $REGISTRY: down"
  "$DOCKER" image inspect "$(base_image_tag)" >/dev/null 2>&1 && log "base image: $(base_image_tag)" || log "base image: missing"
}

stop() {
  pkill -f "docker-registry serve $STATE_DIR/registry.yml" || true
  pkill -x dockerd || true
  log "stopped"
}

case "${1:-start}" in
  start) install_packages; start_engine; start_registry; make_base_image; status ;;
  status) status ;;
  stop) stop ;;
  base-image) base_image_tag ;;
  *) die "usage: $0 [start|status|stop|base-image]" ;;
esac
