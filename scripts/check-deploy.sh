#!/usr/bin/env bash
# The deployment recipes, checked: the systemd units with `systemd-analyze verify` (any warning fails,
# the binary path pointed at the built lectern), and the Containerfile's instructions (no base image
# can be pulled here to build it, and Debian packages no Dockerfile linter).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(pwd)/.build/debug/lectern
[ -x "$BIN" ] || BIN=$(pwd)/.build/release/lectern
[ -x "$BIN" ] || { echo "error: build lectern first (make build)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for unit in deploy/systemd/*; do sed "s#/usr/local/bin/lectern#$BIN#g" "$unit" > "$tmp/$(basename "$unit")"; done
out=$(systemd-analyze verify --man=no "$tmp"/* 2>&1) || { echo "$out" >&2; exit 1; }
if [ -n "$out" ]; then
  echo "error: systemd-analyze verify warns about deploy/systemd:" >&2
  echo "$out" >&2
  exit 1
fi
python3 - deploy/Containerfile <<'PY'
import json, sys
known = {"FROM", "RUN", "COPY", "ADD", "USER", "VOLUME", "ENV", "EXPOSE", "HEALTHCHECK", "STOPSIGNAL", "CMD",
         "ENTRYPOINT", "WORKDIR", "LABEL", "ARG", "SHELL"}
lines = open(sys.argv[1]).read().split("\n")
seen, continued = [], False
for number, line in enumerate(lines, 1):
    text = line.strip()
    if not continued and (not text or text.startswith("#")):
        continue
    if not continued:
        word = text.split()[0]
        if word not in known:
            sys.exit(f"error: deploy/Containerfile line {number}: unknown instruction '{word}'")
        seen.append(word)
        if word in ("CMD", "ENTRYPOINT") and text.split(None, 1)[1].startswith("["):
            json.loads(text.split(None, 1)[1])  # the exec form must be a JSON array
    continued = text.endswith("\\")
if not seen or seen[0] != "FROM":
    sys.exit("error: deploy/Containerfile must start with FROM")
for needed in ("COPY", "VOLUME", "HEALTHCHECK", "CMD"):
    if needed not in seen:
        sys.exit(f"error: deploy/Containerfile has no {needed}")
PY
echo "check-deploy: the systemd units verify without a warning; the Containerfile's instructions are well formed"
