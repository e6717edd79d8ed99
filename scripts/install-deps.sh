#!/usr/bin/env bash
# Installs the Debian 12 packages that building, testing and running the chat
# backend need, and only those that are missing. Safe to run again: with
# everything present it installs nothing and needs no network.
#
#   ./scripts/install-deps.sh
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ca-certificates
  # broker, its plugin headers and command-line clients; the load balancer in
  # front of a cluster of brokers (scripts/cluster.sh)
  mosquitto mosquitto-clients mosquitto-dev libmosquitto-dev haproxy
  # libraries
  libpaho-mqttpp-dev libpaho-mqtt-dev nlohmann-json3-dev libjwt-dev libsqlite3-dev
  libssl-dev libcurl4-openssl-dev libcli11-dev libspdlog-dev
  # PostgreSQL: the client library chatd, pushd and chatctl use for a server
  # store, and the server the tests' conformance suite and scripts/cluster.sh
  # run in a scratch directory
  libpq-dev postgresql
  # tests
  libgtest-dev libgmock-dev
  # the fake APNs and FCM (tests/fakes/push_fakes.py, run with /usr/bin/python3):
  # HTTP/2 and HTTP/1.1 servers, JWT verification, test keys and certificates
  python3-h2 python3-h11 python3-jwt python3-cryptography
  # the HTTP/2 server of the provider clients' unit tests (tests/unit/push_h2_fake.py)
  python3-hypercorn
  # what the scripts use: sqlite3 (inspecting the demo's database), ps (procps),
  # ss (iproute2), setsid (util-linux), timeout (coreutils)
  sqlite3 procps iproute2 util-linux coreutils
)

missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages are installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run this script as root (or install sudo) to install them" >&2
  exit 1
fi

mosquitto_was_installed=1
postgresql_was_installed=1
for package in "${missing[@]}"; do
  [ "$package" = mosquitto ] && mosquitto_was_installed=0
  [ "$package" = postgresql ] && postgresql_was_installed=0
done

echo "install-deps: installing ${#missing[@]} missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null
echo "install-deps: done"

# Installing Debian's mosquitto starts its system service on localhost:1883 on a
# machine that runs systemd. The chat stack runs its own broker with the chat
# plugin (scripts/demo.sh, deploy/), so the service that this script just
# brought in is stopped and disabled rather than left holding the port. A
# mosquitto that was already installed is the machine owner's and is left alone.
if [ "$mosquitto_was_installed" = 0 ] && [ -d /run/systemd/system ] &&
   systemctl is-enabled --quiet mosquitto.service 2>/dev/null; then
  "${as_root[@]}" systemctl disable --now --quiet mosquitto.service
  echo "install-deps: stopped and disabled Debian's mosquitto.service (it would hold port 1883);"
  echo "install-deps: the chat stack starts its own broker. Undo with: systemctl enable --now mosquitto"
fi

# The same for Debian's PostgreSQL service (its cluster on port 5432): the tests
# and scripts/cluster.sh run their own server in a scratch directory.
if [ "$postgresql_was_installed" = 0 ] && [ -d /run/systemd/system ] &&
   systemctl is-enabled --quiet postgresql.service 2>/dev/null; then
  "${as_root[@]}" systemctl disable --now --quiet postgresql.service
  echo "install-deps: stopped and disabled Debian's postgresql.service (the chat stack runs its own"
  echo "install-deps: scratch server where it needs one). Undo with: systemctl enable --now postgresql"
fi
