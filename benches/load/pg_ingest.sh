#!/usr/bin/env bash
# Ingestion into PostgreSQL: `aurum ingest curves` of the 1M-row demo CSV (read, normalise,
# derive strips, binary COPY into staging, one set-based upsert, commit) against `psql \copy`
# of the resulting normalised rows into an identical table (same migrations, same indexes).
#   bash benches/load/pg_ingest.sh              # ROWS=1000000 by default
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/services.sh
ensure_postgres
ROWS="${ROWS:-1000000}"
DB_URL="${AURUM_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
cargo build --release --locked -p aurum >/dev/null
BIN="${CARGO_TARGET_DIR:-target}/release/aurum"
WORK=$(mktemp -d)
A=aurum_bench_ingest_a; B=aurum_bench_ingest_b
cleanup() { psql -q "$DB_URL" -c "DROP SCHEMA IF EXISTS $A CASCADE; DROP SCHEMA IF EXISTS $B CASCADE" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
cleanup; WORK=$(mktemp -d)
psql -q "$DB_URL" -c "CREATE SCHEMA $A; CREATE SCHEMA $B" >/dev/null
"$BIN" demo-data --out "$WORK/demo.csv" --rows "$ROWS" 2>/dev/null
export AURUM_DATABASE_URL="$DB_URL" AURUM_LOG=warn
AURUM_DB_SCHEMA=$A "$BIN" migrate >/dev/null
AURUM_DB_SCHEMA=$B "$BIN" migrate >/dev/null

t0=$(date +%s.%N)
AURUM_DB_SCHEMA=$A "$BIN" ingest curves "$WORK/demo.csv" | tail -n +1 >"$WORK/ingest.txt"
t1=$(date +%s.%N)
cat "$WORK/ingest.txt"
stored=$(psql -qtA "$DB_URL" -c "SELECT count(*) FROM $A.curve_observation")
COLS="curve_key,tenor_label,asof_date,contract_month,asset_class,region,iso,location,market,product,block,spark_location,price_type,tenor_type,units_raw,currency,per_unit,value,bid,ask,mid,source_file,sheet_name,version_hash,ingest_ts,origin"
psql -q "$DB_URL" -c "\\copy (SELECT $COLS FROM $A.curve_observation) TO '$WORK/normalised.csv' CSV" >/dev/null
t2=$(date +%s.%N)
psql -q "$DB_URL" -c "SET search_path=$B" -c "\\copy curve_observation($COLS) FROM '$WORK/normalised.csv' CSV" >/dev/null
t3=$(date +%s.%N)
ours=$(echo "$t1 - $t0" | bc -l); theirs=$(echo "$t3 - $t2" | bc -l)
printf 'input_rows=%s stored_rows=%s\n' "$ROWS" "$stored"
printf 'aurum_ingest_s=%.2f aurum_rows_per_s=%.0f (input rows) %.0f (stored rows)\n' "$ours" "$(echo "$ROWS / $ours" | bc -l)" "$(echo "$stored / $ours" | bc -l)"
printf 'psql_copy_s=%.2f psql_rows_per_s=%.0f (stored rows)\n' "$theirs" "$(echo "$stored / $theirs" | bc -l)"
printf 'ratio_aurum_to_psql=%.2f (stored rows/s over stored rows/s)\n' "$(echo "$theirs / $ours" | bc -l)"
