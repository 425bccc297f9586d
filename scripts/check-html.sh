#!/usr/bin/env bash
# Renders `lectern report all --format html` of SeedData (and one organisation) in headless Chromium at a laptop's 1280 px and a
# phone's 390 px, checks the layout Chromium made there (scripts/render_check.py: chart text at least
# 11 px, every chart label inside its chart and clear of the others, no table cut off or wider than
# its column without a scroll wrapper), and checks each screenshot holds the charts
# (scripts/png_check.py). `make test` runs it after the Swift tests; `make check-html` runs it alone.
# KEEP_SCREENSHOTS=DIR keeps the screenshots, also when a check fails.
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
# An organisation, so the page has its section (teams x skills heat map, completions over time): the 24
# learners who completed most, in three teams, each assigned up to two published courses they completed.
"$BIN" org add acme --name "Acme Analytics" --seats 30 --seat-price 240 --db "$db" >/dev/null
python3 - "$work" <<'PY'
import collections, csv, sys
work = sys.argv[1]
published = {c["slug"] for c in csv.DictReader(open("SeedData/courses.csv")) if c["status"] == "published"}
completed = collections.defaultdict(list)
for event in csv.DictReader(open("SeedData/interactions.csv")):
    if event["kind"] == "complete":
        completed[event["user"]].append(event["course"])
members = sorted(completed, key=lambda user: (-len(completed[user]), user))[:24]
teams = ["data-science", "engineering", "marketing-and-growth"]
with open(f"{work}/members.csv", "w") as f:
    f.write("org,user,team\n" + "".join(f"acme,{user},{teams[i % 3]}\n" for i, user in enumerate(members)))
with open(f"{work}/assignments", "w") as f:
    for user in members:
        f.write("".join(f"{user} {course}\n" for course in [c for c in completed[user] if c in published][:2]))
PY
"$BIN" import members "$work/members.csv" --db "$db" >/dev/null
"$BIN" org skills acme --team data-science --tags python,analytics,ai,jupyter --db "$db" >/dev/null
"$BIN" org skills acme --team engineering --tags python,backend,devops,testing,open-source --db "$db" >/dev/null
"$BIN" org skills acme --team marketing-and-growth --tags branding,analytics,ecommerce --db "$db" >/dev/null
while read -r user course; do
  "$BIN" assign --org acme --user "$user" --course "$course" --due 2099-12-31 --db "$db" >/dev/null
done < "$work/assignments"
"$BIN" report all --format html --out "$work/report.html" --db "$db"

# The screenshots and the layout come from one Chromium driven over the DevTools protocol: a headless
# window is never narrower than 500 px, so only device-metrics emulation lays the page out at 390.
status=0
python3 scripts/render_check.py "$work/report.html" --chromium "$CHROMIUM" \
  --at 1280:0.5:"$work/laptop.png" --at 390:1:"$work/phone.png" || status=$?
if [ -n "${KEEP_SCREENSHOTS:-}" ]; then cp "$work"/*.png "$KEEP_SCREENSHOTS"/ 2>/dev/null || true; fi
[ "$status" -eq 0 ] || { echo "error: the HTML report's layout is broken (see above)" >&2; exit 1; }
python3 scripts/png_check.py "$work/laptop.png" --min-width 640 --heat-map
python3 scripts/png_check.py "$work/phone.png" --min-width 390
echo "check-html: the report renders with its charts on a laptop and a phone, its text readable and nothing cut off"
