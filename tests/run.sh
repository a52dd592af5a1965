#!/usr/bin/env bash
# Runs every test: the README's test command, and exactly what .ci/run runs.
# Tests that need etcd start a private one from Debian's etcd-server package (or use ETCD_ENDPOINTS).
set -euo pipefail
cd "$(dirname "$0")/.."

# Real components the tests run: etcd (Debian's etcd-server), Prometheus with promtool (Debian's prometheus), and curl
# (the README examples test runs the README's curl commands).
missing=()
if [ -z "${ETCD_ENDPOINTS:-}" ] && ! command -v etcd >/dev/null 2>&1; then missing+=(etcd-server); fi
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then missing+=(prometheus); fi
if ! command -v curl >/dev/null 2>&1; then missing+=(curl); fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing Debian's ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's package may start a system etcd on 2379; tests use private ports, so it does no harm.

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

if ! dotnet build Bbs.sln -c Release -warnaserror > "$log" 2>&1; then
  cat "$log"
  exit 1
fi
tail -n 3 "$log"
set +e
dotnet test Bbs.sln -c Release --no-build --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for the whole run, summed over the test assemblies' summaries
# ("Total tests: N" blocks; per-test lines have no colon after Passed/Failed).
awk '$1 == "Passed:" { p += $2 } $1 == "Failed:" { f += $2 } $1 == "Skipped:" { s += $2 }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
if grep -q "Test Run Aborted" "$log"; then
  echo "a test run was aborted" >&2
  status=1
fi

# Coverage-guided fuzzing of the codec and the record reader for a bounded time (docs/reliability.md).
if ! bash tests/fuzz.sh "${FUZZ_SECONDS:-60}"; then
  echo "the fuzz run failed" >&2
  status=1
fi
exit "$status"
