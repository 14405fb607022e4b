#!/usr/bin/env bash
# Load test: GET /v2/curves (filters, limit 100) against `aurum serve` holding 1M demo rows.
# Prints throughput, latency percentiles, startup time and the server's RSS.
#   bash benches/load/curves.sh            # 1M rows, 32 connections, 20 s
#   ROWS=200000 DURATION=10s bash benches/load/curves.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${ROWS:-1000000}"
CONNECTIONS="${CONNECTIONS:-32}"
DURATION="${DURATION:-20s}"
PORT="${PORT:-18181}"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
cargo build --release --locked -p aurum >/dev/null
BIN="${CARGO_TARGET_DIR:-target}/release/aurum"
start=$(date +%s.%N)
AURUM_PORT=$PORT AURUM_DEMO_ROWS=$ROWS AURUM_LOG=warn AURUM_RATE_LIMIT_ENABLED=false AURUM_CACHE_ENABLED="${CACHE:-true}" "$BIN" serve &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true' EXIT
until curl -fsS "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1; do sleep 0.05; done
ready=$(date +%s.%N)
echo "rows=$ROWS startup_to_ready_s=$(echo "$ready - $start" | bc)"
echo "rss_after_load_mb=$(( $(grep VmRSS /proc/$PID/status | awk '{print $2}') / 1024 ))"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s benches/load/curves.lua "http://127.0.0.1:$PORT" | tee /tmp/aurum-wrk.txt
echo "rss_after_load_test_mb=$(( $(grep VmRSS /proc/$PID/status | awk '{print $2}') / 1024 ))"
