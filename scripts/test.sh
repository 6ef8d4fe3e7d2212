#!/usr/bin/env bash
# Installs what is missing, then runs every test tier; any failure ⇒ non-zero exit.
#   1. native Rust tests (unit, integration, doc)      cargo test
#   2. wasm tests in node, then in headless Chromium   cargo test --target wasm32-unknown-unknown
#   3. the release page build                          scripts/build.sh
#   4. end-to-end tests of the built page              node --test tests/e2e/*.test.mjs (playwright-core + /usr/bin/chromium)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T0=$(now)
declare -a TIMES=()
lap() { TIMES+=("$1: $(elapsed "$2")"); }

t=$(now); bash scripts/setup.sh; lap setup "$t"

step "test 1/4: native (cargo test)"
t=$(now); cargo test --all-targets; cargo test --doc; lap native "$t"

# The cargo-fuzz targets (fuzz/, a workspace of their own) run on nightly by hand (docs/RELIABILITY.md);
# CI checks on stable that they still compile against the library's API.
step "test 1/4: fuzz targets compile (cargo check, stable)"
t=$(now); cargo check --manifest-path fuzz/Cargo.toml --bins --target-dir "$TARGET_DIR/fuzz-check"; lap fuzz-check "$t"

# The wasm tests: tests/web.rs plus lib unit tests marked for wasm; the native binary stays out.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}"
step "test 2/4: wasm in node"
t=$(now); cargo test --target "$WASM_TARGET" --lib --test web; lap wasm-node "$t"

step "test 2/4: wasm in headless Chromium"
t=$(now)
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_USE_BROWSER=1 \
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/webdriver.json" \
  cargo test --target "$WASM_TARGET" --lib --test web
lap wasm-chromium "$t"

step "test 3/4: release build of the page"
t=$(now); bash scripts/build.sh; lap build "$t"

step "test 4/4: end-to-end in headless Chromium (playwright-core)"
t=$(now)
mkdir -p test-artifacts
node --test tests/e2e/*.test.mjs
lap e2e "$t"

echo
echo "all tests passed in $(elapsed "$T0"):"
printf '  %s\n' "${TIMES[@]}"
