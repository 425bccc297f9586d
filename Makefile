# Lectern: `make demo` loads SeedData into ./demo.db and shows it; `make test` runs the tests.
SWIFT ?= swift
BIN_DEBUG := .build/debug/lectern
BIN := .build/release/lectern
DEMO_DB ?= demo.db
# The OULAD files: beside this clone by default (../shared/datasets/oulad), else OULAD=/path/to/oulad.
OULAD ?= $(firstword $(wildcard ../shared/datasets/oulad ../../shared/datasets/oulad /work/shared/datasets/oulad) ../shared/datasets/oulad)
OULAD_DB ?= oulad.db
PREFIX ?= /usr/local

.PHONY: build release install test test-python-client test-contract check-html demo seed bench bench-quality bench-http bench-pg bench-scale bench-tune oulad clean

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product lectern

# Puts the release binary on PATH: $(PREFIX)/bin/lectern (PREFIX=/usr/local by default; PREFIX=~/.local
# needs no root).
install: release
	install -d $(PREFIX)/bin
	install -m 755 $(BIN) $(PREFIX)/bin/lectern
	@echo "Installed $(PREFIX)/bin/lectern"

# The HTTP server's tests run on their own: beside the CPU-heavy suites (training and imports at
# 200k events) on 2 cores their requests can wait past URLSession's timeout.
# The PostgreSQL suites run when LECTERN_TEST_PG holds a server's URL (bash scripts/pg-cluster.sh start
# prints one; .ci/run starts its own cluster and requires them), and are skipped, saying so, without it.
test:
	@[ -n "$$LECTERN_TEST_PG" ] || echo "PostgreSQL suites skipped: set LECTERN_TEST_PG or run bash .ci/run"
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip LecternServerTests
	$(SWIFT) test --skip-build --filter LecternServerTests
	bash scripts/check-html.sh
	bash scripts/check-deploy.sh

# A Python client generated from openapi.json (openapi-python-client, pinned, in .venv-client/)
# drives a live `lectern serve` on SeedData: paging, a learner, an idempotent retry, a list.
test-python-client:
	$(SWIFT) build --product lectern
	bash scripts/python-client-smoke.sh

# Schemathesis (pinned, in .venv-contract/) against `lectern serve` on SeedData: every check and
# phase, a fixed seed; it must find nothing. CONTRACT_EXAMPLES=N sets examples per operation (40).
test-contract:
	$(SWIFT) build --product lectern
	bash scripts/contract-test.sh

# The HTML report of SeedData rendered in headless Chromium (laptop and phone), checked to show its charts.
check-html:
	$(SWIFT) build --product lectern
	bash scripts/check-html.sh

demo: release
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB).train-lock
	$(BIN) init --db $(DEMO_DB)
	$(BIN) import creators SeedData/creators.csv --db $(DEMO_DB)
	$(BIN) import courses SeedData/courses.csv --db $(DEMO_DB)
	$(BIN) import users SeedData/users.csv --db $(DEMO_DB)
	$(BIN) import interactions SeedData/interactions.csv --db $(DEMO_DB)
	$(BIN) import organisations SeedData/organisations.csv --db $(DEMO_DB)
	$(BIN) import members SeedData/members.csv --db $(DEMO_DB)
	$(BIN) import assignments SeedData/assignments.csv --db $(DEMO_DB)
	@echo
	$(BIN) stats --db $(DEMO_DB) --top 8
	@echo
	$(BIN) course list --db $(DEMO_DB) --domain finance-for-engineers --status published --limit 8
	@echo
	$(BIN) course show --db $(DEMO_DB) $$($(BIN) course list --db $(DEMO_DB) --format csv --limit 1 --search python | tail -n 1 | cut -d, -f2)
	@echo
	$(BIN) user show --db $(DEMO_DB) $$($(BIN) user list --db $(DEMO_DB) --format csv --limit 1 | tail -n 1 | cut -d, -f2)
	@echo
	$(BIN) activity --db $(DEMO_DB) --limit 8
	@echo
	$(BIN) train --db $(DEMO_DB)
	@echo
	@for u in $$($(BIN) user list --db $(DEMO_DB) --format csv --limit 3 --offset 10 | tail -n +2 | cut -d, -f2); do \
		$(BIN) recommend --db $(DEMO_DB) --user $$u --limit 5 --explain; echo; done
	$(BIN) similar --db $(DEMO_DB) --course $$($(BIN) course list --db $(DEMO_DB) --format csv --limit 1 --search python | tail -n 1 | cut -d, -f2) --limit 5
	@echo
	$(BIN) segments build --db $(DEMO_DB) --k 6
	@echo
	$(BIN) user profile --db $(DEMO_DB) $$($(BIN) user list --db $(DEMO_DB) --format csv --limit 1 --offset 10 | tail -n 1 | cut -d, -f2)
	@echo
	$(BIN) path --db $(DEMO_DB) --user $$($(BIN) user list --db $(DEMO_DB) --format csv --limit 1 --offset 10 | tail -n 1 | cut -d, -f2) --domain data-science --per-level 1
	@echo
	$(BIN) org list --db $(DEMO_DB)
	@echo
	$(BIN) report org --db $(DEMO_DB) --org initech-finance
	@echo
	$(BIN) audience --db $(DEMO_DB) --course $$($(BIN) course list --db $(DEMO_DB) --format csv --limit 1 --search python | tail -n 1 | cut -d, -f2) --limit 5
	@echo
	$(BIN) bundles --db $(DEMO_DB) --cross-domain --limit 5
	@echo
	$(BIN) report crossover --db $(DEMO_DB)
	@echo
	$(BIN) report sales --db $(DEMO_DB) --by domain
	@echo
	$(BIN) report all --db $(DEMO_DB) --format html --out demo-report.html
	@echo "Open demo-report.html in a browser: every report, with charts, in one file."

