#!/usr/bin/env bash
# For the README's first command only (build.cake's StartEngine runs it when no engine answers):
# on a machine without a Docker engine, installs Debian's docker.io if missing, starts it as a
# user's engine would run (the default socket, data-root and bridge), and imports the offline base
# image the sample builds on. An engine that already answers is left alone. The tests never use
# this engine: they start their own (scripts/engines.sh).
#
#   scripts/dev-engine.sh [start]
set -euo pipefail
cd "$(dirname "$0")/.."

SOCKET=/var/run/docker.sock
STATE_DIR=/tmp/cachefrom-dev     # its log
CLI=/usr/bin/docker              # Debian's 20.10 CLI, matching Debian's engine

log() { printf '[dev-engine] %s\n' "$*" >&2; }
die() { printf '[dev-engine] error: %s\n' "$*" >&2; exit 1; }

answers() { timeout 10 "$CLI" -H "unix://$SOCKET" info >/dev/null 2>&1; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}) and not root: install them or run as root"
  log "installing ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

start() {
  if [ -n "${DOCKER_HOST:-}" ] && [ "$DOCKER_HOST" != "unix://$SOCKET" ]; then
    die "DOCKER_HOST=$DOCKER_HOST answers nothing; this script only starts a local engine on $SOCKET"
  fi
  install_packages
  if ! answers; then
    [ "$(id -u)" = 0 ] || die "no engine answers at unix://$SOCKET and starting one needs root"
    mkdir -p "$STATE_DIR"
    log "starting Debian's dockerd on unix://$SOCKET (log: $STATE_DIR/dockerd.log)"
    # No flags: every default, as a user's engine runs. setsid: it outlives this shell.
    setsid dockerd >"$STATE_DIR/dockerd.log" 2>&1 </dev/null &
    for _ in $(seq 1 60); do answers && break; sleep 1; done
    answers || { tail -n 20 "$STATE_DIR/dockerd.log" >&2 || true; die "dockerd did not answer within 60 s"; }
    log "engine is up: Docker $("$CLI" -H "unix://$SOCKET" version -f '{{.Server.Version}}')"
  fi
  bash scripts/base-image.sh import "unix://$SOCKET"
  log "ready: unix://$SOCKET, base image $(bash scripts/base-image.sh tag)"
}

case "${1:-start}" in
  start) start ;;
  *) die "usage: $0 [start]" ;;
esac
