#!/usr/bin/env bash
# GET /v2/curves through the Trino adapter + protocol-faithful fake vs the PostgreSQL adapter,
# same data, same run (needs PostgreSQL; scripts/services.sh starts it).
#   bash benches/load/trino_latency.sh
#   ROWS=500000 REQUESTS=1000 bash benches/load/trino_latency.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/services.sh
ensure_postgres
AURUM_LOG=warn cargo run --release --locked -q -p aurum-benches --bin trino_latency
