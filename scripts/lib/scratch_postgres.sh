#!/usr/bin/env bash
# A throwaway PostgreSQL server, for the tests (ctest fixture
# scratch_postgres, tests/CMakeLists.txt; each test creates and drops a
# database of its own, tests/support/chat/support/test_database.h) and for
# scripts/cluster.sh. `start STATE_DIR` makes a cluster in a new /tmp
# directory (PostgreSQL refuses to run as root: then it is the postgres
# user's), starts it on a free loopback port with trust authentication and no
# fsync, and writes its URL to STATE_DIR/url; `stop STATE_DIR` stops it and
# removes it.
set -euo pipefail

command=${1:?usage: scratch_postgres.sh start|stop STATE_DIR}
state=${2:?usage: scratch_postgres.sh start|stop STATE_DIR}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "scratch_postgres: no PostgreSQL server here; run ./scripts/install-deps.sh" >&2
  exit 1
fi
# initdb and postgres refuse to run as root: then the cluster is postgres's.
as_owner=()
[ "$(id -u)" -eq 0 ] && as_owner=(runuser -u postgres --)

stop() {
  [ -f "$state/datadir" ] || return 0
  local dir
  dir=$(cat "$state/datadir")
  if [ -d "$dir/data" ]; then
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir" "$state/datadir" "$state/url"
}

case "$command" in
  stop) stop ;;
  start)
    mkdir -p "$state"
    stop
    dir=$(mktemp -d /tmp/chat-test-postgres.XXXXXX)
    echo "$dir" >"$state/datadir"
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    "${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U postgres --no-sync \
      >"$state/initdb.log" 2>&1 || { cat "$state/initdb.log" >&2; exit 1; }
    for attempt in 1 2 3 4 5; do
      port=$((20000 + RANDOM % 20000))
      ss -Hltn "sport = :$port" | grep -q . && continue
      if "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
          -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off \
              -c full_page_writes=off -c max_connections=300" start >/dev/null; then
        echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$state/url"
        echo "scratch_postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)"
        exit 0
      fi
      cat "$dir/server.log" >&2 || true
    done
    echo "scratch_postgres: the server did not start" >&2
    exit 1
    ;;
  *) echo "usage: scratch_postgres.sh start|stop STATE_DIR" >&2; exit 2 ;;
esac
