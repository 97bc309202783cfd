#!/usr/bin/env bash
# The CacheFrom benchmark: a fresh CI runner (an emptied engine) publishing the sample app, for
# five cases — cold, no change, app change, dependency change, and a monorepo of three images of
# which one changed — with the plain docker CLI recipes and with the `cachefrom` tool (the host a
# CI job runs, ReadyToRun as installed). Prints seconds per case × recipe and the ratio to the best
# CLI recipe of the case, measured in the same run. Not a test: it takes a while and holds the
# engine for its whole run.
#
#   benchmark/run.sh [recipe ...]          (default: every recipe)
#   SLOW_SECONDS=15 REPEAT=3 benchmark/run.sh
#
# Environment: SLOW_SECONDS (each slow step's sleep, default 15), REPEAT (timed runs per cell,
# the median is reported, default 1), CASES (default "cold no-change app-change dependency-change
# monorepo"), BENCHMARK_ENGINE (the test engine it runs on, default d20; scripts/engines.sh starts
# it), DOCKER_CLI (default /usr/bin/docker, the 20.10 CLI that talks to every test engine).
# It empties the engine between cases, so it runs on a test engine of its own, never the user's,
# and holds the engines' lock (CACHEFROM_ENGINES_DIR.lock) as scripts/test.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

SLOW_SECONDS=${SLOW_SECONDS:-15}
REPEAT=${REPEAT:-1}
CASES=${CASES:-"cold no-change app-change dependency-change monorepo"}
DOCKER=${DOCKER_CLI:-/usr/bin/docker}
ENGINE=${BENCHMARK_ENGINE:-d20}
export CACHEFROM_ENGINES_DIR="${CACHEFROM_ENGINES_DIR:-/tmp/cachefrom-engines}"
CLI_RECIPES=(cli-classic-builder-pushed cli-buildkit-inline cli-save-load)
CACHEFROM_RECIPES=(cachefrom-registry cachefrom-registry-classic cachefrom-tarball)
RECIPES=("$@")
[ ${#RECIPES[@]} -gt 0 ] || RECIPES=("${CLI_RECIPES[@]}" "${CACHEFROM_RECIPES[@]}")

RUN_ID=$(date -u +%Y%m%d-%H%M%S)
WORK=$(mktemp -d /tmp/cachefrom-bench-XXXXXX)
RESULTS=$ROOT/benchmark/results/$RUN_ID
mkdir -p "$RESULTS"
LOG=$RESULTS/run.log
trap 'rm -rf "$WORK"' EXIT

log() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$LOG" >&2; }

# --- the CacheFrom side: built once, before the clock and the lock ---------------------------
# As `dotnet tool install` gives it on a linux-x64 runner: ReadyToRun, framework-dependent.
log "publishing source/CacheFrom.Tool (Release, linux-x64, ReadyToRun)"
dotnet publish source/CacheFrom.Tool -c Release -r linux-x64 --self-contained false -o "$WORK/bin" >>"$LOG" 2>&1
CACHEFROM=("$WORK/bin/cachefrom")

# --- a test engine, shared with the tests: hold their lock for the whole run -----------------
exec 9>"${CACHEFROM_ENGINES_DIR%/}.lock"
log "waiting for ${CACHEFROM_ENGINES_DIR%/}.lock"
flock 9
unset DOCKER_CONTEXT
bash scripts/engines.sh start "$ENGINE" >>"$LOG" 2>&1
eval "$(bash scripts/engines.sh env "$ENGINE")"
REGISTRY=$CACHEFROM_TEST_REGISTRY
BASE_IMAGE=$CACHEFROM_BASE_IMAGE
log "engine $ENGINE at $DOCKER_HOST, registry $REGISTRY"

# A fresh CI runner: no containers, no images but the base image, no build cache.
empty_engine() {
  local containers base images
  containers=$("$DOCKER" ps -aq)
  [ -z "$containers" ] || "$DOCKER" rm -f $containers >/dev/null
  base=$("$DOCKER" image inspect --format '{{.Id}}' "$BASE_IMAGE")
  for _ in 1 2 3 4 5; do
    images=$("$DOCKER" images -aq --no-trunc | sort -u | grep -v "^$base\$" || true)
    [ -n "$images" ] || break
    "$DOCKER" rmi -f $images >/dev/null 2>&1 || true
  done
  "$DOCKER" builder prune -af >/dev/null
  images=$("$DOCKER" images -aq --no-trunc | sort -u | grep -v "^$base\$" || true)
  [ -z "$images" ] || { log "the engine still holds images after emptying it"; exit 1; }
}

# The benchmark copy of samples/webapp: the same files, longer sleeps.
new_sample() {
  local dir=$1
  rm -rf "$dir" && mkdir -p "$dir" && cp -r samples/webapp/. "$dir/"
  sed -i -e "s/^ARG SLOW_SECONDS=.*/ARG SLOW_SECONDS=$SLOW_SECONDS/" -e "s|^ARG BASE_IMAGE=.*|ARG BASE_IMAGE=$BASE_IMAGE|" "$dir/Dockerfile"
}

# The monorepo: three services, each the sample with its own greeting, published as three images.
SERVICES=(svc-a svc-b svc-c)
new_monorepo() {
  local dir=$1 service
  rm -rf "$dir" && mkdir -p "$dir"
  for service in "${SERVICES[@]}"; do
    new_sample "$dir/$service"
    echo "hello from $service" >"$dir/$service/app/greeting.txt"
  done
}

change() {
  local dir=$1 case=$2
  case $case in
    app-change) echo "changed $RANDOM$RANDOM" >>"$dir/app/greeting.txt" ;;
    dependency-change) echo "rake (13.$RANDOM)" >>"$dir/Gemfile.lock" ;;
    monorepo) echo "changed $RANDOM$RANDOM" >>"$dir/svc-b/app/greeting.txt" ;;   # one service of three
  esac
}

