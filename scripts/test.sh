#!/usr/bin/env bash
# The test entry point (README, CI): engine tests against the real engine and registry, then
# the NUKE tests wherever Nuke.Common can be restored.
#   scripts/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

bash scripts/dev-engine.sh start
# One engine serves every test; tests that empty the engine must not overlap with anything else.
exec 9>/tmp/cachefrom-docker-tests.lock
flock 9

dotnet test tests/CacheFrom.Tests/CacheFrom.Tests.csproj --logger "console;verbosity=normal" "$@"
