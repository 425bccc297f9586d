#!/usr/bin/env bash
# A Python client generated from openapi.json (openapi-python-client, pinned) drives a live
# `lectern serve` on a SeedData database: `make test-python-client`, run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

GENERATOR_VERSION=0.29.1
VENV=.venv-client
BIN=${LECTERN_BIN:-.build/debug/lectern}
WORK=$(mktemp -d)
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -x "$BIN" ] || swift build --product lectern
if [ ! -x "$VENV/bin/openapi-python-client" ] || ! "$VENV/bin/pip" show openapi-python-client 2>/dev/null | grep -q "^Version: $GENERATOR_VERSION$"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "openapi-python-client==$GENERATOR_VERSION"
fi
"$VENV/bin/openapi-python-client" generate --path Sources/LecternServer/openapi.json --output-path "$WORK/client" --meta setup \
  --config scripts/python-client-config.yaml >/dev/null
"$VENV/bin/pip" install -q "$WORK/client"

DB="$WORK/smoke.db"
"$BIN" init --db "$DB" >/dev/null
for entity in creators courses users interactions organisations members assignments; do
  "$BIN" import "$entity" "SeedData/$entity.csv" --db "$DB" >/dev/null
done
"$BIN" train --db "$DB" --algorithm itemknn >/dev/null
"$BIN" train --db "$DB" --algorithm hybrid >/dev/null
READ_KEY=$("$BIN" apikey create --db "$DB" --name smoke-read --scope read 2>/dev/null | grep -o 'lk_[A-Za-z0-9_-]*' | head -1)
WRITE_KEY=$("$BIN" apikey create --db "$DB" --name smoke-write --scope write 2>/dev/null | grep -o 'lk_[A-Za-z0-9_-]*' | head -1)

# A burst the smoke's first requests fit in, and a rate so low that it then meets a 429.
"$BIN" serve --db "$DB" --port 0 --rate-limit 0.01 --burst 80 >"$WORK/serve.log" 2>&1 &
SERVER=$!
PORT=
for _ in $(seq 1 100); do
  PORT=$(grep -o '127.0.0.1:[0-9]*' "$WORK/serve.log" | head -1 | cut -d: -f2 || true)
  [ -n "$PORT" ] && curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
[ -n "$PORT" ] || { cat "$WORK/serve.log"; echo "python client: the server did not start" >&2; exit 1; }

LECTERN_URL="http://127.0.0.1:$PORT" LECTERN_READ_KEY="$READ_KEY" LECTERN_WRITE_KEY="$WRITE_KEY" \
  "$VENV/bin/python" scripts/python_client_smoke.py
