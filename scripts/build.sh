#!/usr/bin/env bash
# Configures and builds every component with CMake.
#
#   ./scripts/build.sh              -> build/       (RelWithDebInfo)
#   ./scripts/build.sh --sanitize   -> build-asan/  (-DCHAT_SANITIZE=ON: ASan + UBSan;
#                                    the benchmark is left out, it only measures)
#   ./scripts/build.sh chatd pushd  -> only those targets (default: all)
#
# Environment: CHAT_BUILD_DIR overrides the build directory, CHAT_BUILD_JOBS the
# number of parallel jobs (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=OFF
bench=ON
build_dir=build
targets=()
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=ON; bench=OFF; build_dir=build-asan ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
    *) targets+=("$arg") ;;
  esac
done
build_dir=${CHAT_BUILD_DIR:-$build_dir}
jobs=${CHAT_BUILD_JOBS:-$(nproc)}

# Ninja (Debian's ninja-build, from install-deps.sh) for a new build directory:
# it schedules the whole build at once and its no-op build is instant. A build
# directory made before keeps the generator it was made with.
generator=()
if [ ! -f "$build_dir/CMakeCache.txt" ] && command -v ninja >/dev/null; then
  generator=(-G Ninja)
fi

cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHAT_SANITIZE="$sanitize" \
  -DCHAT_BUILD_BENCH="$bench"
if [ ${#targets[@]} -gt 0 ]; then
  cmake --build "$build_dir" -j "$jobs" --target "${targets[@]}"
else
  cmake --build "$build_dir" -j "$jobs"
fi
