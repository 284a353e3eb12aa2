# The two commands of the quick start:
#   make plan   build, then run the weekly plan on the bundled sample (outputs in out/)
#   make test   formatting and lint checks, then build and run the whole test suite
# Both check and install the build prerequisites first (cmake, libclang, C++);
# `make test` also a headless Chromium for the HTML report's test (best effort).

CARGO_TARGET_DIR ?= $(HOME)/.cache/ringcast-target
export CARGO_TARGET_DIR

.PHONY: prereqs plan test bench fmt lint sample

prereqs:
	@scripts/prereqs.sh

plan: prereqs
	cargo run --release -- plan

test:
	@scripts/prereqs.sh --with-browser
	cargo fmt --check
	cargo clippy --release --all-targets -- -D warnings
	cargo test --release
	scripts/notebooks.sh

bench: prereqs
	cargo bench

sample: prereqs
	cargo run --release -- synth --seed 7 --out data

fmt:
	cargo fmt

lint:
	cargo clippy --release --all-targets -- -D warnings
