#!/usr/bin/env bash
# The test engines: Docker engines and a registry that belong to the tests alone. Each engine has
# its own containerd, socket, data-root, exec-root, pidfile and bridge, so none disturbs another
# or the user's own engine (which this script never starts, stops, reads or empties).
#
#   scripts/engines.sh start [ENGINE...]   install what is missing, start engines (a stopped one
#                                          empty), registry (a stopped one empty), base image
#   scripts/engines.sh stop [ENGINE...]    stop them (and the registry when no ENGINE is named, or
#                                          when "registry" is one of the names)
#   scripts/engines.sh status              one line per engine
#   scripts/engines.sh running NAME        exit 0 when engine (or "registry") NAME answers
#   scripts/engines.sh version ENGINE      the engine's server version
#   scripts/engines.sh env ENGINE          export lines for the tests: DOCKER_HOST, registry, base image
#   scripts/engines.sh pid ENGINE          the engine's dockerd pid (a test kills it to restart the engine)
#   scripts/engines.sh remove              stop everything and delete CACHEFROM_ENGINES_DIR (a test's own instance)
#   scripts/engines.sh list                the engine names, in matrix order
#
# ENGINE: d20   Debian's docker.io 20.10 (API 1.41, overlay2)
#         d26   Docker 26.1 from Debian trixie's packages, unpacked (never installed), overlay2
#         d26c  the same Docker 26.1 with the containerd image store (the default of Docker 29,
#               Docker Desktop and docker:dind)
# Default: every engine in CACHEFROM_ENGINES (default "d20 d26 d26c").
#
# CACHEFROM_ENGINES_DIR   state root (default /tmp/cachefrom-engines); one root per instance
# CACHEFROM_ENGINES_SLOT  0-24 (default 0): bridge names, subnets and the registry port derive from
#                         it, so several instances (parallel work on one machine) stay apart
# CACHEFROM_DOCKER26_DIR  where the unpacked Docker 26.1 lives (default /var/cache/cachefrom/docker-26)
# CACHEFROM_ENGINES_REGISTRY  "off": start no registry (an instance that needs none)
#
# Slots 0-9 are for people and sessions; slot 19 is kept for tests that start an instance of their
# own (EngineRestartTests), which take /tmp/cachefrom-engines-slot-19.lock while it runs. A bridge
# belongs to the instance that created it: another instance on the same slot is refused, never
# shares or deletes it.
set -euo pipefail

DEFAULT_ENGINES_DIR=/tmp/cachefrom-engines
ENGINES_DIR="${CACHEFROM_ENGINES_DIR:-$DEFAULT_ENGINES_DIR}"
SLOT="${CACHEFROM_ENGINES_SLOT:-0}"
DOCKER26_DIR="${CACHEFROM_DOCKER26_DIR:-/var/cache/cachefrom/docker-26}"
ALL_ENGINES=(d20 d26 d26c)
REGISTRY_PORT=$((5100 + SLOT))
REGISTRY="127.0.0.1:$REGISTRY_PORT"
CLI=/usr/bin/docker          # Debian's 20.10 CLI; it talks to every engine here (API negotiation)
OWNER_LABEL=org.cachefrom.test-engine
SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { printf '[engines] %s\n' "$*" >&2; }
die() { printf '[engines] error: %s\n' "$*" >&2; exit 1; }

[[ "$SLOT" =~ ^[0-9]{1,2}$ ]] && [ "$SLOT" -le 24 ] || die "CACHEFROM_ENGINES_SLOT must be 0-24 (got '$SLOT')"

engine_dir() { echo "$ENGINES_DIR/$1"; }
engine_socket() { echo "$(engine_dir "$1")/docker.sock"; }
engine_host() { echo "unix://$(engine_socket "$1")"; }
bridge_name() { echo "cf$SLOT-$1"; }
# 172.30.(SLOT*10 + index).1/24: an address range of our own per engine, on a bridge of our own.
bridge_cidr() {
  local index
  case "$1" in d20) index=1 ;; d26) index=2 ;; d26c) index=3 ;; *) die "unknown engine '$1'" ;; esac
  echo "172.30.$((SLOT * 10 + index)).1/24"
}
base_image() { bash "$SCRIPTS/base-image.sh" tag; }
known_engine() { case "$1" in d20|d26|d26c) return 0 ;; *) return 1 ;; esac; }

