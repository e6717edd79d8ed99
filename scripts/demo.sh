#!/usr/bin/env bash
# The run command: installs what is missing, builds, starts the whole stack on
# this machine in ./run/ (mosquitto with the chat plugin, chatd, pushd, and
# local stand-ins for FCM and APNs), shows a conversation between alice and bob
# on four devices and a push to bob's phone while it is away, and leaves the
# stack running in the background.
#
#   ./scripts/demo.sh         build, (re)start the stack, run the demo, exit 0
#   ./scripts/demo.sh status  which processes of the stack run (exit 0 if all do)
#   ./scripts/demo.sh stop    stop the stack (the processes in run/*.pid)
#
# Environment: CHAT_PORT (the broker's port on 127.0.0.1, default 1883),
# CHAT_BUILD_DIR (default build). Everything it makes is in run/: the signing
# key, the database (run/data/), device tokens (run/tokens/), the demo
# devices' chat-cli state files (run/state/), the push stand-ins' test
# credentials (run/push-fakes/), generated configs, logs (run/logs/) and what
# each demo device received (run/demo/).
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT=$(pwd)
RUN=$ROOT/run
HOST=127.0.0.1
PORT=${CHAT_PORT:-1883}
BUILD=${CHAT_BUILD_DIR:-build}
[[ "$BUILD" = /* ]] || BUILD=$ROOT/$BUILD
WAIT_S=20

say() { echo "demo: $*"; }
fail() {
  echo "demo: ERROR: $*" >&2
  if ls "$RUN"/{mosquitto,chatd,pushd,push-fakes}.pid >/dev/null 2>&1; then
    echo "demo: what was started is still running, for a look at run/logs/;" \
      "stop it with ./scripts/demo.sh stop" >&2
  fi
  exit 1
}

# --- processes -------------------------------------------------------------

# is_ours, stop_one, start_bg, wait_for_line, find_built
source "$ROOT/scripts/lib/stack.sh"

# Stops the demo's chat-cli listeners, if any are left.
stop_clients() {
  local pidfile
  for pidfile in "$RUN"/client-*.pid; do
    [ -e "$pidfile" ] && stop_one "$(basename "$pidfile" .pid)"
  done
  return 0
}

# The daemons of the stack, in the order they start.
STACK=(mosquitto chatd push-fakes pushd)

# Stops every process of the stack: demo clients first, the push stand-ins last.
stop_stack() {
  local name
  stop_clients
  for name in pushd chatd mosquitto push-fakes; do stop_one "$name"; done
}

# Prints whether each daemon of the stack runs; true if all of them do.
print_status() {
  local name pid all=0
  for name in "${STACK[@]}"; do
    pid=$(cat "$RUN/$name.pid" 2>/dev/null || true)
    if is_ours "$pid"; then
      printf 'demo: %-10s running (pid %s)\n' "$name" "$pid"
    else
      printf 'demo: %-10s not running\n' "$name"
      all=1
    fi
  done
  return "$all"
}

# count_lines FILE REGEX: how many lines of FILE match REGEX (0 if none).
count_lines() { grep -cE "$2" "$1" 2>/dev/null || true; }

# wait_for_count FILE REGEX N WHAT: waits until N lines of FILE match REGEX.
wait_for_count() {
  local file=$1 regex=$2 want=$3 what=$4
  for _ in $(seq $((WAIT_S * 10))); do
    [ "$(count_lines "$file" "$regex")" -ge "$want" ] && return 0
    sleep 0.1
  done
  fail "$what: expected $want lines matching /$regex/ in $file within ${WAIT_S}s, got $(count_lines "$file" "$regex")"
}

# --- the stack -------------------------------------------------------------

check_port_free() {
  local owners
  if [ -n "$(ss -Hltn "sport = :$PORT" 2>/dev/null)" ]; then
    owners=$(ss -Hltnp "sport = :$PORT" 2>/dev/null | grep -oE 'users:\(\("[^"]+",pid=[0-9]+' |
      sed -E 's/users:\(\("([^"]+)",pid=([0-9]+)/\1 (pid \2)/' | sort -u | paste -sd, -)
    echo "demo: ERROR: port $PORT is already in use${owners:+ by $owners}." >&2
    if echo "$owners" | grep -q mosquitto; then
      echo "demo: That is probably Debian's own mosquitto service; stop it with" >&2
      echo "demo:   systemctl disable --now mosquitto" >&2
    fi
    echo "demo: Or run the demo on another port:  CHAT_PORT=18830 ./scripts/demo.sh" >&2
    exit 1
  fi
}

# fill TEMPLATE OUT: writes TEMPLATE with its @NAME@ values filled in.
fill() {
  sed -e "s|@PORT@|$PORT|g" -e "s|@RUN_USER@|$(id -un)|g" -e "s|@PLUGIN_PATH@|$PLUGIN|g" \
    -e "s|@KEY_FILE@|$RUN/chat.key|g" -e "s|@DB_PATH@|$RUN/data/chat.db|g" \
    -e "s|@APNS_PORT@|${APNS_PORT:-}|g" -e "s|@FCM_PORT@|${FCM_PORT:-}|g" \
    -e "s|@APNS_KEY_ID@|${APNS_KEY_ID:-}|g" -e "s|@APNS_TEAM_ID@|${APNS_TEAM_ID:-}|g" \
    "$1" >"$2"
}

# The local stand-ins for FCM and APNs (tests/fakes/push_fakes.py): HTTP/2 over
# TLS on loopback, checking requests as Google and Apple do, answering 200, and
# logging every request. Not Google's or Apple's services: nothing leaves this
# machine.
PYTHON=/usr/bin/python3
PUSH_FAKES=$ROOT/tests/fakes/push_fakes.py
PUSH_DIR=$RUN/push-fakes

# Picks two free loopback ports for the stand-ins (APNS_PORT, FCM_PORT) and
# writes fresh test credentials for them in run/push-fakes/: the FCM service
# account names the FCM port in its token_uri, and the test CA is short-lived.
make_push_credentials() {
  local ports ids
  ports=$("$PYTHON" -c 'import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))') ||
    fail "could not find free loopback ports for the push stand-ins"
  read -r APNS_PORT FCM_PORT <<<"$ports"
  rm -rf "$PUSH_DIR"
  "$PYTHON" "$PUSH_FAKES" keys "$PUSH_DIR" --token-uri "https://127.0.0.1:$FCM_PORT/token" \
    >>"$RUN/logs/setup.log" 2>&1 ||
    fail "push_fakes.py keys failed: $(tail -n 5 "$RUN/logs/setup.log")"
  ids=$("$PYTHON" -c 'import json, sys
apns = json.load(open(sys.argv[1]))
print(apns["key_id"], apns["team_id"])' "$PUSH_DIR/apns.json") ||
    fail "cannot read $PUSH_DIR/apns.json"
  read -r APNS_KEY_ID APNS_TEAM_ID <<<"$ids"
}

# ctl_idempotent ARGS...: runs chatctl; "exists" counts as success.
ctl_idempotent() {
  local out
  if ! out=$("$CHATCTL" --config "$RUN/chatd.conf" "$@" 2>&1); then
    echo "$out" | grep -qE ': exists$' || fail "chatctl $*: $out"
    out="chatctl $*: already there"
  fi
  echo "$out" >>"$RUN/logs/setup.log"
}

provision() {
  local user device
  mkdir -p "$RUN/data" "$RUN/tokens" "$RUN/logs" "$RUN/demo"
  chmod 700 "$RUN"
  : >"$RUN/logs/setup.log"
  if [ ! -f "$RUN/chat.key" ]; then
    "$CHATCTL" keygen --out "$RUN/chat.key" 2>>"$RUN/logs/setup.log"
    say "generated the signing key run/chat.key"
  fi
  make_push_credentials
  fill deploy/local/mosquitto.conf.in "$RUN/mosquitto.conf"
  fill deploy/local/chatd.conf.in "$RUN/chatd.conf"
  fill deploy/local/pushd.conf.in "$RUN/pushd.conf"
  "$CHATCTL" --config "$RUN/chatd.conf" init >>"$RUN/logs/setup.log" 2>&1 ||
    fail "chatctl init failed: $(tail -n 5 "$RUN/logs/setup.log")"
  ctl_idempotent user add alice --name Alice
  ctl_idempotent user add bob --name Bob
  for device in alice/phone alice/laptop bob/phone bob/tablet; do
    user=${device%/*}
    ctl_idempotent device add "$user" "${device#*/}" --platform demo
    # A fresh 30-day token each run; older ones stay valid until they expire.
    "$CHATCTL" --config "$RUN/chatd.conf" token issue "$user" "${device#*/}" --ttl 30d \
      >"$RUN/tokens/$user-${device#*/}.token" 2>>"$RUN/logs/setup.log" ||
      fail "chatctl token issue $user ${device#*/}: $(tail -n 2 "$RUN/logs/setup.log")"
    chmod 600 "$RUN/tokens/$user-${device#*/}.token"
  done
  say "database run/data/chat.db: users alice and bob; devices alice/phone, alice/laptop,"
  say "  bob/phone, bob/tablet; their tokens in run/tokens/ (chatctl output: run/logs/setup.log)"
  say "test credentials of the local FCM/APNs stand-ins in run/push-fakes/"
}