# Rewrites SeedData/ from the generator (deterministic: the same files every time).
seed: release
	$(BIN) generate --seed 42 --out SeedData --force

bench: release
	bash bench/run.sh

# Lectern end to end at scale (SCALE=127k|1M|3M|20M|50M, default 1M) beside implicit's ALS fit and recommend_all.
SCALE ?= 1M
bench-scale:
	SCALE=$(SCALE) bash bench/scale.sh

# `lectern tune --all --trials 20` on a generated platform of 750k events, against the 5-minute aim (issue 13).
bench-tune:
	bash bench/tune.sh

# The same platform on SQLite and PostgreSQL: import (and psql's \copy), train, HTTP with one and two nodes.
# EVENTS (default 1000000) sets the platform's size; PARTS="import train http" chooses the parts.
bench-pg:
	bash bench/pg.sh

# `lectern serve` under wrk: cached recommendations for many learners while interactions are written.
bench-http:
	bash bench/http.sh

# Lectern's served list (chosen on validation) beside implicit's best (ALS, BPR, cosine and BM25 kNN, each
# over a small grid, best by test) on OULAD, MovieLens 100k (from the recbole wheel on PyPI) and SeedData,
# one per-learner split each (see bench/quality.py). DATASETS=oulad,movielens,seeddata TRIALS=20.
DATASETS ?= oulad,movielens,seeddata
TRIALS ?= 20
bench-quality: release
	@python3 -c 'import implicit; assert implicit.__version__ == "0.7.3"' 2>/dev/null || pip install -q implicit==0.7.3
	OULAD=$(abspath $(OULAD)) python3 bench/quality.py $(BIN) --datasets $(DATASETS) --trials $(TRIALS)

# Real data: the OULAD subset (tools/oulad/README.md) converted, imported into ./oulad.db, trained and reported on.
oulad: release
	@test -f "$(OULAD)/studentRegistration.csv" || { echo "error: no OULAD files in '$(OULAD)': run make oulad OULAD=/path/to/oulad (the folder with studentRegistration.csv; see tools/oulad/README.md)" >&2; exit 1; }
	@rm -rf .build/oulad $(OULAD_DB) $(OULAD_DB)-wal $(OULAD_DB)-shm $(OULAD_DB).train-lock
	python3 tools/oulad/convert.py $(OULAD) .build/oulad
	$(BIN) init --db $(OULAD_DB)
	@for entity in creators courses users interactions; do \
		$(BIN) import $$entity .build/oulad/$$entity.csv --db $(OULAD_DB) || exit 1; done
	$(BIN) train --db $(OULAD_DB)
	@for args in "sales --by course" "sales --by domain" "sales --by month" "creators" "funnel --by course" \
		"funnel --by domain" "channels" "cohorts" "cohorts --measure purchase" "catalog" "recommendations"; do \
		echo; echo "lectern report $$args"; $(BIN) report $$args --db $(OULAD_DB) || exit 1; done
	@echo
	$(BIN) report all --db $(OULAD_DB) --format html --out oulad-report.html

clean:
	rm -rf .build $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB).train-lock demo-report.html $(OULAD_DB) $(OULAD_DB)-wal $(OULAD_DB)-shm $(OULAD_DB).train-lock oulad-report.html bench/out
