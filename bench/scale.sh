#!/usr/bin/env bash
# make bench-scale [SCALE=127k|1M|3M|20M|50M]: Lectern end to end on a generated platform of that many
# events, step by step, with wall time, rows/s, peak memory and database size; then implicit 0.7.3's
# ALS fit and recommend_all beside Lectern's on the same exported matrix, as ratios.
#
# The default (1M) finishes in a few minutes on 2 cores; 20M takes about half an hour, 50M longer
# (most of it import). 127k is the shape of the public learner x course data set in issue 11
# (22,640 learners, 8,034 courses). Figures, not tests: machines are shared and noisy.
set -euo pipefail
cd "$(dirname "$0")/.."

SCALE=${SCALE:-1M}
case "$SCALE" in
  127k) users=22640;   courses=8034;  creators=400;  events=127731 ;;
  1M)   users=60000;   courses=3000;  creators=150;  events=1000000 ;;
  3M)   users=100000;  courses=5000;  creators=200;  events=3000000 ;;
  20M)  users=400000;  courses=20000; creators=800;  events=20000000 ;;
  50M)  users=1000000; courses=50000; creators=2000; events=50000000 ;;
  *) echo "error: SCALE must be 127k, 1M, 3M, 20M or 50M, got '$SCALE'" >&2; exit 64 ;;
esac
OUT=${OUT:-bench/out/scale-$SCALE}
FACTORS=${FACTORS:-64}
ITERATIONS=${ITERATIONS:-15}

swift build -c release --product lectern >/dev/null
swift build -c release --product lectern-bench >/dev/null
BIN=.build/release/lectern
BENCH=.build/release/lectern-bench
python3 -c 'import implicit; assert implicit.__version__ == "0.7.3"' 2>/dev/null || pip install -q implicit==0.7.3

rm -rf "$OUT"; mkdir -p "$OUT"
DB="$OUT/lectern.db"
free_kib=$(df -Pk "$OUT" | awk 'NR == 2 { print $4 }')
need_kib=$((events / 1000000 * 1200 * 1024 + 2 * 1024 * 1024))  # ~1.2 GB per million events, with three runs cached
if [ "$free_kib" -lt "$need_kib" ]; then
  echo "error: $SCALE needs about $((need_kib / 1048576)) GiB free in $OUT, there are $((free_kib / 1048576)) GiB" >&2
  exit 1
fi

size() { python3 -c "import os,sys; print(f'{sum(os.path.getsize(p) for p in sys.argv[1:] if os.path.exists(p)) / 2**20:,.0f} MiB')" "$DB" "$DB-wal"; }
# step KEY NAME ROWS COMMAND...: runs it measured and prints one line.
printf "%-28s %10s %14s %10s %12s\n" "step ($SCALE)" "seconds" "rows/s" "peak MiB" "db size"
# Each step's output and measurement are kept as $OUT/KEY.out and $OUT/KEY.json.
step() {
  local key=$1 name=$2 rows=$3; shift 3
  local m; m=$(python3 bench/measure.py "$OUT/$key.out" -- "$@") || { echo "error: step '$name' failed: $m" >&2; cat "$OUT/$key.out" >&2; exit 1; }
  echo "$m" > "$OUT/$key.json"
  python3 - "$name" "$rows" "$m" "$(size)" <<'PY'
import json, sys
name, rows, m, size = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
rate = f"{rows / m['seconds']:,.0f}" if rows else "-"
print(f"{name:<28} {m['seconds']:>10.1f} {rate:>14} {m['peak_mib']:>10,.0f} {size:>12}")
PY
}

step generate generate "$events" $BIN generate --seed 11 --users $users --courses $courses --creators $creators --interactions $events --out "$OUT/platform"
rows=$(($(wc -l < "$OUT/platform/interactions.csv") - 1))
$BIN init --db "$DB" >/dev/null
for entity in creators courses users organisations members assignments; do
  $BIN import $entity "$OUT/platform/$entity.csv" --db "$DB" >/dev/null
done
# An organisation member, for the timing of a member's list (inside the licence, team gaps first).
member=$(sed -n 2p "$OUT/platform/members.csv" | cut -d, -f2)
cc -O2 -o "$OUT/import_limit" bench/import_limit.c -lsqlite3
cp "$DB" "$OUT/limit.db"
limit=$(LIMIT_BULK=1 "$OUT/import_limit" "$OUT/limit.db" "$OUT/platform/interactions.csv" | sed 's/.*rows_per_second=//')
rm -f "$OUT"/limit.db*
step import "import interactions" "$rows" $BIN import interactions "$OUT/platform/interactions.csv" --db "$DB"
python3 - "$rows" "$limit" "$OUT/import.json" <<'PY'
import json, sys
rows, limit, m = int(sys.argv[1]), float(sys.argv[2]), json.load(open(sys.argv[3]))
print(f"    SQLite's limit on the same schema and file (C, bulk load, parsing untimed): {limit:,.0f} rows/s; "
      f"lectern / limit {rows / m['seconds'] / limit:.2f}")
