#!/usr/bin/env bash
# make bench-tune: `lectern tune --all --trials 20` on a generated platform of 750,000 events (45,000
# learners, 2,250 courses), the size issue 13's aim names (20 trials per algorithm within 5 minutes on
# 2 cores). Prints wall and CPU time, peak memory and the candidates' table. A figure, not a test:
# machines are shared and noisy, so read it with the load printed beside it.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-bench/out/tune-750k}
TRIALS=${TRIALS:-20}
AIM=300
swift build -c release --product lectern >/dev/null
BIN=.build/release/lectern

if [ ! -f "$OUT/lectern.db" ]; then
  rm -rf "$OUT"; mkdir -p "$OUT"
  "$BIN" generate --seed 42 --out "$OUT/platform" --creators 90 --courses 2250 --users 45000 --interactions 750000 --months 14 >/dev/null
  "$BIN" init --db "$OUT/lectern.db.tmp" >/dev/null
  for entity in creators courses users interactions; do
    "$BIN" import "$entity" "$OUT/platform/$entity.csv" --db "$OUT/lectern.db.tmp" >/dev/null
  done
  mv "$OUT/lectern.db.tmp" "$OUT/lectern.db"
fi
# Tuning saves its parameters: tune a copy, so every run starts from the same database.
cp "$OUT/lectern.db" "$OUT/tuned.db"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
/usr/bin/time -f "%e %U %S %M" -o "$OUT/time" "$BIN" tune --all --trials "$TRIALS" --db "$OUT/tuned.db" | tee "$OUT/tune.txt"
read -r wall user sys peak < "$OUT/time"
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$wall" "$user" "$sys" "$peak" "$TRIALS" "$AIM" <<'PY'
import sys
wall, user, sys_, peak, trials, aim = map(float, sys.argv[1:])
print(f"tune --all --trials {trials:.0f} on 750k events: {wall:.1f} s wall, {user + sys_:.1f} s CPU, "
      f"{peak / 1024:.0f} MiB peak; aim {aim:.0f} s: {wall / aim:.2f} of it")
PY
