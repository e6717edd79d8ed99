# Process helpers shared by scripts/demo.sh and scripts/cluster.sh: start a
# daemon in the background with its pid in $RUN/NAME.pid, wait for a line in
# its log, stop it again. The sourcing script defines RUN (its run folder),
# WAIT_S (seconds to wait for a line), BUILD, and say() and fail(); stop_one
# counts what it stopped in `stopped`.
stopped=0

# Whether `pid` is alive and one that this script started: each of them has a
# path inside run/ on its command line.
is_ours() {
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$RUN/"
}

# Stops the process of run/NAME.pid (SIGTERM, then SIGKILL after 5 s).
stop_one() {
  local pidfile=$RUN/$1.pid pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if is_ours "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "$1 (pid $pid) ignored SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "stopped $1 (pid $pid)"
    stopped=$((stopped + 1))
  fi
  rm -f "$pidfile"
}

# start_bg NAME OUT ERR COMMAND...: runs COMMAND in its own session (so that
# closing the terminal does not stop it), stdout to OUT, stderr to ERR (both to
# OUT if ERR is the same file), and writes its pid to run/NAME.pid.
start_bg() {
  local name=$1 out=$2 err=$3
  shift 3
  if [ "$err" = "$out" ]; then
    setsid "$@" >"$out" 2>&1 </dev/null &
  else
    setsid "$@" >"$out" 2>"$err" </dev/null &
  fi
  echo $! >"$RUN/$name.pid"
  disown $!  # stopped or killed later without a job report from this shell
}

# wait_for_line FILE REGEX NAME: waits until FILE has a line matching REGEX;
# fails, showing the end of NAME's log, if NAME's process ends or time runs out.
wait_for_line() {
  local file=$1 regex=$2 name=$3 pid
  pid=$(cat "$RUN/$name.pid")
  for _ in $(seq $((WAIT_S * 10))); do
    grep -qE "$regex" "$file" 2>/dev/null && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      say "$name exited; the end of $file:" >&2
      tail -n 20 "$file" >&2 || true
      return 1
    fi
    sleep 0.1
  done
  say "waited ${WAIT_S}s for /$regex/ in $file; its end:" >&2
  tail -n 20 "$file" >&2 || true
  return 1
}

# find_built NAME: the path of a built binary or library in the build tree.
find_built() {
  local found
  found=$(find "$BUILD" -name "$1" -type f -not -path '*/CMakeFiles/*' 2>/dev/null | head -n 1)
  [ -n "$found" ] || fail "$1 was not built in $BUILD (did ./scripts/build.sh succeed?)"
  echo "$found"
}
