# SocialConnect entry points. Ports, folders and stack actions: docs/local-stack-contract.md.
#
#   make run           install what is missing, build, start the local stack (http://localhost:8080/)
#   make stop          stop it (SC_PROFILE=test make stop: the test stack)
#   make status        what is running
#   make build         the API (backend/build) and the front end (frontend/dist, rebuilt when changed)
#   make openapi       the OpenAPI description, assembled from docs/openapi/ into frontend/dist/openapi.json
#   make test          every suite on a private stack; non-zero exit on any failure
#   make bench-data N=1000000 SEED=1   generated initiatives in the run stack's database
#   make bench         wrk against the run stack (scripts/bench.sh)
#   make bench-harvest the harvester on the fixture sites: pages/s and peak memory (test stack's database)
#   make chaos         fault drill under wrk against the RUNNING stack of SC_PROFILE (docs/reliability.md)
#   make format-check  clang-format check of backend/ (make format rewrites the files)
#   make schema-check  sql/schema.sql against the migrations, in the test stack's PostgreSQL
#   make clean         build outputs and the test stack's data; make distclean: also var/ and node_modules

SHELL := /bin/bash
.DEFAULT_GOAL := build

N ?= 100000
SEED ?= 1

FRONTEND_SRC := $(shell find frontend/src frontend/public frontend/scripts -type f 2>/dev/null) \
	$(wildcard frontend/index.html frontend/embed.html frontend/vite.embed.config.ts frontend/package.json frontend/package-lock.json \
	frontend/vite.config.* frontend/tsconfig*.json frontend/.env frontend/.env.production)
C_SOURCES = $(shell find backend \( -path 'backend/build*' -o -name third_party -o -name vendor \) -prune \
	-o -type f \( -name '*.c' -o -name '*.h' \) -print 2>/dev/null | LC_ALL=C sort)

.PHONY: run stop status install-deps build backend backend-asan frontend frontend-required openapi test bench-harvest \
	bench bench-data format format-check clean distclean schema-check chaos

run: install-deps build
	scripts/stack.sh start

stop:
	scripts/stack.sh stop

status:
	scripts/stack.sh status

install-deps:
	scripts/install-deps.sh

build: backend frontend openapi

backend:
	$(MAKE) -C backend

backend-asan:
	$(MAKE) -C backend SANITIZE=1

# Without a front end yet, nginx serves a placeholder page.
frontend:
	@if [ -f frontend/package.json ]; then \
		$(MAKE) --no-print-directory frontend/dist/index.html; \
	else \
		echo "frontend/package.json is missing: no front end to build" >&2; \
	fi

frontend-required:
	@test -f frontend/package.json || { echo "frontend/package.json is missing" >&2; exit 1; }
	@$(MAKE) --no-print-directory frontend/dist/index.html

frontend/dist/index.html: $(FRONTEND_SRC) frontend/node_modules/.npm-ci.stamp
	cd frontend && npm run build
	@touch $@

# The OpenAPI description (docs/api.md, "Description OpenAPI"): its fragments deep-merged into one
# document beside the front end, which nginx serves as /api/v1/openapi.json. After the front end, whose
# build empties frontend/dist. Fails when two fragments describe the same operation.
OPENAPI_FRAGMENTS := $(wildcard docs/openapi/*.json)
openapi: frontend
	@$(MAKE) --no-print-directory frontend/dist/openapi.json

frontend/dist/openapi.json: $(OPENAPI_FRAGMENTS) scripts/openapi-build.sh $(wildcard frontend/dist/index.html)
	scripts/openapi-build.sh $@

frontend/node_modules/.npm-ci.stamp: $(wildcard frontend/package-lock.json frontend/package.json)
	cd frontend && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test:
	scripts/test.sh

# Prints the difference and fails when sql/schema.sql is not what the migrations build.
schema-check:
	SC_PROFILE=$${SC_PROFILE:-test} scripts/stack.sh start-pg >/dev/null
	SC_PROFILE=$${SC_PROFILE:-test} scripts/schema-check.sh

bench: install-deps build
	scripts/bench.sh

bench-harvest: install-deps build
	scripts/bench-harvest.sh

bench-data:
	@test -f sql/bench/generate.sh || { echo "sql/bench/generate.sh is missing" >&2; exit 1; }
	scripts/stack.sh start-pg migrate load
	eval "$$(scripts/stack.sh env)" && N='$(N)' SEED='$(SEED)' bash sql/bench/generate.sh '$(N)' '$(SEED)'

format-check:
	@if [ -z "$(C_SOURCES)" ]; then echo "no C sources under backend/"; \
	else clang-format --dry-run -Werror $(C_SOURCES) && echo "format-check: $(words $(C_SOURCES)) files OK"; fi

format:
	@if [ -n "$(C_SOURCES)" ]; then clang-format -i $(C_SOURCES); fi

clean:
	SC_PROFILE=test scripts/stack.sh wipe
	rm -rf backend/build backend/build-* frontend/dist

distclean: clean
	scripts/stack.sh wipe
	rm -rf var frontend/node_modules sql/load/node_modules tests/*/node_modules

# Needs the stack of SC_PROFILE running (make run, or SC_PROFILE=test scripts/stack.sh start); not part
# of make test: its budgets depend on timing. CHAOS_ARGS=--only=kill-worker,sighup runs some scenarios.
chaos:
	scripts/chaos.sh $(CHAOS_ARGS)
