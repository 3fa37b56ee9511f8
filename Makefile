# The two commands of the README. Only Python 3.11+ and make are needed on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install check bench bench-load bench-intake bench-pages bench-background bench-install clean-var

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	@test -f var/.demo-city || ($(PY) manage.py seed_demo --scale city && touch var/.demo-city)
	$(PY) scripts/run_portal.py --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# --- benchmarks (issue #10): PostgreSQL + Redis, city scale; see bench/bench_city.py ----------------
# The bench database is created if missing and loaded once (skipped when it already holds the same load).
# Redis db 10 (broker) and 11 (cache) belong to the benchmark and are flushed by it.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench_city
BENCH_BROKER_URL ?= redis://127.0.0.1:6379/10
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/11
BENCH_PETITIONS ?= 1000000
BENCH_OPEN ?= 200000
BENCH_DURATION ?= 60
BENCH_USERS ?= 4
BENCH_WORKERS ?= 4
BENCH_WORKER_CLASS ?= sync
BENCH_REQUESTS ?= 200
BENCH_ROUTING ?= 2000
BENCH_ARGS ?=
BENCH_VENV := .venv-bench
BENCH_ENV = BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_BROKER_URL=$(BENCH_BROKER_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL)
BENCH_RUN = $(BENCH_ENV) $(PY) bench/bench_city.py
BENCH_SIZE = --petitions $(BENCH_PETITIONS) --open $(BENCH_OPEN)

# locust and py-spy live in their own venv, never in the portal's requirements.
$(BENCH_VENV)/.installed: bench/requirements-bench.txt
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/pip install --quiet -r bench/requirements-bench.txt
	touch $@

bench-install: install $(BENCH_VENV)/.installed

bench: bench-install
	$(BENCH_RUN) all $(BENCH_SIZE) --duration $(BENCH_DURATION) --users $(BENCH_USERS) --workers $(BENCH_WORKERS) \
		--worker-class $(BENCH_WORKER_CLASS) --requests $(BENCH_REQUESTS) --routing $(BENCH_ROUTING) $(BENCH_ARGS)

bench-load: install
	$(BENCH_RUN) load $(BENCH_SIZE) $(BENCH_ARGS)

bench-intake: bench-install
	$(BENCH_RUN) intake $(BENCH_SIZE) --duration $(BENCH_DURATION) --users $(BENCH_USERS) --workers $(BENCH_WORKERS) \
		--worker-class $(BENCH_WORKER_CLASS) $(BENCH_ARGS)

bench-pages: install
	$(BENCH_RUN) pages $(BENCH_SIZE) --requests $(BENCH_REQUESTS) $(BENCH_ARGS)

bench-background: install
	$(BENCH_RUN) background $(BENCH_SIZE) --routing $(BENCH_ROUTING) $(BENCH_ARGS)
