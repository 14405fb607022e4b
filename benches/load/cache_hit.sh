#!/usr/bin/env bash
# Cached GET /v2/curves (hit path) vs a static-buffer handler behind the same middleware, one run.
#   bash benches/load/cache_hit.sh                 # 8 s per round, 32 connections
#   DURATION=15s CONNECTIONS=64 bash benches/load/cache_hit.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
AURUM_LOG=warn cargo run --release --locked -q -p aurum-benches --bin cache_hit
