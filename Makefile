# payrail — every target installs what it needs first (idempotent; the second run takes ~1 s).
SHELL := /bin/bash
PY    := .venv/bin/python
PIP   := .venv/bin/pip
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# LocalStack's own virtual environment (PAYRAIL_TARGET=localstack); a path outside .build works too
LOCALSTACK_VENV ?= .build/localstack-venv
LS_DIR := infra/local/localstack
export PAYRAIL_LOCALSTACK_VENV := $(abspath $(LOCALSTACK_VENV))
# `make demo` / `make up` with PAYRAIL_TARGET=localstack install LocalStack first (unless
# PAYRAIL_ENDPOINT_URL names a LocalStack already running, e.g. its Docker image)
TARGET_DEPS := $(if $(filter localstack,$(PAYRAIL_TARGET)),$(if $(PAYRAIL_ENDPOINT_URL),,localstack),)

.PHONY: setup tools localstack up up-localstack demo test test-localstack test-fast bench bench-settlement bench-reconciliation bench-reconciliation-clean cost fuzz simulate synth openapi sdk fire screenshots clean

setup: tools .venv/.installed node_modules/.installed .build/wheels/.fetched ## install everything (idempotent)

tools: ## Java 17 (DynamoDB Local), Node.js/npm (CDK CLI), Chromium (the console's browser tests) and jq (the README's walk) from Debian's packages, each only if missing
	@missing=""; \
	  command -v java >/dev/null || missing="$$missing openjdk-17-jre-headless"; \
	  command -v node >/dev/null || missing="$$missing nodejs"; \
	  command -v npm >/dev/null || missing="$$missing npm"; \
	  command -v chromium >/dev/null || missing="$$missing chromium"; \
	  command -v jq >/dev/null || missing="$$missing jq"; \
	  test -z "$$missing" || { echo "installing$$missing"; \
	    (apt-get update -qq && apt-get install -y -qq $$missing) >/dev/null; }

.venv/.installed: pyproject.toml sdk/python/pyproject.toml
	@test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e ".[dev]"
	$(PIP) install -q -e sdk/python
	@touch $@

# the Lambda layer's wheels for python3.11 x86_64, fetched once so that `cdk synth` runs offline
.build/wheels/.fetched: layers/payrail/requirements.txt .venv/.installed
	$(PIP) download -q -r layers/payrail/requirements.txt -d .build/wheels --only-binary=:all: \
	  --platform manylinux2014_x86_64 --implementation cp --python-version 3.11
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# LocalStack 4.9.2 with the release's exact pins, and payrail's runtime executor plugin, in their own venv
$(LOCALSTACK_VENV)/.installed: $(LS_DIR)/requirements-runtime.txt $(LS_DIR)/plugin/pyproject.toml \
		$(LS_DIR)/plugin/payrail_localstack_executor.py
	@test -x $(LOCALSTACK_VENV)/bin/python || python3 -m venv $(LOCALSTACK_VENV)
	$(LOCALSTACK_VENV)/bin/pip install -q "localstack-core[runtime]==4.9.2" -c $(LS_DIR)/requirements-runtime.txt
	$(LOCALSTACK_VENV)/bin/pip install -q ./$(LS_DIR)/plugin -c $(LS_DIR)/requirements-runtime.txt
	@touch $@

localstack: setup $(LOCALSTACK_VENV)/.installed ## install LocalStack (no Docker) into $(LOCALSTACK_VENV)

up: setup $(TARGET_DEPS) ## run the whole platform locally in the foreground (Ctrl-C stops everything)
	$(PY) -m infra.local up $(ARGS)

up-localstack: localstack ## the same platform on LocalStack's services (no Docker needed)
	PAYRAIL_TARGET=localstack $(PY) -m infra.local up $(ARGS)

demo: setup $(TARGET_DEPS) ## the main job end to end against the running platform (or one it starts)
	$(PY) -m infra.tools.demo

test: setup ## unit, infra (CDK, cdk-nag, cfn-lint) and integration tests on the local cloud
	$(PY) -m pytest tests

test-localstack: localstack ## payout, order, settlement, reconciliation, event and local-cloud tests on the LocalStack target
	$(PY) -m pytest --target localstack tests/integration/test_payouts.py tests/integration/test_orders.py \
	  tests/integration/test_settlement.py tests/integration/test_local_cloud.py tests/integration/test_localstack.py \
	  tests/integration/test_webhooks.py tests/integration/test_payout_events.py tests/integration/test_reconciliation.py

test-fast: setup ## unit and infra tests only (no local cloud)
	$(PY) -m pytest tests/unit tests/infra

bench: setup ## benchmarks; writes bench-report.json and bench-report.html
	$(PY) -m infra.tools.bench

ROWS ?= 1000000
bench-settlement: setup ## settlement over ROWS capture journals of one day (default 1,000,000) vs a raw read; into bench-report.json
	$(PY) -m infra.tools.bench_settlement --rows $(ROWS) $(BENCH_ARGS)

bench-reconciliation: setup ## a reconciliation run over ROWS transfers of one provider-day (default 1,000,000) from a settlement file vs a raw read; into bench-report.json
	$(PY) -m infra.tools.bench_reconciliation --rows $(ROWS) $(BENCH_ARGS)

CLEAN_ROWS ?= 10000
bench-reconciliation-clean: setup ## a clean day of CLEAN_ROWS transfers across the five providers (default 10,000), some straddling midnight, reconciled with no exception
	$(PY) -m infra.tools.bench_reconciliation_clean --rows $(CLEAN_ROWS) $(BENCH_ARGS)

cost: setup ## 1M orders, 1M payouts and a 1M-row settlement at AWS list prices, from bench-report.json
	$(PY) -m infra.cost

SEEDS ?= 200
simulate: setup ## seeded fault schedules against the real code on DynamoDB Local (SEEDS=N; JOBS=J workers; SEED=n replays one)
	$(PY) -m infra.sim $(if $(SEED),--seed $(SEED),--seeds $(SEEDS) $(if $(JOBS),--jobs $(JOBS))) $(SIM_ARGS)

fuzz: setup ## schemathesis against the committed OpenAPI document (FUZZ_ARGS="--requests 5000 --use-running")
	$(PY) -m infra.tools.fuzz $(FUZZ_ARGS)

synth: setup ## cdk synth with cdk-nag (offline: the layer is built from .build/wheels)
	npx cdk synth --quiet

openapi: setup ## regenerate functions/api/openapi.json
	$(PY) -m infra.openapi

sdk: setup ## regenerate the Python SDK in sdk/python/payrail_client from functions/api/openapi.json
	$(PY) -m infra.sdk

screenshots: setup ## the web console's pages as docs/console/*.png and Swagger UI as docs/swagger-ui.png (a fresh platform on free ports, Chromium)
	$(PY) -m infra.tools.screenshots

fire: setup ## fire the daily settlement schedule on the running platform
	$(PY) -m infra.local fire settlement-daily

clean:
	rm -rf .local cdk.out bench-report.json bench-report.html .pytest_cache
