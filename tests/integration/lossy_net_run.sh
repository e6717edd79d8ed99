#!/usr/bin/env bash
# Runs lossy_net_test inside ../shared/tools/lossy-net: 30 % of the packets on
# the devices' port dropped, its connections killed every 5 s.
#
#   lossy_net_run.sh LOSSY_NET PORT TEST_BINARY
#
# Exits 77, which ctest reports as skipped, where lossy-net cannot make its
# network namespace (it needs root and a kernel that lets it mount one).
set -uo pipefail
lossy_net=$1 port=$2 binary=$3

skip() {
  echo "lossy_net_test skipped: lossy-net cannot run here: $1"
  exit 77
}
[ "$(id -u)" = 0 ] || skip "it needs root"
# `ip netns exec` makes / a slave mount; where that is refused (a chroot
# without its own mount tree), lossy-net would leave its namespace's mount
# behind: check without creating one.
probe=$(unshare --mount sh -c 'mount --make-rslave /' 2>&1) || skip "${probe:-no mount namespace}"
probe=$("$lossy_net" --port "$port" -- true 2>&1) || skip "${probe:-no reason given}"
exec "$lossy_net" --loss 30 --reset-every 5 --port "$port" -- \
  env CHAT_LOSSY_DEVICE_PORT="$port" "$binary"
