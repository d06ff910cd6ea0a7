# Tern — run `make help` for the list of targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Directories holding generated code (see scripts/gen.sh); gen-check watches them.
GEN_DIRS := framework/internal/gen framework/tool/internal/testgen framework/interop/gen rpc_gen bench/gen

.PHONY: help test bench bench-rpc lint fmt run gen gen-check up down logs ps

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'

test: ## vet and test every module (race detector on the framework)
	@scripts/test.sh

run: ## boot the shop locally: item, stock, cart (and gateway) on SQLite and an embedded Redis; Ctrl-C stops
	@scripts/run.sh

up: ## the full stack in Docker (Nacos, MySQL, Redis, Jaeger, Prometheus, Grafana, the shop): build, start, wait, print URLs
	@scripts/stack.sh up

down: ## stop the docker-compose stack (VOLUMES=1 also deletes its data)
	@scripts/stack.sh down

logs: ## follow the docker-compose stack's logs (SERVICE=cart for one service)
	@scripts/stack.sh logs

ps: ## list the docker-compose stack's containers and their health
	@scripts/stack.sh ps

gen: ## regenerate all generated Go code with the tern generator
	@scripts/gen.sh

gen-check: gen ## fail if regeneration changes anything in the generated directories (CI)
	@changed=$$(git status --porcelain -- $(GEN_DIRS)); \
	if [ -n "$$changed" ]; then \
		echo "generated code is out of date; run 'make gen' and commit the result:" >&2; \
		echo "$$changed" >&2; exit 1; \
	fi

bench: ## run the framework's Go benchmarks (allocations included)
	cd framework && go test -run '^$$' -bench . -benchmem ./...

bench-rpc: ## RPC benchmark, Tern vs Kitex, grpc-go and raw netpoll, into bench/results/ (flags: ARGS="-payload 16384 -quick ...")
	cd bench && go run ./cmd/benchrpc $(ARGS)

lint: ## gofmt and go vet on every module
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v /testdata/))" || { gofmt -l $$(git ls-files '*.go' | grep -v /testdata/); exit 1; }
	@for m in $$(scripts/modules.sh); do (cd $$m && go vet ./...) || exit 1; done

fmt: ## format all Go code
	gofmt -w $$(git ls-files '*.go' | grep -v /testdata/)
