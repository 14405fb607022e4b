#!/usr/bin/env bash
# GET /v2/curves (filters, limit 100) served from PostgreSQL with 1M demo rows, 32 connections,
# against pgbench running the adapter's own SQL for the same queries at the same concurrency
# (`pgbench -M extended`, the adapter's unnamed-statement protocol), measured in one run.
#   bash benches/load/pg_curves.sh       # loads 1M demo rows into schema aurum_bench_read once
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/services.sh
ensure_postgres
ROWS="${ROWS:-1000000}"; CONNECTIONS="${CONNECTIONS:-32}"; DURATION="${DURATION:-15}"; PORT="${PORT:-18282}"
DB_URL="${AURUM_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
SCHEMA=aurum_bench_read
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
command -v pgbench >/dev/null || apt-get install -y -qq postgresql-contrib >/dev/null
cargo build --release --locked -p aurum -p aurum-adapter-postgres --example pgbench_list >/dev/null 2>&1
BIN="${CARGO_TARGET_DIR:-target}/release"
export AURUM_DATABASE_URL="$DB_URL" AURUM_DB_SCHEMA=$SCHEMA AURUM_LOG=warn
have=$(psql -qtA "$DB_URL" -c "SELECT count(*) FROM $SCHEMA.curve_observation" 2>/dev/null || echo 0)
if [ "$have" -lt "$ROWS" ]; then
  psql -q "$DB_URL" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE; CREATE SCHEMA $SCHEMA" >/dev/null
  "$BIN/aurum" migrate >/dev/null
  WORK=$(mktemp -d); "$BIN/aurum" demo-data --out "$WORK/demo.csv" --rows "$ROWS" 2>/dev/null
  "$BIN/aurum" ingest curves "$WORK/demo.csv"; rm -rf "$WORK"
  psql -q "$DB_URL" -c "VACUUM ANALYZE $SCHEMA.curve_observation" >/dev/null
fi
AURUM_PORT=$PORT AURUM_DB_POOL_SIZE="${POOL:-8}" AURUM_RATE_LIMIT_ENABLED=false AURUM_CACHE_ENABLED="${CACHE:-false}" "$BIN/aurum" serve &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true' EXIT
until curl -fsS "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1; do sleep 0.1; done
echo "== aurum serve (PostgreSQL) via wrk"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s benches/load/curves.lua "http://127.0.0.1:$PORT" | tee /tmp/aurum-pg-wrk.txt
kill $PID; wait $PID 2>/dev/null || true
echo "== pgbench, the adapter's SQL"
SCRIPTS=$(mktemp -d)
"$BIN/examples/pgbench_list" "$SCRIPTS"
mapfile -t DEFINES < "$SCRIPTS/defines.txt"
PGOPTIONS="-c search_path=$SCHEMA" pgbench -n -M extended -c "$CONNECTIONS" -j 2 -T "$DURATION" \
  -f "$SCRIPTS/q0.sql" -f "$SCRIPTS/q1.sql" -f "$SCRIPTS/q2.sql" -f "$SCRIPTS/q3.sql" -f "$SCRIPTS/q4.sql" \
  "${DEFINES[@]}" "$DB_URL" 2>&1 | grep -E "tps|latency|transactions" | tee /tmp/aurum-pgbench.txt
aurum_rps=$(grep Requests/sec /tmp/aurum-pg-wrk.txt | awk '{print $2}')
pg_tps=$(grep -E "^tps" /tmp/aurum-pgbench.txt | head -1 | sed -E 's/tps = ([0-9.]+).*/\1/')
printf 'aurum_req_per_s=%s pgbench_tps=%s ratio=%.2f\n' "$aurum_rps" "$pg_tps" "$(echo "$aurum_rps / $pg_tps" | bc -l)"
