# The test command starts what the tests need (PostgreSQL, Redis, Chromium), installing it
# with apt-get where it is missing, then runs every test against the real things.
GO ?= go

AXE_VERSION := 4.14.1
AXE_JS := web/browsertest/testdata/axe.min.js

.PHONY: test hygiene services vet run demo screenshots bench axe load load-surveys fuzz bench-growth bench-pages bench-votes bench-live bench-idle bench-centrifugo

# staticcheck at a pinned version, fetched by the Go toolchain like any module.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

test: services $(AXE_JS) hygiene
	$(GO) test -race -count=1 -timeout 20m ./...

# The checks a reviewer runs first: formatting, vet, a tidy go.mod, staticcheck.
hygiene:
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	$(GO) mod tidy -diff
	$(GO) run $(STATICCHECK) ./...

services:
	bash .ci/services.sh

vet: hygiene

run:
	$(GO) run ./server

demo:
	$(GO) run ./server demo

# axe-core, the accessibility checker the browser tests inject, from the npm registry.
$(AXE_JS):
	mkdir -p web/browsertest/testdata && cd web/browsertest/testdata && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && \
	tar -xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js package/LICENSE && \
	mv package/axe.min.js . && mv package/LICENSE axe-core.LICENSE && rmdir package && rm axe-core-$(AXE_VERSION).tgz

axe: $(AXE_JS)

# Screenshots of the main pages at 1280 and 360 px, into docs/screenshots/.
screenshots: services
	SCREENSHOTS=1 $(GO) test ./web/browsertest -run TestScreenshots -count=1 -v

bench: services
	$(GO) test -run XXX -bench . -benchtime 2s -benchmem ./server/council/ ./server/mail/

# Live fan-out under load: three processes, 30 watchers, 10 members voting flat out.
load: services
	LOAD=1 $(GO) test ./server -run TestLoadLiveFanout -count=1 -v

# Surveys under load: 2,000 responses to one public survey from 200 clients, on each database.
load-surveys: services
	LOAD=1 $(GO) test ./server -run TestLoadSurveyResponses -count=1 -v

# Closed outcome pages and records under load: req/s of a closed round's page (both languages),
# its record.json and /healthz of the same process, on each database, with wrk when installed
# (else a Go generator). BENCH_BASE=<binary of an earlier commit> measures it beside the new one,
# alternated; BENCH_SECONDS and BENCH_CONNS set each figure's length and connections.
bench-pages: services
	BENCH=pages $(GO) test ./server -run TestBenchPages -count=1 -v -timeout 30m

# Committed votes per second, one council, 16 voters, two processes on PostgreSQL and Redis,
# beside pgbench running the vote's SQL transaction (server/testdata/vote_tx.pgbench) on the
# same database, and their ratio. Needs pgbench (Debian: the postgresql package). BENCH_SECONDS sets
# each run's length (default 10); COUNCIL_BIN=path measures a binary built already.
bench-votes: services
	BENCH=votes $(GO) test ./server -run TestBenchVotes -count=1 -v

# Fuzzing: each target for FUZZTIME in turn (go test -fuzz takes one target per package per
# run). What a target finds is written to its package's testdata/fuzz/, where go test replays it.
# make test runs the committed seeds of every target as ordinary tests.
FUZZTIME ?= 30s
FUZZ_TARGETS := ./server/httpapi:FuzzDecode ./server/council:FuzzRenderMarkdown \
	./realtime:FuzzIsClientPing ./realtime:FuzzClientFrame

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 10s $$pkg; \
	done

# How the lists and the archive's search cost as the archive grows: 100, 10,000 and 100,000
# rounds, members and posts seeded straight into each database (GROWTH_SIZES, GROWTH_DIALECTS
# choose), each list's first and last page and the search timed; prints a table, asserts no time.
bench-growth: services
	GROWTH=1 $(GO) test ./server/store -run '^TestGrowth$$' -count=1 -v -timeout 60m

# Live fan-out tail: WATCHERS websockets over PROCS processes (PostgreSQL + Redis) while votes
# arrive at RATE a second for SECONDS; prints vote→screen and event→screen percentiles, lost and
# duplicate events. COUNCIL_BIN=path measures a binary already built (e.g. an earlier commit's).
# WARMUP seconds of the same traffic go first and are not measured (0 for none).
WATCHERS ?= 2000
PROCS ?= 2
RATE ?= 5
SECONDS ?= 20
WARMUP ?= 3
bench-live: services
	BENCH=live WATCHERS=$(WATCHERS) PROCS=$(PROCS) RATE=$(RATE) SECONDS=$(SECONDS) WARMUP=$(WARMUP) \
		$(GO) test ./server -run '^TestBenchLive$$' -count=1 -v -timeout 20m

# The reference beside bench-live: two Centrifugo v6 nodes with its Redis engine, WATCHERS
# websockets, RATE messages a second through its HTTP API for SECONDS; the same percentiles.
# Centrifugo is not part of this repository: CENTRIFUGO=path names a binary built elsewhere,
# e.g. GOBIN=/tmp/cfgo go install github.com/centrifugal/centrifugo/v6@v6.9.1
bench-centrifugo: services
	@test -n "$(CENTRIFUGO)" || { echo "bench-centrifugo needs CENTRIFUGO=/path/to/centrifugo"; exit 2; }
	BENCH=centrifugo CENTRIFUGO=$(CENTRIFUGO) WATCHERS=$(WATCHERS) RATE=$(RATE) SECONDS=$(SECONDS) WARMUP=$(WARMUP) \
		$(GO) test ./server -run '^TestBenchCentrifugo$$' -count=1 -v -timeout 20m

# Memory per idle websocket: the server's RSS before and after SOCKETS idle websockets.
SOCKETS ?= 10000
bench-idle: services
	BENCH=idle SOCKETS=$(SOCKETS) $(GO) test ./server -run '^TestBenchIdle$$' -count=1 -v -timeout 20m
