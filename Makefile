# Solimob — the one entry point. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# The suite runs on this many pytest-xdist workers (each with its own test database and, when
# REDIS_URL is set, its own Redis database: config/settings.py); 0 runs it in this process.
TEST_WORKERS ?= 2

.PHONY: run test install install-dev migrate seed worker beat lint format messages mutation clean stripe-demo

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP) $@

install: $(STAMP)
install-dev: $(DEV_STAMP)

migrate: install
	DEBUG=1 $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=1 $(PY) manage.py seed_demo

# Embedded mode: SQLite, eager Celery, console e-mail and SMS (unless the environment says otherwise).
run: seed
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Online payments against localstripe, a fake Stripe on 127.0.0.1:$(STRIPE_DEMO_PORT) that
# sends its signed webhooks to this server; Stripe.js is replaced by the test double it serves
# (tests/payments/stripe_double.js). Card 4242 4242 4242 4242 pays, 4000 0000 0000 0341 is
# declined. Stops localstripe with the server.
STRIPE_DEMO_PORT ?= 8420
STRIPE_DEMO_ENV = DEBUG=1 SITE_URL=http://$(HOST):$(PORT) \
	STRIPE_SECRET_KEY=sk_test_localstripe STRIPE_PUBLISHABLE_KEY=pk_test_localstripe \
	STRIPE_WEBHOOK_SECRET=whsec_test_solimob STRIPE_API_BASE=http://127.0.0.1:$(STRIPE_DEMO_PORT) \
	STRIPE_JS_URL=http://127.0.0.1:$(STRIPE_DEMO_PORT)/js.stripe.com/solimob-double.js
stripe-demo: install-dev seed
	$(PY) -m tests.payments.localstripe_server --port $(STRIPE_DEMO_PORT) \
		--webhook http://$(HOST):$(PORT)/payments/stripe/webhook/ & \
	LOCALSTRIPE=$$!; trap "kill $$LOCALSTRIPE" EXIT INT TERM; \
	$(STRIPE_DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The worker yields the CPU to the web (README, « Production »).
worker: install
	nice -n 10 $(VENV)/bin/celery -A config worker --loglevel=info

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=info

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install-dev
	DEBUG=1 $(PY) manage.py makemessages -l en --ignore=.venv
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

# Mutation testing of the code that computes money ([tool.mutmut] in pyproject.toml): fails
# under MUTATION_MIN % of mutants killed and lists the survivors. Several minutes; not in CI.
MUTATION_MIN ?= 90
mutation: install-dev
	$(VENV)/bin/mutmut run > mutants.log 2>&1 || (tail -n 40 mutants.log; exit 1)
	$(VENV)/bin/mutmut export-cicd-stats > /dev/null
	$(VENV)/bin/mutmut results
	$(PY) -m tests.mutation_score mutants/mutmut-cicd-stats.json $(MUTATION_MIN)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache mutants mutants.log
