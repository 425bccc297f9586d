#!/usr/bin/env bash
# bench/pg-http.sh BIN OUT SQLITE_DB PG_URL [STANDBY_URL] (run by bench/pg.sh): GET
# /v1/users/{id}/recommendations under wrk while a writer POSTs 50 views a second, on SQLite with one
# node, on PostgreSQL with one node and with two nodes (each node its own `lectern serve` process on
# the same database; wrk drives both at once, half the connections each), and, given a standby, with
# two nodes reading from it (`--read-db`: each learner's read checks its fingerprint on the primary).
# For each setup the connections are raised 1, 2, 4, 8, 16 per node, and the highest total rate whose
# p99 (the worse node's) stays under 10 ms is kept.
set -euo pipefail
BIN=$1; OUT=$2; SQLITE_DB=$3; PG_URL=$4; STANDBY_URL=${5:-}
DURATION=${DURATION:-10}
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y wrk >/dev/null; }
mkdir -p "$OUT/http"

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; PIDS=(); }
trap cleanup EXIT

start_node() { # start_node DB NAME [SERVE OPTIONS...]: prints the node's URL
  local db=$1 name=$2; shift 2
  "$BIN" serve --db "$db" --port 0 --rate-limit 0 --log-level warning "$@" > "$OUT/http/$name.out" 2> "$OUT/http/$name.log" &
  echo $! > "$OUT/http/$name.pid"  # run in $(...), a subshell: the caller reads the pid from the file
  for _ in $(seq 200); do grep -q listening "$OUT/http/$name.out" 2>/dev/null && break; sleep 0.1; done
  sed -n 's/.*listening on //p' "$OUT/http/$name.out"
}