PY
step train "train (all)" 0 $BIN train --db "$DB"
step recommend "recommend p50/p99 (1,000)" 0 $BENCH recommend-latency "$DB" 1000
echo "    cached hybrid list, in process: $(cat "$OUT/recommend.out")"
step member-recommend "a member's list (CLI)" 0 $BIN recommend --db "$DB" --user "$member" --limit 10
step report-org "report org" 0 $BIN report org --db "$DB" --org "$(sed -n 2p "$OUT/platform/organisations.csv" | cut -d, -f1)"
# Cross-over marketing (issue 20; aims at 20M: an audience within 1 s, bundles and partners within
# 2 minutes each, report crossover within 60 s). The most taken course has the
# most candidates; ALS's audience is one pass over every learner.
popular=$(sqlite3 "$DB" "SELECT c.slug FROM courses c JOIN (SELECT course_id, count(*) AS n FROM interactions WHERE kind = 'enroll' GROUP BY course_id ORDER BY n DESC LIMIT 1) t ON t.course_id = c.id")
step audience "audience (most taken course)" 0 $BIN audience --db "$DB" --course "$popular" --limit 100 --format csv
step audience-als "audience (als)" 0 $BIN audience --db "$DB" --course "$popular" --limit 100 --method als --format csv
step bundles "bundles" 0 $BIN bundles --db "$DB" --limit 20 --format csv
step partners "partners" 0 $BIN partners --db "$DB" --limit 20 --format csv
step crossover "report crossover" 0 $BIN report crossover --db "$DB" --format csv
step report-all "report all (html)" 0 $BIN report all --db "$DB" --format html --out "$OUT/report.html"
step report-sales "report sales" 0 $BIN report sales --db "$DB"
step evaluate "evaluate (temporal, K=10)" 0 $BIN evaluate --db "$DB" --split temporal --k 10 --format csv

# Writers during a training: `lectern record` (the default 5 s busy timeout) in a loop while train runs.
$BIN train --db "$DB" >/dev/null 2>&1 &
train_pid=$!
user=$(sqlite3 "$DB" "SELECT external_id FROM users ORDER BY id LIMIT 1")
course=$(sqlite3 "$DB" "SELECT slug FROM courses WHERE status = 'published' ORDER BY id LIMIT 1")
python3 - "$BIN" "$DB" "$user" "$course" "$train_pid" <<'PY'
import os, subprocess, sys, time
bin, db, user, course, pid = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
def alive():
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
times, failures = [], []
while alive():
    start = time.perf_counter()
    p = subprocess.run([bin, "record", "view", "--user", user, "--course", course, "--db", db], capture_output=True, text=True)
    times.append(time.perf_counter() - start)
    if p.returncode != 0:
        failures.append(p.stderr.strip())
    time.sleep(0.05)
times.sort()
print(f"record during train           {len(times)} writes, {len(failures)} failed, p50 {times[len(times)//2]*1000:.0f} ms, "
      f"max {times[-1]*1000:.0f} ms" if times else "record during train           (train ended first)")
for f in failures[:3]:
    print("    " + f)
PY
wait $train_pid || true

# Lectern's ALS fit and lists beside implicit's, on the same exported matrix.
$BENCH export-matrix "$DB" "$OUT/matrix" >/dev/null
python3 bench/measure.py "$OUT/als-lectern.out" -- $BENCH als-lists "$OUT/matrix" $FACTORS $ITERATIONS 20 > "$OUT/als-lectern.json"
python3 bench/measure.py "$OUT/als-implicit.out" -- python3 bench/implicit_scale.py "$OUT/matrix" $FACTORS $ITERATIONS 20 > "$OUT/als-implicit.json"
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
ours, theirs = json.load(open(f"{out}/als-lectern.out")), json.load(open(f"{out}/als-implicit.out"))
our_m, their_m = json.load(open(f"{out}/als-lectern.json")), json.load(open(f"{out}/als-implicit.json"))
train = json.load(open(f"{out}/train.json"))
print()
print(f"{'ALS, same matrix':<28} {'lectern':>10} {'implicit':>10} {'ratio':>8}")
for key, label in (("fit_seconds", "fit (s)"), ("lists_seconds", "recommend_all, top 20 (s)")):
    print(f"{label:<28} {ours[key]:>10.1f} {theirs[key]:>10.1f} {ours[key] / theirs[key]:>8.2f}")
both_ours, both_theirs = ours["fit_seconds"] + ours["lists_seconds"], theirs["fit_seconds"] + theirs["lists_seconds"]
print(f"{'fit + recommend_all (s)':<28} {both_ours:>10.1f} {both_theirs:>10.1f} {both_ours / both_theirs:>8.2f}")
print(f"{'peak MiB':<28} {our_m['peak_mib']:>10,.0f} {their_m['peak_mib']:>10,.0f} {our_m['peak_mib'] / their_m['peak_mib']:>8.2f}")
print(f"{'lectern train (all) vs implicit ALS fit + recommend_all':<56} {train['seconds'] / both_theirs:>8.2f}x")
print("  (train: load, five models, every learner's five lists written to SQLite and swapped in)")
PY
