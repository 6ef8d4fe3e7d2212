#!/usr/bin/env bash
# Installs what is missing, builds the page and serves it on http://localhost:$PORT/ (default 8080).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash scripts/setup.sh
bash scripts/build.sh
PORT="${PORT:-8080}"
step "serve"
exec node scripts/static-server.mjs dist "$PORT" "${HOST:-127.0.0.1}"
