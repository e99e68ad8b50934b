# The two commands a newcomer needs: `make run` and `make test`.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= 2

.PHONY: deps build run test unit e2e format clean

deps:
	@./scripts/install-deps.sh

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

run: build
	@./scripts/run-local.sh $(BUILD_DIR)/llmgate

unit: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

e2e: build
	@cd tests && LLMGATE_BIN=$(CURDIR)/$(BUILD_DIR)/llmgate node --test --test-concurrency=1 e2e/

test: unit e2e

format:
	@find src tests/unit bench -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

clean:
	@rm -rf build
