#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs the whole test
# suite (unit and integration tests) with ctest.
#
#   ./scripts/test.sh              -> build/
#   ./scripts/test.sh --sanitize   -> build-asan/ (AddressSanitizer + UBSan)
#
# Exits non-zero when any test fails. Environment: CHAT_BUILD_DIR, CHAT_BUILD_JOBS
# (see build.sh), CHAT_TEST_JOBS (tests run at once, default 4, 3 with
# --sanitize: every integration test has its own broker, chatd and ports,
# and mostly waits on them), CHAT_TEST_TIMEOUT_S (per test, default 300).
set -euo pipefail
cd "$(dirname "$0")/.."

build_args=()
build_dir=build
test_jobs=4
for arg in "$@"; do
  case "$arg" in
    --sanitize) build_args+=(--sanitize); build_dir=build-asan; test_jobs=3 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
build_dir=${CHAT_BUILD_DIR:-$build_dir}

./scripts/install-deps.sh
./scripts/build.sh "${build_args[@]}"

# UBSan (sanitized build): show where, in every process the tests start.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

ctest --test-dir "$build_dir" --output-on-failure --parallel "${CHAT_TEST_JOBS:-$test_jobs}" \
  --timeout "${CHAT_TEST_TIMEOUT_S:-300}"
