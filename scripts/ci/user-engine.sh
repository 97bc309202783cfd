#!/usr/bin/env bash
# CI's stand-in for a user's own Docker engine: Debian's dockerd exactly as a user runs it (the
# default socket /var/run/docker.sock, data-root /var/lib/docker, bridge docker0, iptables on;
# started by scripts/dev-engine.sh, as the README's first command does), with a sentinel image and a
# running sentinel container on it. .ci/run plants them, runs the
# README's test command, and checks the engine saw nothing: same images, containers (still
# running, not restarted), volumes and networks, the same dockerd, and no engine event at all.
#
#   scripts/ci/user-engine.sh start          start the stand-in, unless an engine already answers there
#   scripts/ci/user-engine.sh plant          the sentinel image and running container (stand-in only)
#   scripts/ci/user-engine.sh snapshot FILE  what the engine holds, for verify
#   scripts/ci/user-engine.sh watch FILE PID record every process that connects to the engine until
#                                            FILE.stop exists; "ours" when it descends from PID
#   scripts/ci/user-engine.sh verify FILE    fail loudly unless the engine still holds exactly that
#                                            (and, with watch's FILE.clients, no process of ours connected)
#   scripts/ci/user-engine.sh stop           stop the stand-in (never an engine this script did not start)
#
# An engine that already answers on the default socket is someone's real engine: it is only read
# (snapshot, verify), never planted on, never stopped.
set -euo pipefail

SOCKET=/var/run/docker.sock
STATE=/tmp/cachefrom-user-engine          # this script's own notes: log, pid, "started by us"
CLI=(/usr/bin/docker -H "unix://$SOCKET")
SENTINEL_IMAGE=cachefrom-ci/user-sentinel:keep
SENTINEL_CONTAINER=cachefrom-ci-user-sentinel

log() { printf '[user-engine] %s\n' "$*" >&2; }
die() { printf '[user-engine] FAILED: %s\n' "$*" >&2; exit 1; }

answers() { timeout 10 "${CLI[@]}" info >/dev/null 2>&1; }
# Ours: the dockerd this script started (its pid noted) is the one serving the default socket.
ours() { [ -f "$STATE/started" ] && [ "$(cat "$STATE/started")" = "$(cat /var/run/docker.pid 2>/dev/null)" ] && kill -0 "$(cat "$STATE/started")" 2>/dev/null; }

start() {
  mkdir -p "$STATE"
  if answers; then
    ours || log "an engine already answers at $SOCKET: it is someone's; it is only read, never changed"
    return 0
  fi
  # The engine the README's first command starts where none answers: Debian's dockerd, every default.
  (cd "$(dirname "$0")/../.." && env -u DOCKER_HOST bash scripts/dev-engine.sh start)
  cat /var/run/docker.pid >"$STATE/started"
  ours || die "the engine answering at $SOCKET is not the dockerd just started"
  log "stand-in up: pid $(cat "$STATE/started")"
}

plant() {
  ours || { log "not the stand-in: nothing planted (its own images and containers serve as sentinels)"; return 0; }
  if ! "${CLI[@]}" image inspect "$SENTINEL_IMAGE" >/dev/null 2>&1; then
    local root; root=$(mktemp -d)
    mkdir -p "$root/bin" "$root/tmp"
    cp /bin/busybox "$root/bin/busybox"
    for applet in sh sleep; do ln -s busybox "$root/bin/$applet"; done
    tar -C "$root" -c . | "${CLI[@]}" import --change 'CMD ["/bin/sh"]' - "$SENTINEL_IMAGE" >/dev/null
    rm -rf "$root"
  fi
  "${CLI[@]}" rm -f "$SENTINEL_CONTAINER" >/dev/null 2>&1 || true
  "${CLI[@]}" run -d --name "$SENTINEL_CONTAINER" "$SENTINEL_IMAGE" /bin/sleep 86400 >/dev/null
  [ "$("${CLI[@]}" inspect -f '{{.State.Running}}' "$SENTINEL_CONTAINER")" = true ] || die "the sentinel container does not run"
  log "planted image $SENTINEL_IMAGE and running container $SENTINEL_CONTAINER"
}

# Everything a test run could have changed, one fact a line, sorted: comparable with diff.
snapshot() {
  {
    echo "dockerd pid $(cat /var/run/docker.pid 2>/dev/null || echo unknown)"
    "${CLI[@]}" images -a --no-trunc --format 'image {{.ID}} {{.Repository}}:{{.Tag}}'
    "${CLI[@]}" ps -a --no-trunc --format '{{.ID}}' | while read -r id; do
      "${CLI[@]}" inspect -f 'container {{.Name}} {{.Id}} running={{.State.Running}} started={{.State.StartedAt}} restarts={{.RestartCount}}' "$id"
    done
    "${CLI[@]}" volume ls -q | sed 's/^/volume /'
    "${CLI[@]}" network ls --no-trunc --format 'network {{.ID}} {{.Name}}'
  } | LC_ALL=C sort
  date -u +'since %Y-%m-%dT%H:%M:%S.%NZ' >"$1.since"
}

