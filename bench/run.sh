#!/usr/bin/env bash
# bench/run.sh: one command for the whole benchmark. Installs what is missing
# (scripts/install-deps.sh, and gnuplot for the plot), builds chat-bench (and the
# plugin, chatd and pushd it starts) in Release into build-bench/, runs every
# scenario on loopback with its own brokers, chatd, pushd and scratch directories,
# plots the latencies and writes bench/results/<date-time>/report.md;
# bench/results/latest points at the newest run.
#
#   bench/run.sh                         # everything, defaults (a few minutes)
#   bench/run.sh --only throughput,latency --duration 4
#   bench/run.sh wire                    # one scenario alone (same as --only wire)
#   bench/run.sh push                    # pushes to the fake providers, 1:1 beside them
#   bench/run.sh presence --presence-connects 25   # a scenario with its own options
#   bench/run.sh --help                  # chat-bench's options (passed through)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}
results=$root/bench/results
time_limit_s=${BENCH_TIME_LIMIT_S:-1800}

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,13p' "${BASH_SOURCE[0]}"
  [[ -x "$build/bench/chat-bench" ]] && "$build/bench/chat-bench" run --help
  exit 0
fi

# A first argument without a dash names scenarios: `run.sh wire` is `run.sh --only wire`.
if [[ $# -gt 0 && "$1" != -* ]]; then
  set -- --only "$@"
fi

# The build's packages (a no-op when all are present), then the plot's.
"$root/scripts/install-deps.sh"
if ! command -v gnuplot >/dev/null; then
  echo "[run.sh] installing gnuplot-nox for the latency plot"
  if [[ $(id -u) -eq 0 ]]; then
    (apt-get install -y -q gnuplot-nox >/dev/null 2>&1 ||
      (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q gnuplot-nox >/dev/null 2>&1)) ||
      echo "[run.sh] could not install gnuplot; the report will have no plot"
  else
    sudo apt-get install -y -q gnuplot-nox >/dev/null 2>&1 ||
      echo "[run.sh] could not install gnuplot; the report will have no plot"
  fi
fi

echo "[run.sh] building Release into $build"
mkdir -p "$build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCHAT_BUILD_BENCH=ON \
  -DCHAT_BUILD_TESTS=OFF >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j2 --target chat-bench

stamp=$(date +%Y-%m-%dT%H%M%S)
out=$results/$stamp
mkdir -p "$out"
revision=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
# A scratch PostgreSQL server for the throughput rounds' chat 1:1 on PostgreSQL.
postgres=()
if [[ " $* " != *" --postgres-url "* ]]; then
  pg_state=$build/scratch-postgres
  trap '"$root/scripts/lib/scratch_postgres.sh" stop "$pg_state"' EXIT
  if "$root/scripts/lib/scratch_postgres.sh" start "$pg_state"; then
    postgres=(--postgres-url "$(cat "$pg_state/url")")
  else
    echo "[run.sh] PostgreSQL did not start: throughput runs on SQLite only"
  fi
fi
echo "[run.sh] load average before: $(cut -d' ' -f1-3 /proc/loadavg); results in $out"
timeout --kill-after=30 "$time_limit_s" \
  "$build/bench/chat-bench" run --out "$out" --revision "$revision" "${postgres[@]}" "$@"

if command -v gnuplot >/dev/null && grep -qv '^#' "$out/latency-chat.tsv" 2>/dev/null; then
  gnuplot -e "dir='$out'" "$root/bench/plot.gp" || echo "[run.sh] gnuplot failed"
fi
ln -sfn "$stamp" "$results/latest"
echo "[run.sh] report: $out/report.md (also bench/results/latest/report.md)"
