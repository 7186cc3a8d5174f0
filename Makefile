# The test command starts what the tests need (PostgreSQL, Redis, Chromium), installing it
# with apt-get where it is missing, then runs every test against the real things.
GO ?= go

.PHONY: test services vet run demo screenshots bench

test: services
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

services:
	bash .ci/services.sh

vet:
	gofmt -l . | (! grep .)
	$(GO) vet ./...

run:
	$(GO) run ./server

demo:
	$(GO) run ./server demo
