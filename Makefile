# businesstools — see README.md. `make run` to start, `make test` for everything.
GO  ?= go
BIN := bin/businesstools
NPM := cd frontend && npm

.PHONY: run build build-spa generate generate-go generate-spa check-generated vet \
        test test-go-sqlite test-go-postgres test-spa e2e bench clean

## run: build the SPA and the server, start on :8080 (SQLite in ./data unless DATABASE_URL is set)
run: build
	./$(BIN)

## build: the SPA embedded into one binary at bin/businesstools
build: build-spa
	$(GO) build -tags ui -o $(BIN) .

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	$(NPM) ci --no-audit --no-fund

build-spa: frontend/node_modules/.package-lock.json
	$(NPM) run build

## generate: ent, gqlgen and the SPA's typed GraphQL operations
generate: generate-go generate-spa

generate-go:
	cd ent && $(GO) run -mod=mod entc.go
	$(GO) run -mod=mod github.com/99designs/gqlgen generate

generate-spa: frontend/node_modules/.package-lock.json
	$(NPM) run generate

## check-generated: fail when committed generated code differs from a fresh `make generate`
check-generated: frontend/node_modules/.package-lock.json
	bash .ci/check-generated

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '^ent/\|^graph/generated/'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }

## test: the whole suite — Go with the race detector on SQLite and on PostgreSQL, SPA unit tests, browser end-to-end tests
test: check-generated vet test-go-sqlite test-go-postgres test-spa e2e

# Throughput tests also run without the race detector, which slows the
# database drivers many times (RATE_TESTS).
RATE_TESTS = -run 'KeepsUpWith10000KeysPerSecond' ./internal/usage/

test-go-sqlite:
	TEST_DB=sqlite $(GO) test -race -count=1 ./...
	TEST_DB=sqlite $(GO) test -count=1 $(RATE_TESTS)

test-go-postgres:
	TEST_DB=postgres $(GO) test -race -count=1 ./...
	TEST_DB=postgres $(GO) test -count=1 $(RATE_TESTS)

test-spa: frontend/node_modules/.package-lock.json
	$(NPM) run typecheck
	$(NPM) test

e2e: build
	$(GO) test -tags ui -count=1 ./frontend/
	$(NPM) run e2e

## bench: wrk against a fresh server process (/healthz vs GET /v1/me with valid, unknown and
## bad-checksum keys, alternating rounds, medians, ratios) and uncached verification latency;
## PostgreSQL at BENCH_POSTGRES when reachable (else SQLite); BENCH_FLAGS e.g. -seed-keys 1000000;
## then the key list at 1,000,000 keys (a fresh database on BENCH_POSTGRES's server)
BENCH_POSTGRES ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
BENCH_FLAGS ?=
bench:
	@command -v wrk >/dev/null || { echo "installing wrk (apt-get)"; s=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$s apt-get update -qq && $$s apt-get install -y -qq wrk >/dev/null; }
	$(GO) run ./internal/bench/loadtest -postgres '$(BENCH_POSTGRES)' $(BENCH_FLAGS)
	$(GO) test -run '^$$' -bench . -benchmem ./internal/apikey/ ./internal/server/
	$(GO) run ./internal/bench/bigaccount -database-url '$(BENCH_POSTGRES)'

clean:
	rm -rf bin frontend/dist
