#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and CI, made with Debian's server binaries:
#   scripts/pg-cluster.sh start        make the cluster (if need be) and start it; print its URL
#   scripts/pg-cluster.sh standby      add a hot standby made with pg_basebackup; print its socket URL
#   scripts/pg-cluster.sh stop         stop it (and its standby) and delete its folder
#   scripts/pg-cluster.sh url [tcp]    the URL over TCP on 127.0.0.1, with the superuser's password
#   scripts/pg-cluster.sh url socket   the URL over the Unix socket in the cluster's folder (trust)
# The cluster lives in $LECTERN_PG_DIR (default: /tmp/lectern-pg-$UID). initdb refuses to run as
# root, so under root (CI) it runs as the system user lectern-pg, made when missing. The superuser
# is `lectern`, with a random password kept in the folder; TCP asks for it (scram-sha-256), the
# socket does not. PG_DURABLE=1 keeps fsync and full-page writes on (for benchmarks). Tests read LECTERN_TEST_PG (see Tests/LecternTestSupport/TestPostgres.swift).
set -euo pipefail
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
DIR=${LECTERN_PG_DIR:-/tmp/lectern-pg-$(id -u)}
RUN_AS=lectern-pg

# Runs a server binary as the cluster's owner, from / (the owner may not be allowed into the clone).
as_owner() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u "$RUN_AS" -- "$@"); else "$@"; fi
}

need_server() {
  [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && return
  echo "error: no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql: apt-get install postgresql" >&2
  exit 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

url() {
  [ -f "$DIR/port" ] || { echo "error: no cluster in $DIR: run scripts/pg-cluster.sh start" >&2; exit 1; }
  case "${1:-tcp}" in
    tcp) echo "postgres://lectern:$(cat "$DIR/password")@127.0.0.1:$(cat "$DIR/port")/postgres" ;;
    socket) echo "postgres://lectern@/postgres?host=$DIR&port=$(cat "$DIR/port")" ;;
    *) echo "usage: $0 url [tcp|socket]" >&2; exit 64 ;;
  esac
}

running() {
  [ -f "$DIR/data/postmaster.pid" ] && as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

start() {
  need_server
  if running; then url tcp; return; fi
  if [ "$(id -u)" = 0 ] && ! id -u "$RUN_AS" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_AS"
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR"
  (umask 077; od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$DIR/password")
  free_port > "$DIR/port"
  if [ "$(id -u)" = 0 ]; then chown -R "$RUN_AS" "$DIR"; fi
  chmod 700 "$DIR"
  as_owner "$PG_BIN/initdb" -D "$DIR/data" -U lectern --pwfile="$DIR/password" --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
  # Small and quick to throw away: no fsync, a few connections per test suite running in parallel.
  # PG_DURABLE=1 (benchmarks) keeps PostgreSQL's defaults, as a real server runs, and a standby's WAL.
  local settings="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${PG_DURABLE:-0}" = 1 ] && settings=""
  as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -p $(cat "$DIR/port") -c unix_socket_directories=$DIR $settings -c max_connections=200" \
    >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
  url tcp
}

# A hot standby of the cluster, streaming from it (pg_basebackup -R), on its own port, in
# $DIR/standby; prints its socket URL. For `lectern serve --read-db` and the two-node test. A fast
# checkpoint: the default (spread) waits minutes on a busy cluster before the copy starts. A physical
# replication slot (-C -S) keeps the primary's WAL until the standby has it: without one, a standby
# that fell behind under the test suites' writes asked for a segment the primary had recycled, and
# never caught up again (a CI run failed so).
standby() {
  running || { echo "error: no cluster running in $DIR: run scripts/pg-cluster.sh start" >&2; exit 1; }
  if [ -f "$DIR/standby-port" ] && [ -f "$DIR/standby/postmaster.pid" ]; then standby_url; return; fi
  rm -rf "$DIR/standby"
  free_port > "$DIR/standby-port"
  as_owner "$PG_BIN/psql" -q -h "$DIR" -p "$(cat "$DIR/port")" -U lectern -d postgres -c \
    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'lectern_standby' AND NOT active" >/dev/null
  as_owner "$PG_BIN/pg_basebackup" -h "$DIR" -p "$(cat "$DIR/port")" -U lectern -D "$DIR/standby" -R -C -S lectern_standby -X stream --checkpoint=fast \
    >"$DIR/standby.log" 2>&1 || { cat "$DIR/standby.log" >&2; exit 1; }
  chmod 700 "$DIR/standby"
  # Throwaway like its primary: without fsync its replay keeps up with the test suites' writes.
  local settings="-c fsync=off"
  [ "${PG_DURABLE:-0}" = 1 ] && settings=""
  as_owner "$PG_BIN/pg_ctl" -D "$DIR/standby" -l "$DIR/standby-server.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -p $(cat "$DIR/standby-port") -c unix_socket_directories=$DIR -c hot_standby=on -c max_connections=200 $settings" \
    >/dev/null || { cat "$DIR/standby-server.log" >&2; exit 1; }
  standby_url
}

standby_url() {
  echo "postgres://lectern@/postgres?host=$DIR&port=$(cat "$DIR/standby-port")"
}

stop() {
  if [ -d "$DIR/standby" ] && [ -x "$PG_BIN/pg_ctl" ]; then
    as_owner "$PG_BIN/pg_ctl" -D "$DIR/standby" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ -d "$DIR/data" ] && [ -x "$PG_BIN/pg_ctl" ]; then
    as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  standby) standby ;;
  stop) stop ;;
  url) url "${2:-tcp}" ;;
  *) echo "usage: $0 start|standby|stop|url [tcp|socket]" >&2; exit 64 ;;
esac