# --- packages ---------------------------------------------------------------------------------
install_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
  dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
  command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
  command -v flock >/dev/null 2>&1 || missing+=(util-linux)
  command -v ssh-agent >/dev/null 2>&1 || missing+=(openssh-client)   # the BuildKit ssh-forwarding test
  command -v socat >/dev/null 2>&1 || missing+=(socat)                # the TLS engine endpoint test
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}) and not root: install them or run as root"
  log "installing ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Docker 26.1 and containerd 1.7 from Debian trixie, downloaded with an apt of their own and
# unpacked into a folder: nothing is installed. The source list is built from this machine's own
# Debian source entry, so no mirror is named here.
fetch_docker26() {
  [ -x "$DOCKER26_DIR/usr/sbin/dockerd" ] && [ -x "$DOCKER26_DIR/usr/bin/containerd" ] && return 0
  local work; work=$(mktemp -d)
  local uri
  uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $0 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uri" ] || die "no Debian source entry found (/etc/apt/sources.list.d/debian.sources) to fetch Docker 26.1 from"
  mkdir -p "$work/sources" "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
  printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" >"$work/sources/trixie.sources"
  local apt=(apt-get -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/sources"
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root)
  log "fetching Docker 26.1 and containerd 1.7 from Debian trixie (unpacked into $DOCKER26_DIR, not installed)"
  "${apt[@]}" update -qq >/dev/null
  (cd "$work/debs" && "${apt[@]}" download docker.io containerd >/dev/null)
  local unpacked="$DOCKER26_DIR.partial"
  rm -rf "$unpacked"; mkdir -p "$unpacked"
  for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$unpacked"; done
  # Trixie's runc needs a newer glibc than bookworm's: bookworm's runc (from docker.io) is used.
  rm -f "$unpacked/usr/sbin/runc" "$unpacked/usr/bin/runc"
  "$unpacked/usr/sbin/dockerd" --version >/dev/null || die "the unpacked dockerd 26.1 does not run on this machine"
  rm -rf "$DOCKER26_DIR"; mkdir -p "$(dirname "$DOCKER26_DIR")"; mv "$unpacked" "$DOCKER26_DIR"
  rm -rf "$work"
  log "Docker $("$DOCKER26_DIR/usr/sbin/dockerd" --version | awk '{print $3}' | tr -d ,) ready"
}

# --- engines ----------------------------------------------------------------------------------
engine_answers() { timeout 10 "$CLI" -H "$(engine_host "$1")" info >/dev/null 2>&1; }

engine_path() {
  case "$1" in
    d20) echo "/usr/sbin:/usr/bin:/sbin:/bin" ;;
    *) echo "$DOCKER26_DIR/usr/sbin:$DOCKER26_DIR/usr/bin:/usr/sbin:/usr/bin:/sbin:/bin" ;;
  esac
}

# A dockerd alive on the bridge, whoever started it.
bridge_in_use() {
  local cmdline
  for cmdline in /proc/[0-9]*/cmdline; do
    tr '\0' ' ' <"$cmdline" 2>/dev/null | grep -q -- "--bridge $1 " && return 0
  done
  return 1
}

# The bridge is this instance's when it created it (the note in the engine's folder says so). One
# that no live dockerd uses is an orphan of an engine that died with its machine or its state folder
# (a killed run, a reboot of the sandbox) and is adopted; one in use is another instance's.
make_bridge() {
  local name cidr note; name=$(bridge_name "$1"); cidr=$(bridge_cidr "$1"); note="$(engine_dir "$1")/bridge"
  if ip link show "$name" >/dev/null 2>&1; then
    if [ "$(cat "$note" 2>/dev/null)" != "$name" ]; then
      bridge_in_use "$name" \
        && die "bridge $name exists and a dockerd of another instance uses it: another instance uses slot $SLOT (choose another CACHEFROM_ENGINES_SLOT)"
      log "bridge $name is left over from an engine that is gone; adopting it"
      ip addr replace "$cidr" dev "$name"
      echo "$name" >"$note"
    fi
  else
    ip link add name "$name" type bridge
    ip addr add "$cidr" dev "$name"
    echo "$name" >"$note"
  fi
  ip link set "$name" up
}

