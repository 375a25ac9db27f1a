# The two commands a new user needs: `make run` (the server on the embedded demo data) and
# `make test` (everything CI checks). Both install what they need first.

CARGO  ?= cargo
DATA   ?= ./gridgis-data
LISTEN ?= 127.0.0.1:8080
BIN    := target/release/gridgis

.PHONY: run test build deps test-deps lint bench peers

run: deps
	$(CARGO) build --release --bin gridgis
	$(BIN) --data $(DATA) serve --listen $(LISTEN)

test: test-deps
	$(CARGO) build --release --workspace --all-targets
	$(CARGO) test --release --workspace
	python3 tests/oracle/run.py $(BIN)
	python3 tests/geocode/eval.py $(BIN) --report target/geocode-eval.md
	python3 tests/tiles/check.py $(BIN)
	node tests/web/check.mjs $(BIN)

deps:
	scripts/install-deps.sh

test-deps:
	scripts/install-deps.sh --test

build: deps
	$(CARGO) build --release --workspace --all-targets

lint: deps
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --release --no-deps --workspace

bench: deps
	$(CARGO) bench -p gridgis-benches

peers: build
	benches/peers/run.sh