lua() { # lua KEY FILE: a wrk script that cycles through the learners
  cat > "$2" <<LUA
local users = {}
for line in io.lines("$OUT/http/users.txt") do users[#users + 1] = line end
local n = math.random(1, 1000)
request = function()
  n = n + 1
  local user = users[(n * 7919) % #users + 1]
  return wrk.format("GET", "/v1/users/" .. user .. "/recommendations?limit=10", {["Authorization"] = "Bearer $1"})
end
LUA
}

# rate p99_ms of one wrk output
parse() {
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
m = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", text)
value, unit = float(m.group(1)), m.group(2)
p99 = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{rate:.0f} {p99:.2f} {bad.group(1) if bad else 0}")
PY
}

# The machine's busy and idle jiffies so far (all cores), from /proc/stat's first line.
cpu_ticks() { awk '/^cpu /{idle = $5 + $6; busy = 0; for (i = 2; i <= 9; i++) busy += $i; print busy - idle, idle}' /proc/stat; }
# Percent of the machine's CPU time busy between two cpu_ticks readings: a setup whose best rate
# is taken at ~100% cannot gain from a second node on this machine, only from fewer cycles a request.
busy_percent() { python3 -c "import sys; b0, i0, b1, i1 = map(int, sys.argv[1:]); print(round(100 * (b1 - b0) / max(1, (b1 - b0) + (i1 - i0))))" "$@"; }

# setup NAME DB NODES [SERVE OPTIONS...]: prints "best_rate p99_at_best busy_percent_at_best"
setup() {
  local name=$1 db=$2 nodes=$3 urls=() best=0 best_p99=- best_busy=- c i
  shift 3
  READ_KEY=$("$BIN" apikey create --name "bench-read-$name-$$-$RANDOM" --scope read --db "$db" 2>/dev/null)
  WRITE_KEY=$("$BIN" apikey create --name "bench-write-$name-$$-$RANDOM" --scope write --db "$db" 2>/dev/null)
  "$BIN" user list --db "$db" --format csv | tail -n +2 | cut -d, -f2 > "$OUT/http/users.txt"
  "$BIN" course list --db "$db" --format csv --status published | tail -n +2 | cut -d, -f2 > "$OUT/http/courses.txt"
  for i in $(seq "$nodes"); do urls+=("$(start_node "$db" "$name-$i" "$@")"); PIDS+=("$(cat "$OUT/http/$name-$i.pid")"); done
  lua "$READ_KEY" "$OUT/http/read.lua"
  python3 - "${urls[0]}" "$WRITE_KEY" "$OUT/http/users.txt" "$OUT/http/courses.txt" > "$OUT/http/$name-writer.log" 2>&1 <<'PY' &
import http.client, json, random, sys, time, urllib.parse
url, key, users, courses = sys.argv[1:5]
users = open(users).read().split(); courses = open(courses).read().split()
parts = urllib.parse.urlsplit(url); conn = http.client.HTTPConnection(parts.hostname, parts.port)
random.seed(7); sent = failed = 0; start = time.time()
while True:
    body = json.dumps({"user": random.choice(users), "course": random.choice(courses), "kind": "view", "channel": "bench"})
    conn.request("POST", "/v1/interactions", body, {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    response = conn.getresponse(); response.read(); sent += 1; failed += response.status >= 300
    if sent % 100 == 0: print(f"{sent} sent, {failed} failed", flush=True)
    time.sleep(max(0.0, start + sent / 50 - time.time()))
PY
  PIDS+=($!)
  # Settle first, so that no setup pays for the one before, nor for the load and training before it:
  # on PostgreSQL the vacuum autovacuum would otherwise run in the middle of a measurement (the
  # bulk-loaded events and cache, 7M rows, not yet vacuumed) and a checkpoint of the dirty pages;
  # then 3 s of reads on every node (statements prepared, fold-in models loaded), not counted.
  case "$db" in postgres*) psql -q "$db" -c "VACUUM (ANALYZE)" -c CHECKPOINT >/dev/null ;; esac
  for i in $(seq "$nodes"); do
    wrk -t1 -c2 -d3s -s "$OUT/http/read.lua" "${urls[$((i - 1))]}" > /dev/null &
  done
  wait $(jobs -p | tail -n "$nodes")
  for c in 1 2 4 8 16; do
    # 2 s at this level first, not counted: the measured 10 s are the rate it holds, not its ramp.
    for i in $(seq "$nodes"); do
      wrk -t1 -c"$c" -d2s -s "$OUT/http/read.lua" "${urls[$((i - 1))]}" > /dev/null &
    done
    wait $(jobs -p | tail -n "$nodes")
    read -r busy0 idle0 < <(cpu_ticks)
    for i in $(seq "$nodes"); do
      wrk -t1 -c"$c" -d"${DURATION}s" --latency -s "$OUT/http/read.lua" "${urls[$((i - 1))]}" > "$OUT/http/$name-c$c-$i.txt" &
    done
    wait $(jobs -p | tail -n "$nodes")
    read -r busy1 idle1 < <(cpu_ticks)
    local busy; busy=$(busy_percent "$busy0" "$idle0" "$busy1" "$idle1")
    local total=0 worst=0 errors=0
    for i in $(seq "$nodes"); do
      read -r rate p99 bad < <(parse "$OUT/http/$name-c$c-$i.txt")
      total=$((total + rate)); errors=$((errors + bad))
      worst=$(python3 -c "print(max($worst, $p99))")
    done
    printf '  %-16s %2d connections per node: %6d req/s, p99 %6.2f ms, non-2xx %d, CPU %3d%% busy\n' "$name" "$c" "$total" "$worst" "$errors" "$busy" >&2
    if python3 -c "import sys; sys.exit(0 if $worst < 10 else 1)" && [ "$total" -gt "$best" ]; then best=$total; best_p99=$worst; best_busy=$busy; fi
  done
  echo "  writer: $(tail -n 1 "$OUT/http/$name-writer.log")" >&2
  cleanup
  echo "$best $best_p99 $best_busy"
}

read -r sqlite_rate sqlite_p99 sqlite_busy < <(setup sqlite "$SQLITE_DB" 1)
read -r pg1_rate pg1_p99 pg1_busy < <(setup postgresql-1 "$PG_URL" 1)
read -r pg2_rate pg2_p99 pg2_busy < <(setup postgresql-2 "$PG_URL" 2)
ratio() { python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'{a / b:.2f}x' if b else 'n/a')" "$1" "$2"; }
echo "SQLite, one node:         $sqlite_rate req/s at p99 $sqlite_p99 ms, CPU $sqlite_busy% busy"
echo "PostgreSQL, one node:     $pg1_rate req/s at p99 $pg1_p99 ms, CPU $pg1_busy% busy ($(ratio "$pg1_rate" "$sqlite_rate") of SQLite)"
echo "PostgreSQL, two nodes:    $pg2_rate req/s at p99 $pg2_p99 ms, CPU $pg2_busy% busy ($(ratio "$pg2_rate" "$pg1_rate") of one node; aim 1.5x)"
if [ -n "$STANDBY_URL" ]; then
  read -r sb_rate sb_p99 sb_busy < <(setup postgresql-2-standby "$PG_URL" 2 --read-db "$STANDBY_URL")
  echo "PostgreSQL, two nodes reading a standby: $sb_rate req/s at p99 $sb_p99 ms, CPU $sb_busy% busy ($(ratio "$sb_rate" "$pg1_rate") of one node)"
fi
echo "(CPU: the whole machine's, $(nproc) cores, shared by wrk, the writer, the nodes and the database server.)"