# Alive, not a zombie: a dockerd killed by a test stays a zombie until whoever adopted it reaps it.
pid_alive() {
  [ -f "$1" ] || return 1
  local pid state; pid=$(cat "$1")
  kill -0 "$pid" 2>/dev/null || return 1
  state=$(awk '{ sub(/.*\) /, ""); print substr($0, 1, 1) }' "/proc/$pid/stat" 2>/dev/null || echo X)
  [ "$state" != Z ] && [ "$state" != X ]
}

start_engine() {
  local name=$1 dir; dir=$(engine_dir "$name")
  if engine_answers "$name"; then log "$name answers at $(engine_host "$name")"; return 0; fi
  pid_alive "$dir/dockerd.pid" && die "$name's dockerd runs but does not answer; see $dir/dockerd.log"
  # A dockerd that was killed leaves its pidfile, and dockerd refuses to start while the pid in it
  # exists, even as an unreaped zombie.
  rm -f "$dir/dockerd.pid"
  [ "$name" = d20 ] || fetch_docker26
  # A stopped engine starts empty, as a CI runner's does: BuildKit's cache-key database outlives
  # `docker builder prune`, so an engine reused run after run would carry every earlier run's
  # state into the next. An engine whose containerd still runs (its dockerd was killed) restarts
  # on its state, as a crashed one does.
  if ! pid_alive "$dir/containerd.pid"; then fresh_state "$name"; fi
  mkdir -p "$dir/data" "$dir/exec" "$dir/containerd"
  make_bridge "$name"
  local path; path=$(engine_path "$name")

  # A containerd of its own: dockerd would otherwise share a system containerd at
  # /run/containerd/containerd.sock (the user's), and with it the user's containers.
  if ! pid_alive "$dir/containerd.pid"; then
    rm -f "$dir/containerd.sock"
    PATH="$path" setsid containerd --address "$dir/containerd.sock" --root "$dir/containerd/root" \
      --state "$dir/containerd/state" --log-level warn >"$dir/containerd.log" 2>&1 </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
    echo $! >"$dir/containerd.pid"
    for _ in $(seq 1 50); do [ -S "$dir/containerd.sock" ] && break; sleep 0.2; done
    [ -S "$dir/containerd.sock" ] || { tail -n 20 "$dir/containerd.log" >&2; die "$name's containerd did not start"; }
  fi

  local features='{}'
  [ "$name" = d26c ] && features='{"features":{"containerd-snapshotter":true}}'
  echo "$features" >"$dir/daemon.json"
  log "starting $name (log: $dir/dockerd.log)"
  # setsid: the engine outlives this shell (CI steps, test runs); --wait keeps $! alive as long as dockerd.
  # The long-lived processes close the caller's descriptors: a caller's lock (scripts/test.sh and
  # benchmark/run.sh hold CACHEFROM_ENGINES_DIR.lock on fd 9) must end with the caller, not the engine.
  PATH="$path" setsid --wait dockerd --config-file "$dir/daemon.json" \
    --host "$(engine_host "$name")" --data-root "$dir/data" --exec-root "$dir/exec" \
    --pidfile "$dir/dockerd.pid" --containerd "$dir/containerd.sock" \
    --bridge "$(bridge_name "$name")" --iptables=false --ip-masq=false \
    --label "$OWNER_LABEL=$name" >"$dir/dockerd.log" 2>&1 </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
  local pid=$!
  for _ in $(seq 1 90); do
    if engine_answers "$name"; then log "$name is up ($("$CLI" -H "$(engine_host "$name")" version -f '{{.Server.Version}}'))"; return 0; fi
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$dir/dockerd.log" >&2 || true; die "$name's dockerd exited"; }
    sleep 1
  done
  tail -n 30 "$dir/dockerd.log" >&2 || true
  die "$name did not answer within 90 s"
}

