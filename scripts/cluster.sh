#!/usr/bin/env bash
# The local broker cluster: three mosquitto nodes with the chat plugin behind
# HAProxy, chatd connected to every node, pushd, and their PostgreSQL
# database (a scratch server, scripts/lib/scratch_postgres.sh), all on
# loopback in ./run-cluster/. Shows alice and bob chatting through HAProxy
# from different nodes, kills bob's node with SIGKILL, shows bob's client
# back on another node with every message once and in order, then stops
# everything.
#
#   ./scripts/cluster.sh          build, start, run the demo, stop; exit 0
#   ./scripts/cluster.sh --keep   the same, and leave the cluster running
#   ./scripts/cluster.sh stop     stop a cluster left running
#
# Environment: CHAT_CLUSTER_PORT (HAProxy's port on 127.0.0.1, default 18830;
# the nodes listen on the next three ports), CHAT_BUILD_DIR (default build).
# docs/ARCHITECTURE.md "Broker nodes" explains the layout; deploy/README.md
# the production one.
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT=$(pwd)
RUN=$ROOT/run-cluster
HOST=127.0.0.1
PORT=${CHAT_CLUSTER_PORT:-18830}
BUILD=${CHAT_BUILD_DIR:-build}
[[ "$BUILD" = /* ]] || BUILD=$ROOT/$BUILD
WAIT_S=20
NODES=(1 2 3)
node_port() { echo $((PORT + $1)); }

say() { echo "cluster: $*"; }
fail() {
  echo "cluster: ERROR: $*" >&2
  echo "cluster: logs are in run-cluster/logs/; stop what runs with ./scripts/cluster.sh stop" >&2
  exit 1
}

# is_ours, stop_one, start_bg, wait_for_line, find_built
source "$ROOT/scripts/lib/stack.sh"

stop_cluster() {
  local name
  for name in client-bob pushd chatd haproxy node1 node2 node3; do stop_one "$name"; done
  if [ -f "$RUN/postgres/datadir" ]; then
    scripts/lib/scratch_postgres.sh stop "$RUN/postgres"
    stopped=$((stopped + 1))
  fi
}

# A scratch PostgreSQL server with an empty database `chat`: DB_URL.
start_database() {
  scripts/lib/scratch_postgres.sh start "$RUN/postgres" >"$RUN/logs/postgres.log" 2>&1 ||
    fail "PostgreSQL did not start: $(tail -n 5 "$RUN/logs/postgres.log")"
  local server
  server=$(cat "$RUN/postgres/url")
  psql -q "$server" -c "CREATE DATABASE chat" >>"$RUN/logs/postgres.log" 2>&1 ||
    fail "could not create the database (run-cluster/logs/postgres.log)"
  DB_URL=${server%/*}/chat
  say "PostgreSQL $(psql -tA "$DB_URL" -c 'SHOW server_version') at $DB_URL (data in $(cat "$RUN/postgres/datadir"))"
}

# fill TEMPLATE OUT NODE_PORT: the local stack's templates, for this cluster.
fill() {
  sed -e "s|@PORT@|$3|g" -e "s|@RUN_USER@|$(id -un)|g" -e "s|@PLUGIN_PATH@|$PLUGIN|g" \
    -e "s|@KEY_FILE@|$RUN/chat.key|g" -e "s|@DB_PATH@|$DB_URL|g" -e "s|@RUN@|$RUN|g" \
    "$1" >"$2"
}

provision() {
  local node nodes="" user
  mkdir -p "$RUN/data" "$RUN/tokens" "$RUN/logs" "$RUN/demo" "$RUN/state"
  chmod 700 "$RUN"
  "$CHATCTL" keygen --out "$RUN/chat.key" 2>>"$RUN/logs/setup.log"
  for node in "${NODES[@]}"; do
    fill deploy/local/mosquitto.conf.in "$RUN/node$node.conf" "$(node_port "$node")"
    nodes+="${nodes:+, }$HOST:$(node_port "$node")"
  done
  # chatd connects to every node directly, not through HAProxy.
  grep -vE '^(broker_host|broker_port|db_path) ' deploy/local/chatd.conf.in >"$RUN/chatd.conf"
  printf 'broker_nodes = %s\ndb_path = %s\n' "$nodes" "$DB_URL" >>"$RUN/chatd.conf"
  printf 'db_path = %s\nlog_level = info\n' "$DB_URL" >"$RUN/pushd.conf"
  fill deploy/local/haproxy.cfg.in "$RUN/haproxy.cfg" "$PORT"
  for node in "${NODES[@]}"; do
    echo "    server node$node $HOST:$(node_port "$node")"
  done >>"$RUN/haproxy.cfg"
  "$CHATCTL" --config "$RUN/chatd.conf" init >>"$RUN/logs/setup.log" 2>&1 ||
    fail "chatctl init failed: $(tail -n 5 "$RUN/logs/setup.log")"
  for user in alice bob; do
    "$CHATCTL" --config "$RUN/chatd.conf" user add "$user" >>"$RUN/logs/setup.log" 2>&1
    "$CHATCTL" --config "$RUN/chatd.conf" device add "$user" phone --platform demo \
      >>"$RUN/logs/setup.log" 2>&1
    "$CHATCTL" --config "$RUN/chatd.conf" token issue "$user" phone --ttl 1d \
      >"$RUN/tokens/$user.token" 2>>"$RUN/logs/setup.log" ||
      fail "chatctl could not provision $user (run-cluster/logs/setup.log)"
  done
  say "run-cluster/: a fresh key, the schema in PostgreSQL, alice and bob (one phone each)"
}

start_cluster() {
  local node mosquitto
  mosquitto=$(command -v mosquitto || echo /usr/sbin/mosquitto)
  for node in "${NODES[@]}"; do
    start_bg "node$node" /dev/null "$RUN/logs/node$node.log" "$mosquitto" -c "$RUN/node$node.conf"
    wait_for_line "$RUN/logs/node$node.log" 'mosquitto version .* running' "node$node" ||
      fail "broker node $node did not start (run-cluster/logs/node$node.log)"
  done
  say "broker nodes 1-3: mosquitto with the chat plugin on $HOST:$(node_port 1)-$(node_port 3)"
  start_bg haproxy "$RUN/logs/haproxy.log" "$RUN/logs/haproxy.log" \
    haproxy -db -f "$RUN/haproxy.cfg"
  for _ in $(seq $((WAIT_S * 10))); do
    [ -n "$(ss -Hltn "sport = :$PORT" 2>/dev/null)" ] && break
    sleep 0.1
  done
  [ -n "$(ss -Hltn "sport = :$PORT" 2>/dev/null)" ] ||
    fail "HAProxy is not listening on $PORT (run-cluster/logs/haproxy.log)"
  say "HAProxy on $HOST:$PORT: TCP, the MQTT CONNECT checked, a client id kept on its node"
  start_bg chatd /dev/null "$RUN/logs/chatd.log" "$CHATD" --config "$RUN/chatd.conf"
  wait_for_line "$RUN/logs/chatd.log" 'chatd ready' chatd || fail "chatd did not become ready"
  say "chatd is connected to all three nodes (run-cluster/chatd.conf: broker_nodes)"
  start_bg pushd /dev/null "$RUN/logs/pushd.log" "$PUSHD" --config "$RUN/pushd.conf"
  wait_for_line "$RUN/logs/pushd.log" 'pushd ready' pushd || fail "pushd did not start"
  say "pushd is running (no push provider configured here: scripts/demo.sh shows push)"
}

cli() {
  local user=$1
  shift
  "$CHAT_CLI" --host "$HOST" --port "$PORT" --user "$user" --device phone \
    --token-file "$RUN/tokens/$user.token" --state "$RUN/state/$user.db" "$@"
}

# node_of CLIENT_ID [EXCEPT]: the node (other than EXCEPT) whose log shows
# CLIENT_ID connecting, the first one found.
node_of() {
  local node
  for node in "${NODES[@]}"; do
    [ "$node" = "${2:-}" ] && continue
    if grep -qE "New client connected .* as $1 " "$RUN/logs/node$node.log"; then
      echo "$node"
      return
    fi
  done
}

# send_from_alice FIRST LAST: alice sends messages FIRST..LAST to bob.
send_from_alice() {
  local i
  for i in $(seq "$1" "$2"); do
    cli alice send --to bob "message $i" >>"$RUN/demo/alice.jsonl" || fail "chat-cli send failed"
  done
}

wait_for_messages() {
  for _ in $(seq $((WAIT_S * 10))); do
    [ "$(grep -c '"type":"msg"' "$RUN/demo/bob.jsonl" 2>/dev/null || true)" -ge "$1" ] && return 0
    sleep 0.1
  done
  fail "bob has $(grep -c '"type":"msg"' "$RUN/demo/bob.jsonl" || true) of $1 messages (run-cluster/demo/bob.jsonl)"
}

run_demo() {
  local bob_node alice_node new_node bodies
  start_bg client-bob "$RUN/demo/bob.jsonl" "$RUN/logs/client-bob.log" \
    "$CHAT_CLI" --host "$HOST" --port "$PORT" --user bob --device phone \
    --token-file "$RUN/tokens/bob.token" --state "$RUN/state/bob.db" listen --for-s 120
  for _ in $(seq $((WAIT_S * 10))); do
    bob_node=$(node_of bob:phone)
    [ -n "$bob_node" ] && grep -qE " bob:phone [0-2] chat/inbox/bob/#" \
      "$RUN/logs/node$bob_node.log" && break
    sleep 0.1
  done
  [ -n "$bob_node" ] || fail "bob's phone did not connect through HAProxy"
  say "1. bob's phone listens (chat-cli listen), through HAProxy: it landed on node $bob_node"
  send_from_alice 1 3
  alice_node=$(node_of alice:phone)
  say "2. alice's phone sent 'message 1'..'message 3' through HAProxy from node $alice_node"
  wait_for_messages 3
  say "   bob got all three on node $bob_node: chatd took them from node $alice_node and sent"
  say "   every event to every node"

  say "3. kill -9 of node $bob_node, bob's node; alice sends 'message 4'..'message 6' meanwhile"
  kill -KILL "$(cat "$RUN/node$bob_node.pid")"
  rm -f "$RUN/node$bob_node.pid"
  send_from_alice 4 6
  wait_for_messages 6
  new_node=$(node_of bob:phone "$bob_node")
  say "   bob's client reconnected through HAProxy to node $new_node and caught up by sync"
  bodies=$(grep '"type":"msg"' "$RUN/demo/bob.jsonl" | grep -oE '"body":"[^"]*"' |
    sed -E 's/"body":"(.*)"/\1/' | paste -sd, -)
  [ "$bodies" = "message 1,message 2,message 3,message 4,message 5,message 6" ] ||
    fail "bob's messages are not each once and in order: $bodies"
  say "   bob's messages, each once and in order: $bodies"
  [ -n "$new_node" ] || fail "no other node shows bob's phone connecting"
}

case "${1:-}" in
  stop)
    stop_cluster
    [ "$stopped" -gt 0 ] || say "nothing was running"
    exit 0
    ;;
  "" | --keep) ;;
  -h | --help)
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *) fail "unknown argument '$1' (usage: ./scripts/cluster.sh [--keep|stop])" ;;
esac

./scripts/install-deps.sh
stop_cluster
rm -rf "$RUN"
mkdir -p "$RUN/logs"
say "building into ${BUILD#"$ROOT"/}/ (minutes the first time; log: run-cluster/build.log)"
CHAT_BUILD_DIR=$BUILD ./scripts/build.sh chatd chatctl pushd chat-cli chat_broker_plugin \
  >"$RUN/build.log" 2>&1 || {
  tail -n 40 "$RUN/build.log" >&2
  fail "the build failed (the end of run-cluster/build.log is above)"
}
CHATD=$(find_built chatd)
CHATCTL=$(find_built chatctl)
PUSHD=$(find_built pushd)
CHAT_CLI=$(find_built chat-cli)
PLUGIN=$(find_built libchat_broker_plugin.so)

for port in "$PORT" "$(node_port 1)" "$(node_port 2)" "$(node_port 3)"; do
  [ -z "$(ss -Hltn "sport = :$port" 2>/dev/null)" ] ||
    fail "port $port is in use; choose others with CHAT_CLUSTER_PORT=28830 ./scripts/cluster.sh"
done
start_database
provision
start_cluster
run_demo
if [ "${1:-}" = --keep ]; then
  say "the cluster keeps running; stop it with ./scripts/cluster.sh stop"
else
  stop_cluster >/dev/null
  say "stopped the cluster and its database; run-cluster/ keeps the logs"
fi
