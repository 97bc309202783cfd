#!/usr/bin/env bash
# The test entry point (README, CI). Never touches the user's own Docker engine: every test that
# needs one runs against test engines this script starts with scripts/engines.sh (their own
# sockets, data-roots, bridges), and the engine's own variables (DOCKER_HOST, DOCKER_CONTEXT, …)
# are dropped first.
#
#   scripts/test.sh [extra dotnet test arguments]       e.g. --filter "FullyQualifiedName~Tarball"
#
#   1. build once;
#   2. the tests that need no engine (TestCategory!=Docker), once, with DOCKER_HOST at a socket
#      where nothing listens, so a test that reaches for an engine without its category fails;
#   3. the Docker tests (TestCategory=Docker) on each engine of CACHEFROM_ENGINES, one after another;
#      the hosts' end-to-end tests (Cake recipe, dotnet tool) on one of them only (see below);
#   4. the NUKE tests on the first engine, where Nuke.Common 10.1.0 restores;
#   5. one closing line: passed/failed/skipped over every run, and per run.
#
# CACHEFROM_ENGINES       the engine matrix (default "d20 d26 d26c"; scripts/engines.sh list)
# CACHEFROM_FULL_ENGINE   the engine that also runs the hosts' end-to-end tests (default d26c, else
#                         the matrix's last engine)
# CACHEFROM_ENGINES_DIR   the engines' state root (default /tmp/cachefrom-engines); one test run at a
#                         time per root: this script holds ROOT.lock while it runs
# CACHEFROM_ENGINES_SLOT  0-9 (default 0), for several instances on one machine (scripts/engines.sh)
# CACHEFROM_KEEP_ENGINES  1: leave the engines this run started running (faster re-runs)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export CACHEFROM_ENGINES_DIR="${CACHEFROM_ENGINES_DIR:-/tmp/cachefrom-engines}"
export CACHEFROM_ENGINES_SLOT="${CACHEFROM_ENGINES_SLOT:-0}"
read -r -a engines <<<"${CACHEFROM_ENGINES:-$(bash scripts/engines.sh list | tr '\n' ' ')}"
[ ${#engines[@]} -gt 0 ] || { echo "CACHEFROM_ENGINES names no engine" >&2; exit 2; }
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH CACHEFROM_TEST_ENGINE

# One run per state root: the tests empty the engines they run on.
lock="${CACHEFROM_ENGINES_DIR%/}.lock"
exec 9>"$lock"
if ! flock -n 9; then
  echo "[test] another test run holds $lock (the engines in $CACHEFROM_ENGINES_DIR); waiting for it"
  flock 9
fi

# A user's --filter narrows each run's own filter instead of replacing it.
user_filter=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --filter) user_filter=${2:?--filter needs a value}; shift 2 ;;
    --filter=*) user_filter=${1#--filter=}; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
filter() {   # this run's filter (may be empty), narrowed by the user's
  if [ -n "$1" ] && [ -n "$user_filter" ]; then echo "($1)&($user_filter)"; else echo "$1$user_filter"; fi
}

work=$(mktemp -d)
started=()       # what this run started, and stops at the end; what was already up stays up
cleanup() {
  if [ ${#started[@]} -gt 0 ] && [ "${CACHEFROM_KEEP_ENGINES:-0}" != 1 ]; then
    bash scripts/engines.sh stop "${started[@]}" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

status=0
runs=()           # "label|file|exit code" per dotnet test run
header() { printf '\n==== %s ====\n' "$*"; }
run_tests() {     # label, project, filter; the environment says which engine
  local label=$1 project=$2 test_filter=$3 file="$work/run-${#runs[@]}.log" code=0 filter_args=()
  [ -z "$test_filter" ] || filter_args=(--filter "$test_filter")
  dotnet test "$project" --no-build "${filter_args[@]}" --logger "console;verbosity=normal" "${args[@]}" 2>&1 | tee "$file" || code=$?
  runs+=("$label|$file|$code")
  [ "$code" = 0 ] || status=1
}

header "build"
dotnet build tests/CacheFrom.Tests/CacheFrom.Tests.csproj --verbosity quiet

header "tests that need no engine (TestCategory!=Docker)"
# Nothing listens there: a test that needs an engine but lacks [Category("Docker")] fails, never
# reaching the user's engine through the default socket.
DOCKER_HOST="unix://$work/no-engine-for-unit-tests.sock" CACHEFROM_TEST_REGISTRY=127.0.0.1:1 \
  run_tests "no engine" tests/CacheFrom.Tests/CacheFrom.Tests.csproj "$(filter 'TestCategory!=Docker')"

header "test engines: ${engines[*]} (state in $CACHEFROM_ENGINES_DIR, slot $CACHEFROM_ENGINES_SLOT)"
for name in "${engines[@]}" registry; do
  bash scripts/engines.sh running "$name" || started+=("$name")
done
bash scripts/engines.sh start "${engines[@]}"

# The budget (CI under 45 minutes on 2 cores): one engine's Docker tests took 12-16 min here on a
# loaded machine, 2-4 min of it the hosts' end-to-end tests (tests/CacheFrom.Tests/Cake and Tool: they
# publish or pack the engine and start Cake or the tool as processes, so they are CPU-bound and slow
# 2-3x under load). They test a host's wiring, which no engine version changes, so they run on one
# engine: d26c, the engine of Docker 29, Docker Desktop and docker:dind users. Every other Docker test
# runs on every engine.
full_engine=${CACHEFROM_FULL_ENGINE:-d26c}
[[ " ${engines[*]} " == *" $full_engine "* ]] || full_engine=${engines[-1]}
for name in "${engines[@]}"; do
  eval "$(bash scripts/engines.sh env "$name")"
  if [ "$name" = "$full_engine" ]; then
    scope="every Docker test" docker_filter='TestCategory=Docker'
  else
    scope="every Docker test but the hosts' end-to-end tests (those run on $full_engine)"
    docker_filter='TestCategory=Docker&FullyQualifiedName!~CacheFrom.Tests.Cake.&FullyQualifiedName!~CacheFrom.Tests.Tool.'
  fi
  header "Docker tests on $name: Docker $(bash scripts/engines.sh version "$name") at $DOCKER_HOST, registry $CACHEFROM_TEST_REGISTRY; $scope"
  run_tests "$name" tests/CacheFrom.Tests/CacheFrom.Tests.csproj "$(filter "$docker_filter")"
  unset DOCKER_HOST CACHEFROM_TEST_ENGINE
done

# --- NUKE tests ---------------------------------------------------------------------------------
# They need Nuke.Common 10.1.0, which not every NuGet source serves. Probe the configured sources
# (NuGet.config files, or RestoreAdditionalProjectSources in the environment) with a throwaway
# project that downloads only that package into its own folder, so a package left in the global
# cache does not count; run the NUKE tests where it restores, and say so loudly where it does not.
nuke_probe="$work/nuke-probe"
mkdir -p "$nuke_probe"
cat >"$nuke_probe/probe.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Nuke.Common" Version="[10.1.0]" /></ItemGroup>
</Project>
XML
nuke_config=()
for config in NuGet.config nuget.config NuGet.Config; do
  [ -f "$config" ] && { nuke_config=(--configfile "$PWD/$config"); break; }
done
nuke="skipped"
if timeout 180 dotnet restore "$nuke_probe/probe.csproj" --packages "$nuke_probe/packages" "${nuke_config[@]}" --verbosity quiet >"$nuke_probe/restore.log" 2>&1; then
  header "NUKE tests (tests/CacheFrom.Nuke.Tests) on ${engines[0]}"
  dotnet build tests/CacheFrom.Nuke.Tests/CacheFrom.Nuke.Tests.csproj --verbosity quiet || status=1
  eval "$(bash scripts/engines.sh env "${engines[0]}")"
  run_tests "nuke on ${engines[0]}" tests/CacheFrom.Nuke.Tests/CacheFrom.Nuke.Tests.csproj "$(filter '')"
  unset DOCKER_HOST CACHEFROM_TEST_ENGINE
  nuke="ran"
else
  echo "SKIPPED: NUKE tests (tests/CacheFrom.Nuke.Tests) - Nuke.Common 10.1.0 cannot be restored from the configured NuGet sources (add a feed that serves it to run them)"
fi

# One plain closing line over every run, from each run's "Total tests" block; a run that ended
# without one (a crash, a build error) says so.
totals() { awk '/^ +Passed: [0-9]+ *$/ { p += $2 } /^ +Failed: [0-9]+ *$/ { f += $2 } /^ +Skipped: [0-9]+ *$/ { s += $2 }
               /^Total tests: / { t = 1 } END { if (t) printf "%d %d %d\n", p, f, s; else print "none" }' "$1"; }
passed=0 failed=0 skipped=0 parts=()
for entry in "${runs[@]}"; do
  IFS='|' read -r label file code <<<"$entry"
  read -r p f s <<<"$(totals "$file")"
  if [ "$p" = none ] && grep -q "No test matches the given testcase filter" "$file"; then parts+=("$label: none matched"); continue; fi
  if [ "$p" = none ]; then parts+=("$label: no results, exit $code"); status=1; continue; fi
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  parts+=("$label: $p/$f/$s")
done
[ "$nuke" = ran ] || parts+=("nuke: skipped")
# The failed tests by name, last, where a CI log's tail shows them.
for entry in "${runs[@]}"; do
  IFS='|' read -r label file code <<<"$entry"
  grep -E '^ +Failed .+ \[[^]]+\]$' "$file" | sed -E "s/^ +Failed (.+) \[[^]]+\]$/FAILED on $label: \1/" || true
done
echo
echo "$passed passed, $failed failed, $skipped skipped ($(IFS=';'; echo "${parts[*]}" | sed 's/;/; /g'); passed/failed/skipped)"
exit "$status"
