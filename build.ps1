# NUKE bootstrapper: builds build/_build.csproj with the dotnet on PATH, then runs it.
#   ./build.ps1 [targets] [--docker-image …] [--help]
# Nuke.Common must be restorable from your NuGet sources (see docs/nuke.md).
[CmdletBinding()]
Param(
    [Parameter(Position=0,Mandatory=$false,ValueFromRemainingArguments=$true)]
    [string[]]$BuildArguments
)

Set-StrictMode -Version 2.0; $ErrorActionPreference = "Stop"; $ConfirmPreference = "None"; trap { Write-Error $_ -ErrorAction Continue; exit 1 }
$PSScriptRoot = Split-Path $MyInvocation.MyCommand.Path -Parent

$BuildProjectFile = "$PSScriptRoot\build\_build.csproj"

$env:DOTNET_CLI_TELEMETRY_OPTOUT = 1
$env:DOTNET_NOLOGO = 1
$env:NUKE_TELEMETRY_OPTOUT = 1

function ExecSafe([scriptblock] $cmd) {
    & $cmd
    if ($LASTEXITCODE) { exit $LASTEXITCODE }
}

$DotNet = Get-Command "dotnet" -ErrorAction SilentlyContinue
if ($null -eq $DotNet -or $(& $DotNet.Source --version 2>&1 | Out-Null; $LASTEXITCODE) -ne 0) {
    Write-Error "No working 'dotnet' on PATH; install the .NET 10 SDK (https://dot.net) and run again"
    exit 1
}
$env:DOTNET_EXE = $DotNet.Source

ExecSafe { & $env:DOTNET_EXE build $BuildProjectFile /nodeReuse:false /p:UseSharedCompilation=false -nologo -clp:NoSummary --verbosity quiet }
ExecSafe { & $env:DOTNET_EXE run --project $BuildProjectFile --no-build -- $BuildArguments }
