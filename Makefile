# FinPipe — the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
BIN     := bin/finpipe
VENV    := .venv
PYTHON  := $(VENV)/bin/python

.PHONY: run test build venv s3venv tools bench demo reset up down reliability

build:
	$(GO) build -o $(BIN) ./cmd/finpipe

## run: everything in one process on embedded PostgreSQL and Kafka (data in ./data)
run: build
	./$(BIN) standalone --produce-rate 20/s

## test: the whole suite; starts its own embedded services (and moto's S3 server)
test: venv s3venv tools
	FINPIPE_PYTHON=$(CURDIR)/$(PYTHON) $(GO) test -count=1 -timeout 30m ./...

## venv: delta-rs (Python) that the tests use to read back FinPipe's tables;
## best effort, so an offline machine still runs everything else.
venv: $(VENV)/.done
$(VENV)/.done: scripts/deltars/venv.sh
	scripts/deltars/venv.sh $(VENV) && touch $@ \
	  || echo "warning: could not install deltalake; delta-rs round-trip tests will skip"

## s3venv: moto's S3 server, which the tests keep S3 lakes in (internal/testenv
## starts it; it also installs it on first use when `go test` runs alone)
s3venv: .venv-s3/.done
.venv-s3/.done: scripts/s3/venv.sh scripts/pyvenv.sh
	scripts/s3/venv.sh .venv-s3 && touch $@ \
	  || echo "warning: could not install moto; S3 tests will skip"

## tools: the object-store servers of the S3 fault tests and of gs:// and azblob://
## lakes (versitygw, fake-gcs-server, azurite) in .tools; best effort, like the venvs
## (internal/testenv also installs each on first use)
tools:
	scripts/emulators/install.sh .tools \
	  || echo "warning: could not install every object-store emulator; the tests that need one will skip"

bench: build
	./$(BIN) bench scheduler --json

## demo: produce 100,000 transactions, drain them through the lake, print a summary
demo: build
	./$(BIN) demo --transactions 100000

## reset: wipe the dev data directory (asks first), and the database cluster that
## root keeps outside it when ./data lies in a private folder (data/postgres/finpipe_cluster)
reset:
	@printf 'Delete ./data (embedded database, broker and lake)? [y/N] ' && read ans && [ "$$ans" = y ] \
	  && { c=$$(cat data/postgres/finpipe_cluster 2>/dev/null); case "$$c" in /*/pg-[0-9a-f]*) rm -rf -- "$$c";; esac; \
	       rm -rf ./data && echo removed; } || echo kept

## up/down: the full stack in containers (needs a Docker engine and a .env, see .env.example)
COMPOSE ?= docker compose
up:
	$(COMPOSE) up -d --build
down:
	$(COMPOSE) down

## reliability: bad input, process kills, service restarts, full disk and load against the
## real binaries; prints one table, fails if a row does (not part of test: ~10 min;
## scale with RELIABILITY_* variables, see reliability/README.md)
reliability:
	$(GO) build -o bin/reliability ./reliability && ./bin/reliability
