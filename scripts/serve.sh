#!/usr/bin/env bash
# Builds the page and serves dist/ on http://127.0.0.1:${PORT:-8080}/ (Ctrl-C stops).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-web.sh
exec node scripts/serve.mjs dist
