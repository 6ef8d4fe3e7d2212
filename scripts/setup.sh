#!/usr/bin/env bash
# Installs what is missing, and only that (a second run takes seconds):
#   the wasm32 Rust target, wasm-bindgen-cli at the exact version in Cargo.lock, Debian's chromium +
#   chromium-driver, and the npm packages of package-lock.json (webpack, playwright-core, binaryen's wasm-opt).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T0=$(now)

step "setup: Rust wasm target"
if ! command -v cargo >/dev/null; then
  echo "cargo is missing: install Rust with rustup (https://rustup.rs) and run this again." >&2
  exit 1
fi
if rustup target list --installed | grep -qx "$WASM_TARGET"; then
  echo "$WASM_TARGET: present"
else
  rustup target add "$WASM_TARGET"
fi

step "setup: wasm-bindgen CLI"
# The CLI must match the wasm-bindgen crate exactly: read its version from Cargo.lock.
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$WBG_VERSION" ]; then
  echo "Cargo.lock names no wasm-bindgen version" >&2
  exit 1
fi
have_wbg() {
  command -v wasm-bindgen >/dev/null && command -v wasm-bindgen-test-runner >/dev/null &&
    [ "$(wasm-bindgen --version | awk '{print $2}')" = "$WBG_VERSION" ] &&
    [ "$(wasm-bindgen-test-runner --version | awk '{print $2}')" = "$WBG_VERSION" ]
}
if have_wbg; then
  echo "wasm-bindgen $WBG_VERSION: present"
else
  # No --locked: the CLI's own lockfile pins a crate version the registry no longer serves.
  echo "installing wasm-bindgen-cli $WBG_VERSION (a few minutes on 2 cores)…"
  cargo install wasm-bindgen-cli --version "$WBG_VERSION" --force
  have_wbg
fi

step "setup: Chromium + chromedriver (Debian packages)"
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  echo "chromium: present ($(/usr/bin/chromium --version 2>/dev/null || echo '?'))"
else
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium chromium-driver
fi

step "setup: npm packages"
if ! command -v npm >/dev/null; then
  echo "npm is missing: install node 20+ with npm and run this again." >&2
  exit 1
fi
STAMP=node_modules/.setup-stamp
WANT=$(sha256sum package-lock.json | awk '{print $1}')
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  echo "node_modules: up to date with package-lock.json"
else
  npm ci --no-audit --no-fund
  echo "$WANT" >"$STAMP"
fi

echo
echo "setup done in $(elapsed "$T0")"
