# The two commands of README: `make run` and `make test`. Each installs what it needs first.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install system-deps bench soak translations clean

run: install translations
	$(VENV)/bin/credit-cases up

test: install system-deps translations
	$(VENV)/bin/pytest

bench: install system-deps translations
	$(VENV)/bin/pytest -m bench tests/bench -p no:randomly --benchmark-only || true

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

# Browser tests need Debian's Chromium and CJK fonts (screenshots of Chinese pages).
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk; \
	  else sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk; fi; \
	fi

translations: install
	$(VENV)/bin/pybabel -q compile -d webapp/translations

clean:
	rm -rf $(VENV) instance
