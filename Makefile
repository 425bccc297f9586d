# Lectern: `make demo` loads SeedData into ./demo.db and shows it; `make test` runs the tests.
SWIFT ?= swift
BIN_DEBUG := .build/debug/lectern
BIN := .build/release/lectern
DEMO_DB ?= demo.db

.PHONY: build release test demo seed bench bench-quality bench-http clean

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product lectern

test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

demo: release
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN) init --db $(DEMO_DB)
	$(BIN) import creators SeedData/creators.csv --db $(DEMO_DB)
	$(BIN) import courses SeedData/courses.csv --db $(DEMO_DB)
	$(BIN) import users SeedData/users.csv --db $(DEMO_DB)
	$(BIN) import interactions SeedData/interactions.csv --db $(DEMO_DB)
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

# Rewrites SeedData/ from the generator (deterministic: the same files every time).
seed: release
	$(BIN) generate --seed 42 --out SeedData

bench: release
	bash bench/run.sh

# `lectern serve` under wrk: cached recommendations for many learners while interactions are written.
bench-http:
	bash bench/http.sh

# Lectern's algorithms beside implicit's ALS, BPR and item-kNN under one identical split of SeedData.
bench-quality: release
	@python3 -c 'import implicit; assert implicit.__version__ == "0.7.3"' 2>/dev/null || pip install -q implicit==0.7.3
	python3 bench/quality.py $(BIN)

clean:
	rm -rf .build $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