# --- the recipes: one publish each, as a CI job's script would run it ------------------------
# $1 context dir, $2 repository, $3 tarball dir
recipe_cli-classic-builder-pushed() {
  local dir=$1 repo=$2
  export DOCKER_BUILDKIT=0
  "$DOCKER" pull "$repo:builder" || true
  "$DOCKER" pull "$repo:latest" || true
  "$DOCKER" build --target builder --cache-from "$repo:builder" -t "$repo:builder" "$dir"
  "$DOCKER" build --cache-from "$repo:builder" --cache-from "$repo:latest" -t "$repo:latest" "$dir"
  "$DOCKER" push "$repo:builder"
  "$DOCKER" push "$repo:latest"
}

recipe_cli-buildkit-inline() {
  local dir=$1 repo=$2
  export DOCKER_BUILDKIT=1
  # Inline cache covers only the stage an image was built from: the builder image is cached too.
  "$DOCKER" build --target builder --build-arg BUILDKIT_INLINE_CACHE=1 --cache-from "$repo:builder" -t "$repo:builder" "$dir"
  "$DOCKER" build --build-arg BUILDKIT_INLINE_CACHE=1 --cache-from "$repo:builder" --cache-from "$repo:latest" -t "$repo:latest" "$dir"
  "$DOCKER" push "$repo:builder"
  "$DOCKER" push "$repo:latest"
}

