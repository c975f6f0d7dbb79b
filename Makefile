# The two commands of README: `make run` and `make test`. Each installs what it needs first.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
# Chart.js for the supervision dashboard, pinned in package.json/package-lock.json, served by the app itself
VENDOR := webapp/static/vendor/chart.umd.min.js
# the packages of package-lock.json as npm installed them; among them axe-core, which only the browser tests use
# (they add node_modules/axe-core/axe.min.js to the pages they check; the app never serves it)
NODE_MODULES := node_modules/.package-lock.json
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Every test process and every command a test starts imports the product: let Python keep their compiled bytecode
# (and pytest its rewritten test modules) instead of compiling them afresh each time, even where the environment
# says otherwise.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test install system-deps bench soak translations clean

run: install translations
	$(VENV)/bin/credit-cases up

# The suite on every core, as the clock stands today, with the deadline-sensitive tests (marked `clock`) run again
# as if today were each of CLOCK_DAYS (a limit that runs into a year without a package's data, the first working
# day of such a year, a limit across the National Day holiday). Beside it, in a process of its own, the fault
# tests, which mostly wait on the real worker, scheduler and Prefect server they kill and restart (the one that
# restarts PostgreSQL restarts a server of its own). The fault run keeps its full priority: under `nice` the main
# suite ended no sooner (4 min 36 s against 4 min 34 s) while the fault tests, whose waits are timed, ended a
# minute later (3 min 00 s against 2 min 05 s), each waiting longer on its parts.
# `pytest --today=YYYY-MM-DD` runs any selection as if today were that day.
CLOCK_DAYS ?= 2026-12-20 2027-01-04 2026-09-28
# one test process more than the cores: the machine is busy throughout (the fault tests beside them), and each
# process collects the suite and builds its own templates (on 2 cores: 6 min 34 s with three, 6 min 51 s with five)
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: install system-deps translations
	@faults_log=$$(mktemp); \
	$(VENV)/bin/pytest tests/faults > $$faults_log 2>&1 & faults=$$!; \
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist worksteal --ignore=tests/faults --clock-days="$(CLOCK_DAYS)"; main=$$?; \
	wait $$faults; fault_status=$$?; echo "--- the fault tests:"; cat $$faults_log; \
	rm -f $$faults_log; test $$main -eq 0 -a $$fault_status -eq 0

bench: install system-deps translations
	$(VENV)/bin/pytest -m bench tests/bench -p no:randomly -p no:cacheprovider -s

# The long fault variants (a minute of Prefect outage, a longer stream): `-m soak` overrides the default
soak: install system-deps translations
	CREDIT_CASES_SOAK_OUTAGE=60 $(VENV)/bin/pytest -m soak tests -p no:randomly -p no:cacheprovider

install: $(STAMP) $(VENDOR)

$(NODE_MODULES): package.json package-lock.json
	@command -v npm >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); $$SUDO apt-get update -q && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR): $(NODE_MODULES)
	mkdir -p $(dir $@)
	cp node_modules/chart.js/dist/chart.umd.min.js $@
	cp node_modules/chart.js/LICENSE.md $(dir $@)chart.js-LICENSE.md

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

# Browser tests need Debian's Chromium and CJK fonts (screenshots of Chinese pages); the HTTP benchmark, wrk
# (tests/bench/wrk_cycle.lua).
SYSTEM_PACKAGES = chromium fonts-noto-cjk wrk

system-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/wrk ] || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(SYSTEM_PACKAGES); \
	  else sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(SYSTEM_PACKAGES); fi; \
	fi

translations: install
	$(VENV)/bin/pybabel -q compile -d webapp/translations

clean:
	rm -rf $(VENV) instance node_modules webapp/static/vendor
