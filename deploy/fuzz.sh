#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang-14, ASan + UBSan) in build-fuzz/ and runs
# each for a bounded time, one after the other.
#
#   deploy/fuzz.sh [--seconds N] [--from-seeds] [TARGET...]
#
# --seconds N   run time per target (default 25).
# --from-seeds  start from the seed corpus in fuzz/corpus/<target>/ only, in a scratch
#               directory (what deploy/test.sh does); otherwise the inputs found by earlier
#               runs, kept in build-fuzz/corpus/<target>/, are loaded too and grow.
# TARGET        e.g. csv_ingest; default: every fuzz/*_fuzzer.cc. fuzz/TARGET.dict, when
#               present, is passed as the libFuzzer dictionary.
# Prints per target: executions, exec/s, coverage (cov, ft), corpus size and the result.
# Exits 1 if any target crashed, hung, leaked or broke an invariant; the input is kept in
# build-fuzz/artifacts/<target>/ and the command that reproduces it is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=25
from_seeds=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    --from-seeds) from_seeds=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "fuzz.sh: --seconds must be a whole number >= 1, got \"$seconds\"" >&2
  exit 2
fi
if [ ${#targets[@]} -eq 0 ]; then
  for src in fuzz/*_fuzzer.cc; do
    name="$(basename "$src" .cc)"
    targets+=("${name%_fuzzer}")
  done
fi
if ! command -v clang++-14 >/dev/null 2>&1; then
  echo "fuzz.sh: clang++-14 not found; run deploy/install-deps.sh (clang-14, libfuzzer-14-dev)" >&2
  exit 2
fi

build=build-fuzz
launcher=()
if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S fuzz -B "$build" -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "${launcher[@]}" >/dev/null
cmake --build "$build" -j2 --target "${targets[@]/%/_fuzzer}"

scratch=""
if [ "$from_seeds" -eq 1 ]; then
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
fi

failed=0
printf '%-18s %12s %9s %7s %7s %8s  %s\n' target executions exec/s cov ft corpus result
for t in "${targets[@]}"; do
  seeds="fuzz/corpus/$t"
  if [ ! -d "$seeds" ]; then
    echo "fuzz.sh: no seed corpus $seeds for target $t" >&2
    exit 2
  fi
  if [ -n "$scratch" ]; then work="$scratch/corpus/$t"; else work="$build/corpus/$t"; fi
  artifacts="$build/artifacts/$t"
  log="$build/logs/$t.log"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  stamp="$build/logs/$t.started"
  touch "$stamp"
  dict=()
  if [ -f "fuzz/$t.dict" ]; then dict=(-dict="fuzz/$t.dict"); fi
  rc=0
  # -close_fd_mask=3: the targets' own logging is silenced; libFuzzer's and the
  # sanitizers' reports (and broken invariants, fuzz/invariant.h) still reach the log.
  "$build/bin/${t}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" \
    "$work" "$seeds" >"$log" 2>&1 || rc=$?
  done_line="$(grep -a 'DONE\|#[0-9]*.*cov:' "$log" | tail -1 || true)"
  executions="$(grep -a 'stat::number_of_executed_units' "$log" | awk '{print $2}' || true)"
  per_second="$(grep -a 'stat::average_exec_per_sec' "$log" | awk '{print $2}' || true)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")"
  corpus="$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$done_line")"
  found="$(find "$artifacts" -type f -newer "$stamp" | head -1)"
  if [ "$rc" -eq 0 ] && [ -z "$found" ]; then result="ok, 0 crashes"; else result="FAILED"; fi
  printf '%-18s %12s %9s %7s %7s %8s  %s\n' "$t" "${executions:-?}" "${per_second:-?}" \
    "${cov:-?}" "${ft:-?}" "${corpus:-?}" "$result"
  if [ "$result" = FAILED ]; then
    failed=1
    echo "---- $t: exit $rc; last lines of $log:" >&2
    grep -av '^#[0-9]' "$log" | tail -25 >&2
    if [ -n "$found" ]; then
      echo "---- reproduce with: $build/bin/${t}_fuzzer $found" >&2
    fi
  fi
done
exit "$failed"