# An engine's data-root, exec-root and containerd state, deleted (what a killed engine left mounted
# under them first, deepest first).
fresh_state() {
  local dir; dir=$(realpath -m "$(engine_dir "$1")")
  [ -d "$dir" ] || return 0
  unmount_leftovers "$dir"
  rm -rf "$dir/data" "$dir/exec" "$dir/containerd" || log "could not delete all of $1's old state under $dir; it starts on what is left"
}

make_base_image() { bash "$SCRIPTS/base-image.sh" import "$(engine_host "$1")"; }

stop_engine() {
  local name=$1 dir; dir=$(engine_dir "$name")
  [ -d "$dir" ] || return 0
  for process in dockerd containerd; do
    if pid_alive "$dir/$process.pid"; then
      local pid; pid=$(cat "$dir/$process.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/$process.pid"
  done
  if [ "$(cat "$dir/bridge" 2>/dev/null)" = "$(bridge_name "$name")" ]; then
    ip link delete "$(bridge_name "$name")" 2>/dev/null || true
    rm -f "$dir/bridge"
  fi
  log "$name stopped"
}

# What an engine killed mid-build leaves running: its build containers (BuildKit runs them without
# containerd), found by their root filesystem, which lives under the state root.
kill_leftovers() {
  local root; root=$(realpath "$ENGINES_DIR")
  local mountinfo pid
  for mountinfo in /proc/[0-9]*/mountinfo; do
    pid=${mountinfo#/proc/}; pid=${pid%/mountinfo}
    awk -v root="$root/" '$5 == "/" && index($0, root) { found = 1 } END { exit !found }' "$mountinfo" 2>/dev/null \
      && { log "killing $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-60)), left running by a killed engine"; kill -9 "$pid" 2>/dev/null || true; }
  done
  # The containers' shims outlive their containerd by design; these are this instance's.
  for pid in $(pgrep -f "containerd-shim.* -address $root/" || true); do
    log "killing shim $pid, left by this instance's containerd"
    kill -9 "$pid" 2>/dev/null || true
  done
  return 0
}

# What an engine killed mid-build leaves mounted under ROOT (default: the state root; overlay and
# shm mounts of its containers and BuildKit), deepest first, so ROOT can be deleted.
unmount_leftovers() {
  local root; root=$(realpath -m "${1:-$ENGINES_DIR}")
  awk -v root="$root/" 'index($5, root) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r mount; do
    umount "$mount" 2>/dev/null || umount -l "$mount" 2>/dev/null || true
  done
}

remove_instance() {
  # Only an instance someone named: never the default root by accident of an unset variable.
  [ -n "${CACHEFROM_ENGINES_DIR:-}" ] && [ "$(realpath -m "$ENGINES_DIR")" != "$(realpath -m "$DEFAULT_ENGINES_DIR")" ] \
    || die "remove deletes a whole instance: name it with CACHEFROM_ENGINES_DIR (never the default $DEFAULT_ENGINES_DIR)"
  [ -d "$ENGINES_DIR" ] || return 0
  local root; root=$(realpath "$ENGINES_DIR")
  case "$root" in /|/tmp|/var|/var/lib|/root|/home|/var/lib/docker) die "refusing to remove $root" ;; esac
  for name in "${ALL_ENGINES[@]}"; do stop_engine "$name"; done
  stop_registry
  kill_leftovers
  unmount_leftovers
  rm -rf "$root"
  log "removed $root"
}

# --- registry ---------------------------------------------------------------------------------
registry_answers() { curl -fsS -o /dev/null --max-time 3 "http://$REGISTRY/v2/" 2>/dev/null; }

start_registry() {
  if registry_answers; then return 0; fi
  local dir="$ENGINES_DIR/registry"
  # What earlier runs pushed would only grow (every test pushes to a repository of its own); it
  # stays readable until the next start, for a look at what a failed run pushed.
  rm -rf "$dir/data"
  mkdir -p "$dir/data"
  cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: $REGISTRY
YAML
  log "starting docker-registry on $REGISTRY (log: $dir/registry.log)"
  setsid docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
  echo $! >"$dir/registry.pid"
  for _ in $(seq 1 30); do registry_answers && return 0; sleep 0.5; done
  tail -n 20 "$dir/registry.log" >&2 || true
  die "registry did not answer on $REGISTRY"
}

stop_registry() {
  local pidfile="$ENGINES_DIR/registry/registry.pid"
  pid_alive "$pidfile" && kill "$(cat "$pidfile")" 2>/dev/null || true
  rm -f "$pidfile"
}

# --- commands ---------------------------------------------------------------------------------
selected() {
  if [ $# -gt 0 ]; then printf '%s\n' "$@"; else printf '%s\n' ${CACHEFROM_ENGINES:-${ALL_ENGINES[*]}}; fi
}

print_env() {
  local name=$1
  known_engine "$name" || die "unknown engine '$name' (use one of: ${ALL_ENGINES[*]})"
  cat <<ENV
export DOCKER_HOST=$(engine_host "$name")
export CACHEFROM_TEST_ENGINE=$name
export CACHEFROM_TEST_REGISTRY=$REGISTRY
export CACHEFROM_BASE_IMAGE=$(base_image)
export CACHEFROM_DOCKER_CLI=$CLI
ENV
}

command=${1:-start}
shift || true
case "$command" in
  start)
    [ "$(id -u)" = 0 ] || die "the test engines need root (bridges, containerd)"
    install_packages
    mapfile -t engines < <(selected "$@")
    for name in "${engines[@]}"; do known_engine "$name" || die "unknown engine '$name' (use one of: ${ALL_ENGINES[*]})"; done
    for name in "${engines[@]}"; do start_engine "$name"; make_base_image "$name"; done
    if [ "${CACHEFROM_ENGINES_REGISTRY:-on}" = off ]; then
      log "ready: ${engines[*]}; no registry; base image $(base_image)"
    else
      start_registry
      log "ready: ${engines[*]}; registry $REGISTRY; base image $(base_image)"
    fi
    ;;
  stop)
    mapfile -t engines < <(selected "$@")
    for name in "${engines[@]}"; do
      if [ "$name" = registry ]; then stop_registry; else known_engine "$name" || die "unknown engine '$name'"; stop_engine "$name"; fi
    done
    [ $# -eq 0 ] && stop_registry
    ;;
  running)
    name=${1:?usage: $0 running ENGINE|registry}
    if [ "$name" = registry ]; then registry_answers; else known_engine "$name" || die "unknown engine '$name'"; engine_answers "$name"; fi
    ;;
  version)
    name=${1:?usage: $0 version ENGINE}
    known_engine "$name" || die "unknown engine '$name'"
    "$CLI" -H "$(engine_host "$name")" version -f '{{.Server.Version}}'
    ;;
  status)
    for name in "${ALL_ENGINES[@]}"; do
      if engine_answers "$name"; then log "$name: up at $(engine_host "$name")"; else log "$name: down"; fi
    done
    if registry_answers; then log "registry $REGISTRY: up"; else log "registry $REGISTRY: down"; fi
    ;;
  env) print_env "${1:?usage: $0 env ENGINE}" ;;
  pid)
    name=${1:?usage: $0 pid ENGINE}
    known_engine "$name" || die "unknown engine '$name' (use one of: ${ALL_ENGINES[*]})"
    pid_alive "$(engine_dir "$name")/dockerd.pid" || die "$name's dockerd is not running"
    cat "$(engine_dir "$name")/dockerd.pid"
    ;;
  remove) remove_instance ;;
  list) printf '%s\n' "${ALL_ENGINES[@]}" ;;
  *) die "usage: $0 start|stop|status|running|version|env|pid|remove|list [ENGINE...]" ;;
esac
