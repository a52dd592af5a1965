#!/usr/bin/env bash
# Coverage-guided fuzzing (SharpFuzz + AFL++) of what the server decodes from bytes it does not control: every
# request body, protobuf and JSON, through the binder's decode and validation, and the stored-record reader, with and
# without encryption keys (tests/Bbs.Fuzz). Fails if AFL saves any crash (an exception escaped, a request failed
# with a non-BBS error, or an input allocated past its allowance) or hang (an input ran past the time limit).
#
#   bash tests/fuzz.sh            # 60 seconds of fuzzing, what CI runs
#   bash tests/fuzz.sh 3600       # longer; FUZZ_OUT=DIR keeps the findings and the grown corpus in DIR
#
# Installs Debian's afl++ and the SharpFuzz.CommandLine tool when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-${FUZZ_SECONDS:-60}}"
sharpfuzz_version=2.3.0
out="${FUZZ_OUT:-$(mktemp -d)}"
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export PATH="$PATH:${HOME:-/root}/.dotnet/tools"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "fuzz: installing Debian's afl++" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi
if ! dotnet tool list --global | grep -qi "^sharpfuzz.commandline *$sharpfuzz_version"; then
  echo "fuzz: installing SharpFuzz.CommandLine $sharpfuzz_version" >&2
  dotnet tool uninstall --global SharpFuzz.CommandLine >/dev/null 2>&1 || true
  dotnet tool install --global SharpFuzz.CommandLine --version "$sharpfuzz_version" >/dev/null
fi

# Publish into a folder of its own: instrumenting rewrites the assemblies in place.
rm -rf "$out/bin" "$out/findings" "$out/in"
if ! dotnet publish tests/Bbs.Fuzz -c Release -o "$out/bin" > "$out/publish.log" 2>&1; then
  cat "$out/publish.log"
  exit 1
fi
# Our assemblies on the path, and Google.Protobuf, whose parser the fuzzer must see into to build valid nesting.
for assembly in Bbs.Models Bbs.Db Bbs.Server Google.Protobuf; do
  sharpfuzz "$out/bin/$assembly.dll" > /dev/null
done

# The seeds and every kept regression; a regression that still crashes stops AFL at its dry run.
mkdir -p "$out/in"
find tests/Bbs.Fuzz/corpus/seed tests/Bbs.Fuzz/corpus/regressions -type f ! -name '.*' -exec cp {} "$out/in/" \;

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1
# -t: a hang is an input that runs 2 s (executions take well under a millisecond); -m none: the runtime reserves
# far more address space than it uses, and the harness bounds what each input allocates itself.
# -x: the JSON names of every field and enum value (Bbs.Fuzz dict), for the JSON bodies and records.
if ! afl-fuzz -i "$out/in" -o "$out/findings" -x tests/Bbs.Fuzz/bbs.dict -t 2000 -m none -V "$seconds" -- dotnet "$out/bin/Bbs.Fuzz.dll" > "$out/afl.log" 2>&1; then
  tail -n 40 "$out/afl.log"
  echo "fuzz: afl-fuzz failed; its log is $out/afl.log" >&2
  exit 1
fi

stats="$out/findings/default/fuzzer_stats"
stat() { awk -F' *: *' -v key="$1" '$1 == key { print $2 }' "$stats"; }
crashes=$(stat saved_crashes)
hangs=$(stat saved_hangs)
echo "fuzz: $(stat execs_done) executions ($(stat execs_per_sec)/s) in $(stat run_time) s," \
  "$(stat corpus_count) paths in the corpus ($(stat corpus_found) found), $(stat edges_found) edges," \
  "stability $(stat stability), $crashes crashes, $hangs hangs"

if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then
  for input in "$out"/findings/default/crashes/id:* "$out"/findings/default/hangs/id:*; do
    [ -e "$input" ] || continue
    echo "fuzz: failing input $input" >&2
  done
  # Replay the crashes in-process for their exceptions (hangs are listed above).
  find "$out/findings/default/crashes" -name 'id:*' -print0 | head -z -n 5 |
    xargs -0 -r dotnet "tests/Bbs.Fuzz/bin/Release/net10.0/Bbs.Fuzz.dll" replay >&2 || true
  echo "fuzz: FAILED; keep each failing input under tests/Bbs.Fuzz/corpus/regressions once fixed (findings: $out/findings)" >&2
  exit 1
fi