start_stack() {
  local mosquitto
  mosquitto=$(command -v mosquitto || echo /usr/sbin/mosquitto)
  start_bg mosquitto /dev/null "$RUN/logs/mosquitto.log" "$mosquitto" -c "$RUN/mosquitto.conf"
  if ! wait_for_line "$RUN/logs/mosquitto.log" 'mosquitto version .* running' mosquitto; then
    grep -q 'Address already in use' "$RUN/logs/mosquitto.log" &&
      echo "demo: port $PORT is taken; try CHAT_PORT=18830 ./scripts/demo.sh" >&2
    fail "mosquitto did not start (log: run/logs/mosquitto.log)"
  fi
  say "mosquitto is listening on $HOST:$PORT with the chat plugin (pid $(cat "$RUN/mosquitto.pid"))"

  start_bg chatd /dev/null "$RUN/logs/chatd.log" "$CHATD" --config "$RUN/chatd.conf"
  wait_for_line "$RUN/logs/chatd.log" 'chatd ready' chatd ||
    fail "chatd did not become ready (log: run/logs/chatd.log)"
  say "chatd is connected and subscribed (pid $(cat "$RUN/chatd.pid"))"

  : >"$RUN/logs/push-requests.jsonl"
  start_bg push-fakes "$RUN/logs/push-fakes.log" "$RUN/logs/push-fakes.log" \
    "$PYTHON" "$PUSH_FAKES" serve --dir "$PUSH_DIR" --apns-port "$APNS_PORT" \
    --fcm-port "$FCM_PORT" --log "$RUN/logs/push-requests.jsonl" --control "$PUSH_DIR/control.json"
  wait_for_line "$RUN/logs/push-fakes.log" '^ready$' push-fakes ||
    fail "the push stand-ins did not start (log: run/logs/push-fakes.log)"
  say "local stand-ins for APNs (127.0.0.1:$APNS_PORT) and FCM (127.0.0.1:$FCM_PORT) are running:"
  say "  tests/fakes/push_fakes.py, not Apple's or Google's services (pid $(cat "$RUN/push-fakes.pid"))"

  start_bg pushd /dev/null "$RUN/logs/pushd.log" "$PUSHD" --config "$RUN/pushd.conf"
  wait_for_line "$RUN/logs/pushd.log" 'pushd ready' pushd ||
    fail "pushd did not start (log: run/logs/pushd.log)"
  say "pushd is running, sending to those stand-ins (pid $(cat "$RUN/pushd.pid"))"
}

