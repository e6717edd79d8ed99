#!/usr/bin/env bash
# Configures and builds every component with CMake.
#
#   ./scripts/build.sh              -> build/       (RelWithDebInfo)
#   ./scripts/build.sh --sanitize   -> build-asan/  (-DCHAT_SANITIZE=ON: ASan + UBSan)
#
# Environment: CHAT_BUILD_DIR overrides the build directory, CHAT_BUILD_JOBS the
# number of parallel jobs (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=OFF
build_dir=build
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=ON; build_dir=build-asan ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
build_dir=${CHAT_BUILD_DIR:-$build_dir}
jobs=${CHAT_BUILD_JOBS:-$(nproc)}

cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHAT_SANITIZE="$sanitize"
cmake --build "$build_dir" -j "$jobs"
