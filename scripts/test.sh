#!/usr/bin/env bash
# Runs every test: formatting and lints, the Rust core and CLI (cargo test), the wasm
# binding layer in headless Chromium (wasm-bindgen-test), and the page end to end with
# node --test: in Debian's Chromium (playwright-core) at six screen sizes, and its main
# flows in Firefox ESR (puppeteer-core, tests/e2e/firefox.test.mjs). Installs what is
# missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1;34m== %s\033[0m\n' "$*" >&2; }

step "setup (idempotent)"
scripts/setup.sh --browser

step "cargo fmt --check, clippy (native and wasm32)"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings

step "cargo test (core, CLI)"
cargo test

step "the paper's findings (release code, both cores: about a million replica-steps)"
cargo test --release --test findings

step "wasm-bindgen-test in headless Chromium (binding layer)"
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver} \
  cargo test --release --target wasm32-unknown-unknown --test wasm_bindings

step "build the page and the CLI it is compared with"
scripts/build-web.sh
cargo build --release

step "end-to-end tests in headless Chromium and Firefox"
node --test --test-concurrency=1 tests/e2e/