# --- the demo --------------------------------------------------------------

token() { echo "$RUN/tokens/$1-$2.token"; }
# Each demo device keeps chat-cli's state file (outbox, position in each
# conversation) across runs, as an app would: a re-run shows only what is new.
state() { echo "$RUN/state/$1-$2.db"; }

# cli USER DEVICE ARGS...: chat-cli as that device.
cli() {
  local user=$1 device=$2
  shift 2
  "$CHAT_CLI" --host "$HOST" --port "$PORT" --user "$user" --device "$device" \
    --token-file "$(token "$user" "$device")" --state "$(state "$user" "$device")" "$@"
}

# listen USER DEVICE [OPTIONS...]: a background chat-cli listener writing
# run/demo/USER-DEVICE.jsonl; OPTIONS go to `chat-cli listen`.
listen() {
  local user=$1 device=$2
  shift 2
  start_bg "client-$user-$device" "$RUN/demo/$user-$device.jsonl" \
    "$RUN/logs/client-$user-$device.log" \
    "$CHAT_CLI" --host "$HOST" --port "$PORT" --user "$user" --device "$device" \
    --token-file "$(token "$user" "$device")" --state "$(state "$user" "$device")" \
    listen --for-s 120 "$@"
}

# wait_subscribed CLIENT_ID USER: waits until the broker logged CLIENT_ID's
# subscription to USER's inbox.
wait_subscribed() {
  wait_for_line "$RUN/logs/mosquitto.log" " $1 [0-2] chat/inbox/$2/#\$" mosquitto ||
    fail "$1 did not subscribe to chat/inbox/$2/# (see run/logs/)"
}

