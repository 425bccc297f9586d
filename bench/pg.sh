#!/usr/bin/env bash
# make bench-pg: the same generated platform on SQLite and on PostgreSQL, side by side (issue 16).
#   1. import: `lectern import interactions` into SQLite, into PostgreSQL (COPY), and psql's own
#      `\copy` of the same events (ids resolved) into the same schema: the floor a hand load reaches;
#   2. train: `lectern train` on both engines;
#   3. HTTP: bench/http.sh's read-while-writing load on SQLite, on PostgreSQL with one API node, and
#      with two nodes behind one address (requests split between them), then with two nodes reading
#      from a hot standby (`--read-db`, made with pg_basebackup).
# Figures, not tests: the machine is shared, so the load is printed beside them. PostgreSQL runs as a
# throwaway cluster with its durable defaults (fsync on), over its Unix socket.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-1000000}
OUT=${OUT:-bench/out/pg}
PARTS=${PARTS:-import train http}
export LECTERN_PG_DIR=${LECTERN_PG_DIR:-/tmp/lectern-bench-pg}
swift build -c release --product lectern >/dev/null
BIN=$PWD/.build/release/lectern
mkdir -p "$OUT"

PG_DURABLE=1 bash scripts/pg-cluster.sh start >/dev/null
trap 'bash scripts/pg-cluster.sh stop' EXIT
SOCKET=$(bash scripts/pg-cluster.sh url socket)
PGHOST=$LECTERN_PG_DIR; PGPORT=$(cat "$LECTERN_PG_DIR/port"); export PGHOST PGPORT PGUSER=lectern
fresh_pg() { # fresh_pg NAME: an empty database NAME; prints its URL
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
  echo "${SOCKET/\/postgres?/\/$1?}"
}
# wall seconds, then peak MiB, of a command (output to $OUT/last.out)
timed() { /usr/bin/time -f "%e %M" -o "$OUT/time" "$@" > "$OUT/last.out"; read -r wall peak < "$OUT/time"; echo "$wall $((peak / 1024))"; }
ratio() { python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'{a / b:.2f}x' if b else 'n/a')" "$1" "$2"; }

users=$((EVENTS / 16)); courses=$((EVENTS / 330 + 50))
if [ ! -f "$OUT/platform-$EVENTS/interactions.csv" ]; then
  "$BIN" generate --seed 42 --out "$OUT/platform-$EVENTS" --creators $((courses / 25 + 2)) --courses "$courses" \
    --users "$users" --interactions "$EVENTS" --months 14 >/dev/null
fi
P=$OUT/platform-$EVENTS
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores; $(($(wc -l < "$P/interactions.csv") - 1)) events, $users learners, $courses courses"

catalog() { # catalog DB: creators, courses and users imported
  "$BIN" init --db "$1" >/dev/null
  for entity in creators courses users; do "$BIN" import "$entity" "$P/$entity.csv" --db "$1" >/dev/null; done
}

if [[ " $PARTS " == *" import "* ]]; then
  echo "== import interactions =="
  rm -f "$OUT/bench.db"*; catalog "$OUT/bench.db"
  read -r sqlite_s sqlite_mb < <(timed "$BIN" import interactions "$P/interactions.csv" --db "$OUT/bench.db")
  PG=$(fresh_pg lectern_bench); catalog "$PG"
  read -r pg_s pg_mb < <(timed "$BIN" import interactions "$P/interactions.csv" --db "$PG")
  # psql's \copy of the same events, as lectern stored them (ids resolved), into a second database
  # with the same schema and catalog, in one transaction as lectern's import is.
  psql -q -d lectern_bench -c "\\copy (SELECT user_id, course_id, kind, value, channel, occurred_at, idempotency_key, reason FROM interactions ORDER BY id) TO '$PWD/$OUT/resolved.tsv'"
  REF=$(fresh_pg lectern_bench_psql); catalog "$REF"
  read -r copy_s copy_mb < <(timed psql -q -d lectern_bench_psql -v ON_ERROR_STOP=1 -c "BEGIN" \
    -c "\\copy interactions (user_id, course_id, kind, value, channel, occurred_at, idempotency_key, reason) FROM '$PWD/$OUT/resolved.tsv'" -c "COMMIT")
  stored=$(psql -qtA -d lectern_bench -c "SELECT count(*) FROM interactions")
  echo "SQLite      lectern import: ${sqlite_s} s, ${sqlite_mb} MiB"
  echo "PostgreSQL  lectern import: ${pg_s} s, ${pg_mb} MiB ($stored rows)"
  echo "PostgreSQL  psql \\copy:     ${copy_s} s"
  echo "lectern on PostgreSQL against psql \\copy: $(ratio "$copy_s" "$pg_s") of its speed (aim 0.8x); against SQLite: $(ratio "$sqlite_s" "$pg_s")"
fi

if [[ " $PARTS " == *" train "* ]]; then
  echo "== train (every standard model) =="
  [ -f "$OUT/bench.db" ] || { catalog "$OUT/bench.db"; "$BIN" import interactions "$P/interactions.csv" --db "$OUT/bench.db" >/dev/null; }
  if ! psql -qtA -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'lectern_bench'" | grep -q 1; then
    PG=$(fresh_pg lectern_bench); catalog "$PG"; "$BIN" import interactions "$P/interactions.csv" --db "$PG" >/dev/null
  fi
  PG=${SOCKET/\/postgres?/\/lectern_bench?}
  read -r sqlite_s sqlite_mb < <(timed "$BIN" train --db "$OUT/bench.db")
  read -r pg_s pg_mb < <(timed "$BIN" train --db "$PG")
  echo "SQLite      train: ${sqlite_s} s, ${sqlite_mb} MiB"
  echo "PostgreSQL  train: ${pg_s} s, ${pg_mb} MiB"
  echo "PostgreSQL against SQLite: $(ratio "$sqlite_s" "$pg_s") of its speed"
fi

if [[ " $PARTS " == *" http "* ]]; then
  echo "== HTTP: GET recommendations while 50 POST/s are written, highest rate with p99 under 10 ms =="
  STANDBY=$(bash scripts/pg-cluster.sh standby)
  bash bench/pg-http.sh "$BIN" "$OUT" "$OUT/bench.db" "${SOCKET/\/postgres?/\/lectern_bench?}" "${STANDBY/\/postgres?/\/lectern_bench?}"
fi
