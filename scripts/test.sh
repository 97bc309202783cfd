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

status=0
results=$(mktemp)
dotnet test tests/CacheFrom.Tests/CacheFrom.Tests.csproj --logger "console;verbosity=normal" "$@" 2>&1 | tee -a "$results" || status=$?

# --- NUKE tests ---------------------------------------------------------------------------------
# They need Nuke.Common 10.1.0, which not every NuGet source serves. Probe the configured sources
# (NuGet.config files, or RestoreAdditionalProjectSources in the environment) with a throwaway
# project that downloads only that package into its own folder, so a package left in the global
# cache does not count; run the NUKE tests where it restores, and say so loudly where it does not.
nuke_probe=$(mktemp -d)
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
if timeout 180 dotnet restore "$nuke_probe/probe.csproj" --packages "$nuke_probe/packages" "${nuke_config[@]}" --verbosity quiet >"$nuke_probe/restore.log" 2>&1; then
  rm -rf "$nuke_probe"
  dotnet test tests/CacheFrom.Nuke.Tests/CacheFrom.Nuke.Tests.csproj --logger "console;verbosity=normal" "$@" 2>&1 | tee -a "$results" || status=$?
else
  rm -rf "$nuke_probe"
  echo "SKIPPED: NUKE tests (tests/CacheFrom.Nuke.Tests) - Nuke.Common 10.1.0 cannot be restored from the configured NuGet sources (add a feed that serves it to run them)"
fi

# One plain closing line over every test project, from each run's "Total tests" block.
awk '/^ +Passed: [0-9]+ *$/ { p += $2 } /^ +Failed: [0-9]+ *$/ { f += $2 } /^ +Skipped: [0-9]+ *$/ { s += $2 }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$results"
rm -f "$results"
exit "$status"