# wait_for_body FILE BODY TYPE WHO: waits until FILE holds an event of TYPE
# with that body (recipients get no cmid: PROTOCOL.md section 6), as an
# object or, as mosquitto_sub shows a live msg, in its compact form.
wait_for_body() {
  local file=$1 body=$2 type=$3 who=$4
  for _ in $(seq $((WAIT_S * 10))); do
    grep -F "\"$body\"" "$file" 2>/dev/null |
      grep -qE "\"type\":\"$type\"|\[\"$type\"," && return 0
    sleep 0.1
  done
  fail "$who did not receive the $type of '$body' within ${WAIT_S}s (got: $file, logs: run/logs/)"
}

# field NAME FILE: the value of the string field NAME in each line of FILE.
field() { grep -oE "\"$1\":\"[^\"]*\"" "$2" | sed -E 's/^"[^"]*":"(.*)"$/\1/'; }

# show TITLE FILE: prints FILE's lines under TITLE, indented.
show() {
  echo "  $1"
  if [ -s "$2" ]; then sed 's/^/      /' "$2"; else echo "      (nothing)"; fi
}

# The push registration of bob's phone in the demo: an APNs device token (64
# hex digits; a real app gets its own from Apple) for the app's bundle id.
PUSH_APP=com.example.chat
BOB_PHONE_APNS_TOKEN=b0b0000000000000000000000000000000000000000000000000000000000001

# push_while_away: bob's phone registers for push and leaves (the app goes to
# the background); alice writes to bob; waits until pushd has sent the alert
# to the APNs stand-in.
push_while_away() {
  local body="Running 10 minutes late, order me the soup?" leaves conv seq line
  leaves=$(count_lines "$RUN/logs/mosquitto.log" 'Client bob:phone (disconnected|closed its connection)')
  mosquitto_rr -h "$HOST" -p "$PORT" -i bob:phone -u bob -P "$(cat "$(token bob phone)")" \
    -t chat/up/bob/phone -e chat/dev/bob/phone -W "$WAIT_S" \
    -m '{"type":"push.register","req_id":"push-1","platform":"apns","app":"'"$PUSH_APP"'","token":"'"$BOB_PHONE_APNS_TOKEN"'"}' \
    >"$RUN/demo/bob-phone-push.jsonl" 2>"$RUN/logs/mosquitto_rr.log" ||
    fail "mosquitto_rr as bob:phone got no answer to push.register (exit $?; run/logs/mosquitto_rr.log)"
  grep -qF '"registered":true' "$RUN/demo/bob-phone-push.jsonl" ||
    fail "push.register was refused: $(cat "$RUN/demo/bob-phone-push.jsonl")"
  wait_for_count "$RUN/logs/mosquitto.log" 'Client bob:phone (disconnected|closed its connection)' \
    $((leaves + 1)) "bob:phone leaving the broker"
  sleep 0.3  # the broker's presence change reaches chatd: no device of bob is connected
  cli alice phone send --to bob "$body" >"$RUN/demo/alice-phone-push.jsonl" ||
    fail "chat-cli send failed (exit $?)"
  conv=$(field conv "$RUN/demo/alice-phone-push.jsonl" | head -n 1)
  seq=$(grep -oE '"seq":[0-9]+' "$RUN/demo/alice-phone-push.jsonl" | head -n 1 | cut -d: -f2)
  [ -n "$conv" ] && [ -n "$seq" ] ||
    fail "chat-cli send printed no accepted event ($RUN/demo/alice-phone-push.jsonl)"
  line=" to bob/phone \\(apns:[^)]*\\) alert $conv#$seq "
  wait_for_line "$RUN/logs/pushd.log" "$line" pushd ||
    fail "pushd sent no alert to bob/phone for $conv#$seq (logs: run/logs/pushd.log, run/logs/push-requests.jsonl)"
  grep -E "$line" "$RUN/logs/pushd.log" >"$RUN/demo/pushd-bob-phone.log"
}

