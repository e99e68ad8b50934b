# The two commands a newcomer needs: `make run` and `make test`.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= 2

.PHONY: deps build run test unit e2e browser postgres bench format clean

deps:
	@./scripts/install-deps.sh

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

run: build
	@./scripts/run-local.sh $(BUILD_DIR)/llmgate

unit: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

E2E := cd tests && LLMGATE_BIN=$(CURDIR)/$(BUILD_DIR)/llmgate node --test --test-concurrency=1 e2e/

e2e: build
	@$(E2E)

# The web console in Debian's chromium, driven by playwright-core (docs/console.md).
browser: build
	@cd tests && LLMGATE_BIN=$(CURDIR)/$(BUILD_DIR)/llmgate node --test --test-concurrency=1 browser/

# SPEC 11: the PostgreSQL store's unit tests and every e2e suite again, on a throwaway
# PostgreSQL cluster that scripts/test-postgres.sh starts on a free loopback port and stops.
postgres: build
	@./scripts/test-postgres.sh run -- sh -c \
	  'ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -R "^Postgres" && $(E2E)'

test: unit e2e browser postgres

# Benchmarks against a plain nginx reverse proxy (bench/RESULTS.md); not part of `test`.
# BENCH_BIN=path/to/llmgate skips the build.
bench:
	@./bench/run.sh $(BENCH_BIN)

format:
	@find src tests/unit bench -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

clean:
	@rm -rf build
