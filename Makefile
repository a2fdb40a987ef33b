# Two entry points a newcomer needs: `make run` and `make test`.
# Everything installs into ./.venv from this repository's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

AXE := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: run demo test lint bench clean system-deps test-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## system-deps: Pango, HarfBuzz-subset and a font for the minutes' PDFs (apt-get as root)
system-deps:
	bash scripts/system-deps.sh

## test-deps: what only the tests need: Debian's Chromium and axe-core (npm) for tests/browser
test-deps:
	bash scripts/system-deps.sh --browser
	@$(MAKE) -s --no-print-directory $(AXE)

# axe-core at the version tests/browser/package-lock.json pins (npm ci: exactly that).
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error >/dev/null) && touch $(AXE); \
	else \
	  echo "test-deps: npm not found; the accessibility test (axe-core) skips outside CI" >&2; \
	fi

## run: install and run the bot (needs TELEGRAM_BOT_TOKEN; SQLite under ./data by default)
run: $(STAMP) system-deps
	$(BIN)/python -m bot

## demo: a sandbox in the browser (no token, no network): the real bot against the fake
## Bot API, a seeded secretariat, a page on 127.0.0.1:$(DEMO_PORT) (Ctrl-C stops it all)
DEMO_PORT ?= 8090
demo: $(STAMP) system-deps
	DEMO_PORT=$(DEMO_PORT) $(BIN)/python -m demo

## test: install and run the whole test suite (in TEST_WORKERS processes; an idle one takes
## tests queued on a busy one, so the long tests do not leave the run waiting on one worker),
## then the linters
TEST_WORKERS ?= 4
test: $(STAMP) test-deps
	PTB_TIMEDELTA=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal
	$(MAKE) --no-print-directory lint

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## bench: every benchmark, against the fake Bot API enforcing Telegram's limits
bench: $(STAMP)
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/votes.py
	$(BIN)/python bench/onboarding.py
	$(BIN)/python bench/followups.py
	$(BIN)/python bench/scheduler.py
	$(BIN)/python bench/minutes.py
	$(BIN)/python bench/followup.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/replicas.py
	$(BIN)/python bench/chain.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/browser/node_modules tests/artifacts
