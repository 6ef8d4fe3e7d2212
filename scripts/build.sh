#!/usr/bin/env bash
# Builds the page into dist/: release wasm → wasm-bindgen (pkg/) → wasm-opt (npm binaryen) → webpack.
# Run scripts/setup.sh first (serve.sh and test.sh do).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T0=$(now)

step "build: wasm (release)"
cargo build --release --target "$WASM_TARGET" --lib

step "build: wasm-bindgen → pkg/"
# --target web gives initSync({ module }): the page compiles the .wasm once and hands the module to the worker.
# --omit-default-module-path keeps a second reference to the .wasm out of the bundle.
wasm-bindgen --target web --omit-default-module-path --out-dir pkg \
  "$TARGET_DIR/$WASM_TARGET/release/uplift_simulator.wasm"

step "build: wasm-opt (npm binaryen; never Debian's, it corrupts the output)"
BEFORE=$(stat -c %s pkg/uplift_simulator_bg.wasm)
node_modules/.bin/wasm-opt -Oz pkg/uplift_simulator_bg.wasm -o pkg/uplift_simulator_bg.wasm.opt
mv pkg/uplift_simulator_bg.wasm.opt pkg/uplift_simulator_bg.wasm
echo "wasm: $BEFORE → $(stat -c %s pkg/uplift_simulator_bg.wasm) bytes"

step "build: webpack → dist/"
node_modules/.bin/webpack --mode production
ls -l dist
# The normal page: index.html, its script (the worker inside), the .wasm and the stylesheet.
echo "page weight (gzip): $(cat dist/index.html dist/main.*.js dist/*.wasm dist/style.css | gzip -9 | wc -c) bytes"
echo "single file dist/uplift-simulator.html: $(stat -c %s dist/uplift-simulator.html) bytes, $(gzip -9 < dist/uplift-simulator.html | wc -c) gzip"
echo "component dist/uplift-simulator.js: $(stat -c %s dist/uplift-simulator.js) bytes, $(gzip -9 < dist/uplift-simulator.js | wc -c) gzip"
echo
echo "build done in $(elapsed "$T0")"
