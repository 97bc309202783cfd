#!/usr/bin/env bash
# NUKE bootstrapper: builds build/_build.csproj with the dotnet on PATH, then runs it.
#   ./build.sh [targets] [--docker-image …] [--help]
# Nuke.Common must be restorable from your NuGet sources (see docs/nuke.md).

set -eo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_PROJECT_FILE="$SCRIPT_DIR/build/_build.csproj"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export NUKE_TELEMETRY_OPTOUT=1

if ! DOTNET_EXE="$(command -v dotnet)" || ! "$DOTNET_EXE" --version >/dev/null 2>&1; then
    echo "error: no working 'dotnet' on PATH; install the .NET 10 SDK (https://dot.net) and run again" >&2
    exit 1
fi

"$DOTNET_EXE" build "$BUILD_PROJECT_FILE" /nodeReuse:false /p:UseSharedCompilation=false -nologo -clp:NoSummary --verbosity quiet
"$DOTNET_EXE" run --project "$BUILD_PROJECT_FILE" --no-build -- "$@"