recipe_cli-save-load() {
  local dir=$1 repo=${2#*/} store=$3
  export DOCKER_BUILDKIT=1
  [ ! -f "$store/cache.tar" ] || "$DOCKER" load -i "$store/cache.tar"
  "$DOCKER" build --target builder --build-arg BUILDKIT_INLINE_CACHE=1 --cache-from "$repo:builder" -t "$repo:builder" "$dir"
  "$DOCKER" build --build-arg BUILDKIT_INLINE_CACHE=1 --cache-from "$repo:builder" --cache-from "$repo:latest" -t "$repo:latest" "$dir"
  mkdir -p "$store"
  "$DOCKER" save -o "$store/cache.tar.tmp" "$repo:builder" "$repo:latest" && mv "$store/cache.tar.tmp" "$store/cache.tar"
}

cachefrom() {
  local dir=$1 repo=$2 store=$3 cache=$4 builder=$5
  # Run from a folder of its own (reports land in .nuke/temp/cachefrom there, outside the context);
  # each run's report (JSON/Markdown/HTML) is kept with the results: the sum of every cell.
  local run=$store.run
  mkdir -p "$run"
  ( cd "$run" && "${CACHEFROM[@]}" publish --docker-image "$repo" --docker-tag main --docker-context "$dir" \
      --docker-cache "$cache" --docker-builder "$builder" --docker-cache-dir "$store" )
  local reports=$RESULTS/reports/$(basename "$(dirname "$store")")-$(basename "$store")-$(date +%H%M%S)
  mkdir -p "$reports" && cp -r "$run/.nuke/temp/cachefrom/." "$reports/"
}
recipe_cachefrom-registry() { cachefrom "$1" "$2" "$3" registry buildkit; }
recipe_cachefrom-registry-classic() { cachefrom "$1" "$2" "$3" registry classic; }
recipe_cachefrom-tarball() { cachefrom "$1" "${2#*/}" "$3" tarball buildkit; }

# One CI job's publish: one image, or in the monorepo case the three services one after another.
publish() {
  local case=$1 recipe=$2 dir=$3 repo=$4 store=$5 service
  if [ "$case" = monorepo ]; then
    for service in "${SERVICES[@]}"; do
      "recipe_$recipe" "$dir/$service" "$repo-$service" "$store/$service"
    done
  else
    "recipe_$recipe" "$dir" "$repo" "$store"
  fi
}

# Runs one publish, its output to the log; prints the wall-clock seconds.
timed() {
  local start end
  start=$(date +%s.%N)
  # errexit inside the recipe (it is ignored in an `if` condition, so not tested there).
  set +e
  ( set -e; publish "$@" ) >>"$LOG" 2>&1
  local status=$?
  set -e
  end=$(date +%s.%N)
  if [ $status -ne 0 ]; then
    log "FAILED ($status): $* (see $LOG)"
    exit 1
  fi
  echo "$start $end" | awk '{ printf "%.1f", $2 - $1 }'
}

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A SECONDS_OF
for case in $CASES; do
  for recipe in "${RECIPES[@]}"; do
    samples=""
    for attempt in $(seq 1 "$REPEAT"); do
      key=$case-$recipe-$attempt
      dir=$WORK/$key/context store=$WORK/$key/store
      # The repository holds only this cell's images: the registry starts as empty as the engine.
      repo=$REGISTRY/cachefrom-bench/$RUN_ID-$case-$recipe-$attempt
      repo=${repo//_/-}
      if [ "$case" = monorepo ]; then new_monorepo "$dir"; else new_sample "$dir"; fi
      empty_engine
      if [ "$case" != cold ]; then
        # The previous CI run, on another fresh runner: it leaves the cache behind (registry or tarball).
        log "$case / $recipe #$attempt: previous run"
        timed "$case" "$recipe" "$dir" "$repo" "$store" >/dev/null
        change "$dir" "$case"
        empty_engine
      fi
      log "$case / $recipe #$attempt: timed run"
      seconds=$(timed "$case" "$recipe" "$dir" "$repo" "$store")
      log "$case / $recipe #$attempt: $seconds s"
      samples="$samples $seconds"
    done
    SECONDS_OF[$case/$recipe]=$(echo "$samples" | median)
  done
done
empty_engine

# --- the table: seconds, and the ratio to the best CLI recipe of the case --------------------
{
  printf '| case |'
  for recipe in "${RECIPES[@]}"; do printf ' %s |' "$recipe"; done
  printf '\n|---|'
  for _ in "${RECIPES[@]}"; do printf -- '---:|'; done
  printf '\n'
  for case in $CASES; do
    best=""
    for recipe in "${RECIPES[@]}"; do
      [[ $recipe == cli-* ]] || continue
      s=${SECONDS_OF[$case/$recipe]}
      if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$s; fi
    done
    printf '| %s |' "$case"
    for recipe in "${RECIPES[@]}"; do
      s=${SECONDS_OF[$case/$recipe]}
      if [ -n "$best" ]; then
        printf ' %s s (%s×) |' "$s" "$(awk -v a="$s" -v b="$best" 'BEGIN { printf "%.2f", a / b }')"
      else
        printf ' %s s |' "$s"
      fi
    done
    printf '\n'
  done
  echo
  echo "SLOW_SECONDS=$SLOW_SECONDS, REPEAT=$REPEAT (median), $(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), docker $("$DOCKER" version --format '{{.Server.Version}}')"
} | tee "$RESULTS/table.md"
log "results in $RESULTS"