# show_push: the last alert that the APNs stand-in received for bob's phone,
# as the phone would show it, then the request and pushd's log line.
show_push() {
  show "bob/phone registered for push with mosquitto_rr (chatd's answer):" \
    "$RUN/demo/bob-phone-push.jsonl"
  echo "  what the phone shows, from the APNs stand-in's request log (run/logs/push-requests.jsonl):"
  "$PYTHON" - "$RUN/logs/push-requests.jsonl" "$BOB_PHONE_APNS_TOKEN" <<'PY' || true
import json, sys
log, token = sys.argv[1], sys.argv[2]
alert = None
with open(log, encoding="utf-8") as lines:
    for line in lines:
        request = json.loads(line)
        body = request.get("body")
        if (request.get("provider") == "apns" and request.get("path", "").endswith("/" + token)
                and isinstance(body, dict) and "alert" in body.get("aps", {})):
            alert = request
if alert is None:
    print("      (no alert for bob/phone in the log)")
    sys.exit(1)
aps, headers = alert["body"]["aps"], alert["headers"]
print(f'      {aps["alert"].get("title", "")}: {aps["alert"].get("body", "")}'
      f'   (app icon badge: {aps.get("badge", "unchanged")})')
print(f'      {alert["method"]} {alert["path"][:24]}..., apns-push-type {headers.get("apns-push-type")},'
      f' apns-topic {headers.get("apns-topic")}: {alert["status"]}')
print("      " + json.dumps(alert["body"], separators=(",", ":")))
PY
  show "pushd's log line for it (run/logs/pushd.log):" "$RUN/demo/pushd-bob-phone.log"
}

