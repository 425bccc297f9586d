#!/usr/bin/env bash
# Renders `lectern report all --format html` of SeedData in headless Chromium, on a laptop-sized and a
# phone-sized window, and checks each screenshot holds the charts (scripts/png_check.py). `make test`
# runs it after the Swift tests; `make check-html` runs it alone.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${LECTERN:-.build/debug/lectern}
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  echo "error: chromium is not installed; run: apt-get install -y chromium (bash .ci/run does it)" >&2
  exit 1
fi
[ -x "$BIN" ] || { echo "error: $BIN is not built; run: swift build" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/seed.db"
"$BIN" init --db "$db" >/dev/null
for kind in creators courses users interactions; do
  "$BIN" import "$kind" "SeedData/$kind.csv" --db "$db" >/dev/null
done
"$BIN" train --db "$db" --algorithm popular >/dev/null
"$BIN" report all --format html --out "$work/report.html" --db "$db"

shoot() {  # shoot NAME WIDTH HEIGHT SCALE
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --user-data-dir="$work/profile" --force-device-scale-factor="$4" \
    --window-size="$2,$3" --screenshot="$work/$1.png" "file://$work/report.html" >"$work/$1.log" 2>&1 \
    || { cat "$work/$1.log" >&2; echo "error: chromium could not render the report" >&2; exit 1; }
}
shoot laptop 1280 13000 0.5
python3 scripts/png_check.py "$work/laptop.png" --min-width 640 --heat-map
shoot phone 390 9000 1
python3 scripts/png_check.py "$work/phone.png" --min-width 390
if [ -n "${KEEP_SCREENSHOTS:-}" ]; then cp "$work"/*.png "$KEEP_SCREENSHOTS"/; fi
echo "check-html: the report renders with its charts on a laptop and a phone"
