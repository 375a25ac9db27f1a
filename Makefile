# The two commands a new user needs: `make run` (the server on the embedded demo data) and
# `make test` (everything CI checks). Both install what they need first.

CARGO  ?= cargo
DATA   ?= ./gridgis-data
LISTEN ?= 127.0.0.1:8080
BIN    := target/release/gridgis

.PHONY: run test build deps test-deps lint bench peers soak martin

run: deps
	$(CARGO) build --release --bin gridgis
	$(BIN) --data $(DATA) serve --listen $(LISTEN)

# One demo data dir for every test binary and script that only reads it; after the run its
# checksums must be unchanged (a test that writes must copy it first).
DEMO := $(CURDIR)/target/test-demo

# The tests that hold for either store, run a second time with the layers in PostGIS (the
# insta snapshots make the answers identical, not just similar); `--workspace` as in the first
# run, so the features and the binaries are the same (without it, 3 minutes of rebuilding).
BACKEND_NEUTRAL := http tiles_http geocode routing locate gazetteer topology demo_layers ops access limits \
	import_http layers_http
PG_ENV := $(CURDIR)/target/test-pg.env

test: test-deps
	$(CARGO) build --release --workspace --all-targets
	rm -rf $(DEMO) && $(BIN) demo --out $(DEMO) 2>/dev/null
	cd $(DEMO) && find . -type f | sort | xargs sha256sum > ../test-demo.sha256
	BIN=$(BIN) tests/pg/setup.sh $(DEMO) > $(PG_ENV)
	. $(PG_ENV) && GRIDGIS_TEST_DEMO=$(DEMO) $(CARGO) test --release --workspace
	. $(PG_ENV) && GRIDGIS_TEST_DEMO=$(DEMO) GRIDGIS_TEST_STORE=$$GRIDGIS_TEST_DEMO_DB \
		$(CARGO) test --release --workspace $(addprefix --test ,$(BACKEND_NEUTRAL))
	tests/pg/setup.sh --stop
	python3 tests/oracle/run.py $(BIN)
	python3 tests/geocode/eval.py $(BIN) --data $(DEMO) --report target/geocode-eval.md
	python3 tests/tiles/check.py $(BIN) --data $(DEMO)
	node tests/web/check.mjs $(BIN)
	GRIDGIS_TEST_DEMO=$(DEMO) tests/fuzz/openapi.sh $(BIN)
	GRIDGIS_TEST_DEMO=$(DEMO) tests/faults/run.sh $(BIN) --short
	cd $(DEMO) && sha256sum --quiet --check ../test-demo.sha256

# The long soak and fault runs (10 minutes of load, 50 kills; about 20 minutes), figures in
# the README's performance table.
soak: build
	tests/faults/run.sh $(BIN) --long

# martin (from crates.io, built once into target/tools) and gridgis on one PostGIS store: the
# same grids in their tiles.
martin: build
	tests/martin/check.sh

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