run_demo() {
  local name raw_pid cmid conv body
  local -a sent bodies=("Hi Bob! Lunch at noon?" "The usual place, I'll book a table.")
  mkdir -p "$RUN/state"
  for name in bob-phone bob-tablet alice-laptop alice-phone bob-phone-sync bob-phone-push \
    alice-phone-push; do
    rm -f "$RUN/demo/$name.jsonl"
  done
  rm -f "$RUN/demo/pushd-bob-phone.log"
  rm -f "$RUN/demo/alice-phone-raw.txt"

  trap 'stop_clients; [ -z "${raw_pid:-}" ] || kill "$raw_pid" 2>/dev/null || true' EXIT
  echo
  say "1. bob/phone, bob/tablet and alice/laptop listen (chat-cli listen, in the background);"
  say "   alice/laptop also watches bob's presence (listen --watch bob)"
  listen bob phone
  listen bob tablet
  listen alice laptop --watch bob
  wait_subscribed bob:phone bob
  wait_subscribed bob:tablet bob
  wait_subscribed alice:laptop alice

  say "2. alice/phone sends two messages to bob (chat-cli send)"
  for body in "${bodies[@]}"; do
    cli alice phone send --to bob "$body" >>"$RUN/demo/alice-phone.jsonl" ||
      fail "chat-cli send failed (exit $?)"
  done
  mapfile -t sent < <(field cmid "$RUN/demo/alice-phone.jsonl")
  [ ${#sent[@]} = 2 ] || fail "chat-cli send printed no accepted events ($RUN/demo/alice-phone.jsonl)"
  for body in "${bodies[@]}"; do
    wait_for_body "$RUN/demo/bob-phone.jsonl" "$body" msg bob/phone
    wait_for_body "$RUN/demo/bob-tablet.jsonl" "$body" msg bob/tablet
    wait_for_body "$RUN/demo/alice-laptop.jsonl" "$body" accepted alice/laptop
  done
  conv=$(field conv "$RUN/demo/alice-phone.jsonl" | head -n 1)

  say "3. bob closes chat-cli on his phone and answers from it with plain mosquitto_pub;"
  say "   alice/phone reads with mosquitto_sub"
  stop_one client-bob-phone >/dev/null  # one connection per client id at a time
  mosquitto_sub -h "$HOST" -p "$PORT" -i alice:phone -u alice -P "$(cat "$(token alice phone)")" \
    -q 1 -t 'chat/inbox/alice/#' -t chat/dev/alice/phone -v -W 60 \
    >"$RUN/demo/alice-phone-raw.txt" 2>"$RUN/logs/mosquitto_sub.log" &
  raw_pid=$!
  wait_subscribed alice:phone alice
  cmid=m-$(date +%s)  # a new client message id each run; a repeated one would be a duplicate
  mosquitto_pub -h "$HOST" -p "$PORT" -i bob:phone -u bob -P "$(cat "$(token bob phone)")" \
    -t chat/up/bob/phone -q 1 \
    -m '{"type":"send","to":"alice","cmid":"'"$cmid"'","body":"Noon works. See you there!"}' ||
    fail "mosquitto_pub as bob:phone failed (exit $?)"
  body="Noon works. See you there!"
  wait_for_body "$RUN/demo/alice-phone-raw.txt" "$body" msg "alice/phone (mosquitto_sub)"
  wait_for_body "$RUN/demo/alice-laptop.jsonl" "$body" msg alice/laptop
  wait_for_body "$RUN/demo/bob-tablet.jsonl" "$body" accepted bob/tablet
  sleep 0.5  # let the receipts that follow land before the listeners stop
  kill "$raw_pid" 2>/dev/null || true
  wait "$raw_pid" 2>/dev/null || true
  raw_pid=
  stop_one client-bob-tablet >/dev/null
  stop_one client-alice-laptop >/dev/null

  say "4. bob opens chat-cli on his phone again: chat-cli sync catches up on what it missed"
  cli bob phone sync >"$RUN/demo/bob-phone-sync.jsonl" 2>>"$RUN/logs/client-bob-phone.log" ||
    fail "chat-cli sync as bob/phone failed (exit $?)"

  say "5. bob's phone registers an APNs token (mosquitto_rr) and goes to the background;"
  say "   alice/phone sends bob another message: pushd alerts the phone (APNs stand-in)"
  push_while_away

  echo
  echo "What each device received, one JSON event per line (docs/PROTOCOL.md section 6;"
  echo "a 'receipt' is a user's delivered/read cursor moving: every device reports what it shows):"
  show "alice/phone, chat-cli send (the 'accepted' reply to each send):" "$RUN/demo/alice-phone.jsonl"
  show "alice/phone, mosquitto_sub -v (topic, then the payload as published):" \
    "$RUN/demo/alice-phone-raw.txt"
  show "alice/laptop, chat-cli listen --watch bob (bob's presence, 'online', after 'unknown' on a first run until the two share a conversation; alice's own messages as 'accepted', then bob's answer):" \
    "$RUN/demo/alice-laptop.jsonl"
  show "bob/phone, chat-cli listen (until bob closed it):" "$RUN/demo/bob-phone.jsonl"
  show "bob/phone, chat-cli sync afterwards (what it missed, then its conversation list):" \
    "$RUN/demo/bob-phone-sync.jsonl"
  show "bob/tablet, chat-cli listen (alice's messages, then bob's answer as 'accepted'):" \
    "$RUN/demo/bob-tablet.jsonl"
  echo
  echo "Push to bob's phone while no device of bob was connected (pushd -> the local APNs"
  echo "stand-in, tests/fakes/push_fakes.py: nothing went to Apple):"
  show_push
  print_by_hand "$conv"
}

print_by_hand() {
  local conv=${1:-CONV} host_port="-h $HOST -p $PORT" rel=run/tokens
  cat <<EOF

The stack keeps running in the background (logs in run/logs/). Talk to it by
hand from $ROOT:

  # bob/tablet follows everything of bob (leave it running in one terminal):
  mosquitto_sub $host_port -i bob:tablet -u bob -P "\$(cat $rel/bob-tablet.token)" \\
    -q 1 -t 'chat/inbox/bob/#' -t chat/dev/bob/tablet -v

  # alice/laptop sends to bob (use a new cmid for each message; a repeated one
  # is answered with the original "accepted", "dup":true, and not delivered again):
  mosquitto_pub $host_port -i alice:laptop -u alice -P "\$(cat $rel/alice-laptop.token)" \\
    -q 1 -t chat/up/alice/laptop -m '{"type":"send","to":"bob","cmid":"hand-1","body":"hello by hand"}'

  # bob/phone follows only this conversation, and alice/laptop sends into it by id:
  mosquitto_sub $host_port -i bob:phone -u bob -P "\$(cat $rel/bob-phone.token)" -q 1 -t chat/inbox/bob/$conv -v
  mosquitto_pub $host_port -i alice:laptop -u alice -P "\$(cat $rel/alice-laptop.token)" \\
    -q 1 -t chat/up/alice/laptop -m '{"type":"send","conv":"$conv","cmid":"hand-2","body":"same chat"}'

  # with the chat client (interactive chat, or one message); --state keeps each
  # device's outbox and position, so it shows only what that device has not seen:
  $(rel_path "$CHAT_CLI") --host $HOST --port $PORT --user alice --device laptop \\
    --token-file $rel/alice-laptop.token --state run/state/alice-laptop.db chat --to bob
  $(rel_path "$CHAT_CLI") --host $HOST --port $PORT --user bob --device tablet \\
    --token-file $rel/bob-tablet.token --state run/state/bob-tablet.db send --to alice "hi"

  # operators' tool, on the same database and key:
  $(rel_path "$CHATCTL") --config run/chatd.conf user list

  # push: pushd's line per push, and what the local FCM/APNs stand-ins received:
  grep ' push ' run/logs/pushd.log; tail -n 3 run/logs/push-requests.jsonl

Each device id may be connected once at a time: a second connection with the
same client id (alice:laptop ...) takes over and closes the first.

Stop the stack: ./scripts/demo.sh stop   (what runs: ./scripts/demo.sh status)
EOF
}

rel_path() { echo "${1#"$ROOT"/}"; }

# --- main ------------------------------------------------------------------

case "${1:-}" in
  stop)
    stop_stack
    [ "$stopped" -gt 0 ] || say "nothing was running"
    exit 0
    ;;
  status)
    print_status
    exit $?
    ;;
  "") ;;
  -h | --help)
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *) fail "unknown argument '$1' (usage: ./scripts/demo.sh [stop|status])" ;;
esac

if ! [[ "$PORT" =~ ^[0-9]{1,5}$ ]] || [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then
  fail "CHAT_PORT must be a TCP port number, got '$PORT'"
fi

./scripts/install-deps.sh
mkdir -p "$RUN/logs"
say "building into $(rel_path "$BUILD")/ (minutes the first time; log: run/logs/build.log)"
CHAT_BUILD_DIR=$BUILD ./scripts/build.sh chatd chatctl pushd chat-cli chat_broker_plugin \
  >"$RUN/logs/build.log" 2>&1 || {
  tail -n 40 "$RUN/logs/build.log" >&2
  fail "the build failed (the end of run/logs/build.log is above)"
}
CHATD=$(find_built chatd)
CHATCTL=$(find_built chatctl)
PUSHD=$(find_built pushd)
CHAT_CLI=$(find_built chat-cli)
PLUGIN=$(find_built libchat_broker_plugin.so)

stop_stack
check_port_free
provision
start_stack
run_demo