# Clients of the default socket, from the kernel's table of unix connections: the peers of the
# engine's accepted sockets. Polled, so a connection shorter than the interval can be missed; the
# snapshot and the engine's events are the proof, this says who.
connected_pids() {
  ss -xpn 2>/dev/null | awk -v sock="$SOCKET" '
    $5 == sock { peers[$8] = 1; next }
    { line[$6] = $0 }
    END { for (p in peers) if ((p in line) && match(line[p], /pid=[0-9]+/)) print substr(line[p], RSTART + 4, RLENGTH - 4) }'
}

describe() {
  local pid=$1 run=$2 p=$1 whose=foreign
  while [ -n "$p" ] && [ "$p" -gt 1 ] 2>/dev/null; do
    [ "$p" = "$run" ] && { whose=ours; break; }
    p=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $2 }')
  done
  echo "$whose pid=$pid cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-200)"
}

watch() {
  local out=$1 run=$2 pid
  declare -A seen=()
  : >"$out"
  while [ ! -e "$out.stop" ]; do
    for pid in $(connected_pids); do
      [ -n "${seen[$pid]:-}" ] && continue
      seen[$pid]=1
      describe "$pid" "$run" >>"$out"
    done
    sleep 0.1
  done
}

verify() {
  local before=$1 after; after=$(mktemp)
  answers || die "the engine at $SOCKET no longer answers"
  snapshot "$after" >"$after"
  local failed=0
  if ours; then
    grep -q "^image .* $SENTINEL_IMAGE\$" "$after" || { log "the sentinel image $SENTINEL_IMAGE is gone"; failed=1; }
    grep -q "^container /$SENTINEL_CONTAINER .* running=true " "$after" || { log "the sentinel container $SENTINEL_CONTAINER is not running any more"; failed=1; }
  fi
  if ! diff -u "$before" "$after" >"$after.diff"; then
    log "the engine at $SOCKET changed during the test run (- before, + after):"
    cat "$after.diff" >&2
    failed=1
  fi
  # The engine's own record: any container, image, network or volume event since the snapshot.
  local since; since=$(sed 's/^since //' "$before.since")
  local events; events=$(timeout 20 "${CLI[@]}" events --since "$since" --until "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" \
    --format '{{.Type}} {{.Action}} {{.Actor.ID}}' 2>&1 || true)
  if [ -n "$events" ]; then
    log "the engine at $SOCKET recorded events during the test run:"
    printf '%s\n' "$events" | head -n 50 >&2
    failed=1
  fi
  rm -f "$after" "$after.diff" "$after.since"
  local clients="$before.clients"
  if [ -f "$clients" ]; then
    if grep -q '^ours ' "$clients"; then
      log "processes of this run connected to the engine at $SOCKET:"
      grep '^ours ' "$clients" >&2
      failed=1
    fi
    if grep -q '^foreign ' "$clients"; then
      log "processes outside this run (other users of this machine) connected to it meanwhile; what they changed is not this run's:"
      grep '^foreign ' "$clients" | head -n 20 >&2
    fi
  fi
  [ "$failed" = 0 ] || die "the user's engine at $SOCKET was touched during the test run"
  log "untouched: $(grep -c '^image ' "$before") images, $(grep -c '^container ' "$before") containers (sentinels included), the same dockerd, no engine event$([ -f "$clients" ] && echo ", no process of this run connected")"
}

stop() {
  ours || { log "not started here: left running"; return 0; }
  "${CLI[@]}" rm -f "$SENTINEL_CONTAINER" >/dev/null 2>&1 || true
  local pid; pid=$(cat /var/run/docker.pid 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && die "the stand-in dockerd ($pid) did not stop"
  fi
  rm -f "$STATE/started"
  log "stand-in stopped"
}

case "${1:-}" in
  start) start ;;
  plant) plant ;;
  snapshot) snapshot "${2:?usage: $0 snapshot FILE}" >"$2" ;;
  watch) watch "${2:?usage: $0 watch FILE PID}" "${3:?usage: $0 watch FILE PID}" ;;
  verify) verify "${2:?usage: $0 verify FILE}" ;;
  stop) stop ;;
  *) die "usage: $0 start|plant|snapshot FILE|watch FILE PID|verify FILE|stop" ;;
esac
