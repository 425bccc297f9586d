#!/usr/bin/env bash
# The HTTP API's contract, checked from outside: Schemathesis (pinned, in .venv-contract/) runs every
# check and every phase (examples, coverage, fuzzing, stateful) against `lectern serve` on a fresh
# SeedData database, with a write key, a fixed seed and a bounded number of examples. It must report
# no failure. `make test-contract`; .ci/run runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
VENV=.venv-contract
BIN=${LECTERN_BIN:-.build/debug/lectern}
EXAMPLES=${CONTRACT_EXAMPLES:-40}
WORK=$(mktemp -d)
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -x "$BIN" ] || swift build --product lectern
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

# A fresh SeedData database with every model the API serves trained, and a key of each scope.
DB="$WORK/contract.db"
"$BIN" init --db "$DB" >/dev/null
for entity in creators courses users interactions organisations members assignments; do
  "$BIN" import "$entity" "SeedData/$entity.csv" --db "$DB" >/dev/null
done
"$BIN" train --db "$DB" --algorithm all >/dev/null
"$BIN" train --db "$DB" --algorithm ease >/dev/null
"$BIN" train --db "$DB" --algorithm rp3beta >/dev/null
"$BIN" train --db "$DB" --algorithm bpr --bpr-iterations 5 >/dev/null
"$BIN" apikey create --db "$DB" --name contract-read --scope read >/dev/null 2>&1
WRITE_KEY=$("$BIN" apikey create --db "$DB" --name contract-write --scope write 2>/dev/null)

"$BIN" serve --db "$DB" --port 0 --rate-limit 100000 --burst 100000 >"$WORK/serve.log" 2>&1 &
SERVER=$!
PORT=
for _ in $(seq 1 100); do
  PORT=$(grep -o '127.0.0.1:[0-9]*' "$WORK/serve.log" | head -1 | cut -d: -f2 || true)
  [ -n "$PORT" ] && curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
[ -n "$PORT" ] || { cat "$WORK/serve.log"; echo "contract: the server did not start" >&2; exit 1; }

started=$(date +%s)
"$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/openapi.json" \
  --header "Authorization: Bearer $WRITE_KEY" \
  --checks all --phases examples,coverage,fuzzing,stateful \
  --seed 42 --max-examples "$EXAMPLES" --no-color
echo "contract: Schemathesis $SCHEMATHESIS_VERSION found no failure in $(( $(date +%s) - started )) s"
